package dev.ferry.agent.migration;

import dev.ferry.agent.events.EventBus;
import dev.ferry.agent.vm.VmService;
import dev.ferry.api.AgentClient;
import dev.ferry.api.HostFacts;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What every outgoing migration on this host shares.
 *
 * @param hostName this (source) host's name
 * @param facts this host's facts
 * @param peers a client per destination agent URL
 * @param keepAliveTimeout how long the destination waits for a keepalive before removing its side
 * @param stallTimeout a migration that moves no bytes this long has failed
 */
record OutgoingContext(
    String hostName,
    Supplier<HostFacts> facts,
    VmService vms,
    EventBus events,
    Clock clock,
    MigrationStore store,
    HostEstimates estimates,
    ScheduledExecutorService scheduler,
    Function<String, AgentClient> peers,
    Duration keepAliveTimeout,
    Duration stallTimeout) {}
