package dev.ferry.agent.migration.outgoing;

import dev.ferry.agent.events.EventBus;
import dev.ferry.api.AgentClient;
import dev.ferry.api.HostFacts;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What every outgoing migration on this host shares.
 *
 * @param hostName this (source) host's name
 * @param facts this host's facts
 * @param vms this host's VMs and manager link
 * @param events the agent's event stream
 * @param clock the clock every decision reads (injected so tests can move time)
 * @param store the journals
 * @param estimates what this host has learned from its migrations
 * @param scheduler runs the keepalives
 * @param peers a client per destination agent URL
 * @param timings every wait of the engine
 */
record OutgoingContext(
    String hostName,
    Supplier<HostFacts> facts,
    SourceVms vms,
    EventBus events,
    Clock clock,
    OutgoingStore store,
    HostEstimates estimates,
    ScheduledExecutorService scheduler,
    Function<String, AgentClient> peers,
    EngineTimings timings) {}
