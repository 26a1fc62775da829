package dev.ferry.agent.migration.outgoing;

import dev.ferry.agent.vm.OutgoingHandle;
import dev.ferry.api.AgentClient;
import dev.ferry.migration.MigrationEvent;
import dev.ferry.migration.MigrationId;
import dev.ferry.migration.MigrationPhase;
import dev.ferry.migration.MigrationProblem;
import dev.ferry.migration.MigrationSettings;
import dev.ferry.migration.MigrationState;
import dev.ferry.migration.MigrationStateMachine;
import dev.ferry.qemu.QemuQuirks;
import dev.ferry.qmp.MigrationCommand.MigrateSetParameters;
import dev.ferry.qmp.MigrationCommand.QueryMigrate;
import dev.ferry.qmp.MigrationInfo;
import dev.ferry.qmp.MigrationParameters;
import dev.ferry.qmp.QmpCommand;
import dev.ferry.qmp.QmpException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * What a phase works with: the migration's identity, the source QEMU (through its handle), the
 * destination agent's client, the inbox, the journal and the keepalive. Holds no migration data of
 * its own: that lives in the states and the journal. Used only by the migration's runner thread.
 */
final class PhaseContext {
  private final OutgoingContext host;
  private final MigrationId id;
  private final Destination destination;
  private final OutgoingHandle handle;
  private final Inbox inbox;
  private final Journal journal;
  private final KeepAlive keepAlive;

  /** Where the VM goes: the destination host's name, its agent's URL and a client for it. */
  record Destination(String host, String url, AgentClient client) {}

  PhaseContext(
      OutgoingContext host,
      MigrationId id,
      Destination destination,
      OutgoingHandle handle,
      Inbox inbox,
      Journal journal) {
    this.host = host;
    this.id = id;
    this.destination = destination;
    this.handle = handle;
    this.inbox = inbox;
    this.journal = journal;
    this.keepAlive = new KeepAlive(host, id, destination, inbox);
  }

  OutgoingContext host() {
    return host;
  }

  MigrationId id() {
    return id;
  }

  String vm() {
    return handle.spec().name();
  }

  String destHost() {
    return destination.host();
  }

  String destUrl() {
    return destination.url();
  }

  AgentClient dest() {
    return destination.client();
  }

  OutgoingHandle handle() {
    return handle;
  }

  Inbox inbox() {
    return inbox;
  }

  Journal journal() {
    return journal;
  }

  KeepAlive keepAlive() {
    return keepAlive;
  }

  Clock clock() {
    return host.clock();
  }

  EngineTimings timings() {
    return host.timings();
  }

  MigrationSettings settings() {
    return journal.settings();
  }

  /** Whether this host's guests carry the TCG RAM pad (QEMU before 9.0), see {@link QemuQuirks}. */
  boolean padded() {
    var facts = host.facts().get();
    return QemuQuirks.tcgRamPad(facts.accelerator().accelerator(), facts.qemu().version());
  }

  // ---------------------------------------------------------------- the inbox

  /**
   * The next signal within {@code wait}. An interrupt is a cancellation, and a journal that can no
   * longer be written ends the phase: both surface as a fault (the runner rolls back).
   */
  Optional<Signal> poll(Duration wait) {
    Optional<String> unjournalled = journal.problem();
    if (unjournalled.isPresent()
        && MigrationStateMachine.abortable(journal.state())
        && !(journal.state() instanceof MigrationState.RollingBack)) {
      throw new PhaseFault(new MigrationProblem.Unexpected(unjournalled.get()));
    }
    try {
      return inbox.poll(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PhaseFault(
          new MigrationProblem.Unexpected("the migration's thread was interrupted"));
    }
  }

  /**
   * Handles the signals every phase treats alike: an abort (taken when the state allows it, else
   * declined), a live bandwidth change, a fault reported from outside. Returns the step that ends
   * the phase, if the signal is one.
   */
  Optional<Step> common(Signal signal) {
    switch (signal) {
      case Signal.Abort a -> {
        if (a.accepted().isDone()) {
          return Optional.empty();
        }
        if (MigrationStateMachine.abortable(journal.state())) {
          a.accepted().complete(true);
          return Optional.of(Step.abort(a.reason()));
        }
        a.accepted().complete(false);
        return Optional.empty();
      }
      case Signal.Bandwidth b -> {
        MigrationState s = journal.state();
        if (s instanceof MigrationState.PreCopy || s instanceof MigrationState.Switchover) {
          try {
            handle
                .qmp()
                .call(
                    new MigrateSetParameters(
                        MigrationParameters.builder()
                            .maxBandwidth(b.rate())
                            .maxPostcopyBandwidth(b.rate())
                            .build()),
                    timings().qmpTimeout());
            journal.note("bandwidth cap changed to " + b.rate());
          } catch (QmpException e) {
            journal.warn("bandwidth change to " + b.rate() + " failed: " + e.getMessage());
          }
        }
        return Optional.empty();
      }
      case Signal.Fault f -> {
        return Optional.of(Step.fault(f.problem()));
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  // ---------------------------------------------------------------- the source QEMU

  /** Runs a QMP command the phase cannot do without; a refusal or silence is the phase's fault. */
  <R> R qemu(QmpCommand<R> command, String what) {
    try {
      return handle.qmp().call(command, timings().qmpTimeout());
    } catch (QmpException e) {
      throw new PhaseFault(new MigrationProblem.QemuFailed(what + ": " + e.getMessage()));
    }
  }

  MigrationInfo queryMigrate() {
    return qemu(new QueryMigrate(), "source QEMU does not answer");
  }

  /**
   * QEMU is in post-copy (after the switchover, or straight from pre-copy without
   * pause-before-switchover): the step that takes the migration to handover at once.
   */
  Step postcopySwitched() {
    journal().enterPhase(MigrationPhase.HANDOVER);
    return new Step(
        new MigrationEvent.PostcopySwitched(),
        "post-copy: the destination takes over while the rest of the memory streams");
  }

  /** QEMU's own words for a failed migration. */
  String qemuError() {
    try {
      return handle
          .qmp()
          .call(new QueryMigrate(), timings().qmpTimeout())
          .errorDesc()
          .orElse("no reason given");
    } catch (QmpException e) {
      return "(" + e.getMessage() + ")";
    }
  }

  PhaseFault fault(MigrationProblem problem) {
    return new PhaseFault(problem);
  }
}
