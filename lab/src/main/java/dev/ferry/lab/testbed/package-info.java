/**
 * A test world on one machine: N namespace "hosts", a fabric and a client.
 *
 * <pre>
 *   ferry-host-a  (netns)          ferry-fabric (netns)          ferry-client (netns)
 *   ┌─────────────────────┐       ┌──────────────────┐          ┌──────────────────┐
 *   │ br0 198.18.k.10/24  │       │  bridge "fabric" │          │ eth0 198.18.k.2  │
 *   │  ├ uplink ══════════╪═veth══╪═ host-a          │          │                  │
 *   │  └ tap (guests)     │       │  client ═════════╪══veth════╪═ (eth0)          │
 *   │ agent :7700         │       │  host-b ═════╗   │          └──────────────────┘
 *   └─────────────────────┘       └──────────────╫───┘
 *   ferry-host-b: the same with 198.18.k.11 ══════╝
 * </pre>
 *
 * <ul>
 *   <li>Addresses come only from 198.18.0.0/15 (reserved for benchmarking): hosts {@code
 *       198.18.k.(10+i)}, client {@code 198.18.k.2}, guests {@code 198.18.k.100-199}, all on one L2
 *       segment. No namespace has a default route; the root namespace gets nothing.
 *   <li>Files: {@code <stateRoot>/<name>/testbed.json} (versioned, written before anything is
 *       built), {@code <stateRoot>/<name>/hosts.json} (the {@link dev.ferry.api.HostDirectory} the
 *       {@code ferry} command's {@code -H NAME} reads, written once the agents answer), {@code
 *       <stateRoot>/<name>/<host>/agent.sock|agent.log}, {@code <dataRoot>/<name>/shared} (seen by
 *       all hosts) and {@code <dataRoot>/<name>/<host>/local}.
 *   <li>Agents: {@link dev.ferry.lab.testbed.TestbedAgents} runs the product's {@code ferry agent
 *       run} in each host namespace, found by {@link dev.ferry.lab.testbed.FerryCommand} ({@code
 *       $FERRY_JAR} or the class path).
 *   <li>Used by {@code ferry-lab}, the bench and the end-to-end tests.
 *   <li>Entry points: {@link dev.ferry.lab.testbed.Testbed#up}, {@link
 *       dev.ferry.lab.testbed.Testbed#load}, {@link dev.ferry.lab.testbed.Testbed#down(String)}.
 * </ul>
 */
package dev.ferry.lab.testbed;
