package dev.ferry.qmp;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Commands that configure, run, steer and measure a live migration. */
public sealed interface MigrationCommand<R> extends QmpCommand<R> {

  record QueryMigrateCapabilities() implements MigrationCommand<List<MigrationCapabilityStatus>> {
    @Override
    public String commandName() {
      return "query-migrate-capabilities";
    }

    @Override
    public ReplyType<List<MigrationCapabilityStatus>> replyType() {
      return ReplyType.listOf(MigrationCapabilityStatus.class);
    }
  }

  /** Sets capabilities; both ends must agree, and it is refused while a migration runs. */
  record MigrateSetCapabilities(List<MigrationCapabilityStatus> capabilities)
      implements MigrationCommand<Void> {
    public MigrateSetCapabilities {
      capabilities = List.copyOf(capabilities);
      if (capabilities.isEmpty()) {
        throw new IllegalArgumentException("capabilities must not be empty");
      }
    }

    @Override
    public String commandName() {
      return "migrate-set-capabilities";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  record QueryMigrateParameters() implements MigrationCommand<MigrationParameters> {
    @Override
    public String commandName() {
      return "query-migrate-parameters";
    }

    @Override
    public ReplyType<MigrationParameters> replyType() {
      return ReplyType.of(MigrationParameters.class);
    }
  }

  /** Changes the parameters present in {@code parameters}; the others keep their values. */
  record MigrateSetParameters(MigrationParameters parameters) implements MigrationCommand<Void> {
    public MigrateSetParameters {
      Objects.requireNonNull(parameters, "parameters");
    }

    @Override
    public String commandName() {
      return "migrate-set-parameters";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }

    @Override
    public Object arguments() {
      return parameters;
    }
  }

  /**
   * Starts an outgoing migration. QEMU replies at once; progress comes as MIGRATION events and
   * through {@code query-migrate}.
   *
   * @param uri {@code tcp:198.18.0.2:4444} or {@code unix:/run/ferry/mig.sock}; no other transport
   *     is accepted (see {@link MigrationUri})
   * @param resume true to resume a paused post-copy migration instead of starting one
   */
  record Migrate(String uri, Optional<Boolean> resume) implements MigrationCommand<Void> {
    public Migrate {
      requireUri(uri);
      Objects.requireNonNull(resume, "resume");
    }

    public Migrate(String uri) {
      this(uri, Optional.empty());
    }

    public Migrate(MigrationUri uri) {
      this(uri.text(), Optional.empty());
    }

    @Override
    public String commandName() {
      return "migrate";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /** Starts listening for an incoming migration; QEMU must run with {@code -incoming defer}. */
  record MigrateIncoming(String uri) implements MigrationCommand<Void> {
    public MigrateIncoming {
      requireUri(uri);
    }

    public MigrateIncoming(MigrationUri uri) {
      this(uri.text());
    }

    @Override
    public String commandName() {
      return "migrate-incoming";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /** Cancels the outgoing migration; the source keeps running. */
  record MigrateCancel() implements MigrationCommand<Void> {
    @Override
    public String commandName() {
      return "migrate_cancel";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /**
   * Lets a migration paused in {@code state} go on; used to leave {@link
   * MigrationStatus#PRE_SWITCHOVER} once the disks are handed over.
   */
  record MigrateContinue(MigrationStatus state) implements MigrationCommand<Void> {
    public MigrateContinue {
      Objects.requireNonNull(state, "state");
    }

    @Override
    public String commandName() {
      return "migrate-continue";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /** Pauses a post-copy migration (e.g. before re-routing its stream); see {@link Migrate}. */
  record MigratePause() implements MigrationCommand<Void> {
    @Override
    public String commandName() {
      return "migrate-pause";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /** On the destination: listens on {@code uri} to recover a paused post-copy migration. */
  record MigrateRecover(String uri) implements MigrationCommand<Void> {
    public MigrateRecover {
      requireUri(uri);
    }

    @Override
    public String commandName() {
      return "migrate-recover";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /** Switches a running pre-copy migration to post-copy (needs the postcopy-ram capability). */
  record MigrateStartPostcopy() implements MigrationCommand<Void> {
    @Override
    public String commandName() {
      return "migrate-start-postcopy";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  record QueryMigrate() implements MigrationCommand<MigrationInfo> {
    @Override
    public String commandName() {
      return "query-migrate";
    }

    @Override
    public ReplyType<MigrationInfo> replyType() {
      return ReplyType.of(MigrationInfo.class);
    }
  }

  /**
   * Starts measuring the guest's dirty rate for {@code calcTime} (whole seconds); read the result
   * with {@link QueryDirtyRate}.
   *
   * @param samplePages pages sampled per GiB (page-sampling mode only)
   */
  record CalcDirtyRate(
      @JsonSerialize(using = QmpUnits.Seconds.Serializer.class) Duration calcTime,
      Optional<Long> samplePages,
      Optional<DirtyRateInfo.Mode> mode)
      implements MigrationCommand<Void> {
    public CalcDirtyRate {
      Objects.requireNonNull(calcTime, "calcTime");
      if (calcTime.toSeconds() < 1 || calcTime.toNanosPart() != 0) {
        throw new IllegalArgumentException(
            "calcTime must be a positive whole number of seconds: " + calcTime);
      }
      Objects.requireNonNull(samplePages, "samplePages");
      Objects.requireNonNull(mode, "mode");
    }

    public CalcDirtyRate(Duration calcTime) {
      this(calcTime, Optional.empty(), Optional.empty());
    }

    @Override
    public String commandName() {
      return "calc-dirty-rate";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  record QueryDirtyRate() implements MigrationCommand<DirtyRateInfo> {
    @Override
    public String commandName() {
      return "query-dirty-rate";
    }

    @Override
    public ReplyType<DirtyRateInfo> replyType() {
      return ReplyType.of(DirtyRateInfo.class);
    }
  }

  /**
   * Makes the guest's NICs announce themselves (gratuitous ARP / RARP), e.g. after the handover.
   * {@link #defaults()} are QEMU's own announce defaults.
   */
  record AnnounceSelf(Duration initial, Duration max, int rounds, Duration step)
      implements MigrationCommand<Void> {
    public AnnounceSelf {
      requireNotNegative(initial, "initial");
      requireNotNegative(max, "max");
      requireNotNegative(step, "step");
      if (rounds < 1) {
        throw new IllegalArgumentException("rounds must be positive: " + rounds);
      }
    }

    public static AnnounceSelf defaults() {
      return new AnnounceSelf(
          Duration.ofMillis(50), Duration.ofMillis(550), 5, Duration.ofMillis(100));
    }

    /**
     * After a handover: the first rounds as fast as QEMU's defaults, then spaced out to 3 s for
     * about 25 s in all, so that a link that flaps while the guest moves (and drops the first
     * announcements) still lets the switches learn where the guest is now, instead of sending its
     * traffic to the old host until their tables age out.
     */
    public static AnnounceSelf afterHandover() {
      return new AnnounceSelf(
          Duration.ofMillis(50), Duration.ofSeconds(3), 12, Duration.ofMillis(500));
    }

    @Override
    public String commandName() {
      return "announce-self";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }

    private static void requireNotNegative(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative: " + value);
      }
    }
  }

  /** Only {@code tcp:} and {@code unix:} reach QEMU: see {@link MigrationUri}. */
  private static void requireUri(String uri) {
    MigrationUri.parse(uri);
  }
}
