package dev.ferry.migration;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Duration;

/**
 * Why a migration could not go on: one sealed family, so callers and tests match on the kind of
 * trouble, and every variant says in one sentence what broke and where.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = MigrationProblem.Refused.class, name = "refused"),
  @JsonSubTypes.Type(value = MigrationProblem.DestinationUnreachable.class, name = "unreachable"),
  @JsonSubTypes.Type(value = MigrationProblem.DestinationFailed.class, name = "destination"),
  @JsonSubTypes.Type(value = MigrationProblem.QemuFailed.class, name = "qemu"),
  @JsonSubTypes.Type(value = MigrationProblem.MirrorFailed.class, name = "mirror"),
  @JsonSubTypes.Type(value = MigrationProblem.Stalled.class, name = "stalled"),
  @JsonSubTypes.Type(value = MigrationProblem.SourceRestarted.class, name = "restarted"),
  @JsonSubTypes.Type(value = MigrationProblem.Unexpected.class, name = "unexpected")
})
public sealed interface MigrationProblem {
  /** One sentence naming what broke and where. */
  String message();

  /** Preflight found a reason not to migrate; nothing was touched. */
  record Refused(String reason) implements MigrationProblem {
    @Override
    public String message() {
      return "preflight refused: " + reason;
    }
  }

  /** The destination agent does not answer (or stopped answering). */
  record DestinationUnreachable(String host, String detail) implements MigrationProblem {
    @Override
    public String message() {
      return "destination agent " + host + " unreachable: " + detail;
    }
  }

  /** The destination answered, but refused or lost its side. */
  record DestinationFailed(String host, String detail) implements MigrationProblem {
    @Override
    public String message() {
      return detail.contains(host) ? detail : "destination " + host + ": " + detail;
    }
  }

  /** The source QEMU refused a command, failed or cancelled the migration. */
  record QemuFailed(String detail) implements MigrationProblem {
    @Override
    public String message() {
      return detail;
    }
  }

  /** A disk mirror stopped or failed. */
  record MirrorFailed(String job, String detail) implements MigrationProblem {
    @Override
    public String message() {
      return "disk mirror " + job + " " + detail;
    }
  }

  /** Nothing moved for too long. */
  record Stalled(String what, Duration after, String destination) implements MigrationProblem {
    @Override
    public String message() {
      return what
          + " moved no data for "
          + after.toSeconds()
          + " s (network to "
          + destination
          + " cut?)";
    }
  }

  /**
   * The source agent restarted while the migration ran; it is finished or undone from its journal.
   */
  record SourceRestarted(MigrationPhase phase) implements MigrationProblem {
    @Override
    public String message() {
      return "the source agent restarted during " + phase.text();
    }
  }

  /** Anything else (a bug, an interrupt, a local I/O error). */
  record Unexpected(String detail) implements MigrationProblem {
    @Override
    public String message() {
      return detail;
    }
  }
}
