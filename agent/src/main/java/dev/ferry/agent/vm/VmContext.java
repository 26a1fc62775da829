package dev.ferry.agent.vm;

import dev.ferry.agent.events.EventBus;
import dev.ferry.agent.network.TapDevices;
import dev.ferry.qemu.AcceleratorDecision;
import dev.ferry.qemu.QemuBinary;
import java.time.Clock;
import java.time.Duration;

/**
 * What every managed VM on this host shares: the QEMU binary and accelerator, networking, the
 * record store, the event bus and the clock.
 *
 * @param hostName this host's name: the owner name its VMs carry
 * @param startTimeout how long QEMU may take to come up
 * @param forcedStopTimeout how long to wait for QEMU to quit once forced
 * @param manager the manager this host is bound to, if any: it must lease a VM before it runs
 */
public record VmContext(
    String hostName,
    QemuBinary qemu,
    AcceleratorDecision accelerator,
    TapDevices taps,
    VmStore store,
    EventBus events,
    Clock clock,
    Duration startTimeout,
    Duration forcedStopTimeout,
    dev.ferry.agent.cluster.ManagerLink manager) {}
