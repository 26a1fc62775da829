/**
 * An asynchronous client for the QEMU Machine Protocol (QMP): typed commands, replies and events
 * over QEMU's UNIX socket.
 *
 * <p>The public face is {@link dev.ferry.qmp.QmpClient}; commands are records grouped under {@link
 * dev.ferry.qmp.QmpCommand}, events records under {@link dev.ferry.qmp.QmpEvent}, failures
 * subclasses of {@link dev.ferry.qmp.QmpException}.
 *
 * <h2>Protocol</h2>
 *
 * QMP is newline-delimited JSON. QEMU speaks first; each request carries an {@code id} that the
 * reply repeats, and events can arrive at any time, between replies:
 *
 * <pre>
 *  client                                   QEMU
 *    |  connect(unix socket)                  |
 *    |&lt;---- {"QMP":{"version":..,"capabilities":["oob"]}}
 *    |----- {"execute":"qmp_capabilities","id":1} ----&gt;|
 *    |&lt;---- {"return":{},"id":1}             |   (command mode from here)
 *    |----- {"execute":"cont","id":2} -----&gt;|
 *    |&lt;---- {"event":"RESUME","timestamp":{"seconds":..,"microseconds":..}}
 *    |&lt;---- {"return":{},"id":2}             |
 *    |----- {"execute":"migrate","arguments":{"uri":"x"},"id":3} --&gt;|
 *    |&lt;---- {"error":{"class":"GenericError","desc":".."},"id":3}
 *    |          ... QEMU exits: EOF ...       |
 * </pre>
 *
 * <h2>Threads inside one connection</h2>
 *
 * <pre>
 *  callers --send()--&gt; [outbox queue] --writer thread--&gt; socket
 *  socket --reader thread--+-- reply (by id) --&gt; pending future, completed on a fresh virtual thread
 *                          +-- event ---------&gt; [event queue] --event thread--&gt; listeners, awaitEvent
 *                          +-- EOF / garbage --&gt; close: pending fail, closed() completes
 * </pre>
 *
 * Replies are matched to requests by id only; QEMU answers in order today, but nothing here relies
 * on it.
 */
package dev.ferry.qmp;
