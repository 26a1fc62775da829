package dev.ferry.qemu;

import dev.ferry.common.process.ProcessOutcome;
import dev.ferry.common.process.ProcessRunner;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides the accelerator for this host. {@code auto} picks KVM only when a real guest boots under
 * it: on nested or paravirtual KVM the device opens but guests hang, so opening {@code /dev/kvm}
 * proves nothing. Runs once at agent start, on the caller's thread.
 */
public final class AcceleratorProbe {
  private static final Logger log = LoggerFactory.getLogger(AcceleratorProbe.class);
  private static final Path KVM_DEVICE = Path.of("/dev/kvm");
  private static final Duration BOOT_BUDGET = Duration.ofSeconds(20);

  private final QemuBinary qemu;
  private final Optional<ProbeGuest> probeGuest;

  public AcceleratorProbe(QemuBinary qemu, Optional<ProbeGuest> probeGuest) {
    this.qemu = qemu;
    this.probeGuest = probeGuest;
  }

  /**
   * Resolves the operator's choice into an accelerator with its reason.
   *
   * @throws IllegalStateException when {@code kvm} is demanded but {@code /dev/kvm} is unusable
   */
  public AcceleratorDecision decide(AcceleratorChoice choice) {
    return decide(choice, Optional.empty());
  }

  /**
   * As {@link #decide(AcceleratorChoice)}; an {@code auto} decision is read from {@code cache} when
   * nothing it rests on changed (see {@link AcceleratorCache}), and kept there otherwise.
   */
  public AcceleratorDecision decide(AcceleratorChoice choice, Optional<AcceleratorCache> cache) {
    if (choice == AcceleratorChoice.AUTO && cache.isPresent()) {
      AcceleratorCache.Key key = cache.get().keyFor(qemu, probeGuest);
      Optional<AcceleratorDecision> known = cache.get().get(key);
      if (known.isPresent()) {
        log.info("Accelerator: {} (decided earlier in this boot, not probed again)", known.get());
        return known.get();
      }
      AcceleratorDecision fresh = decideNow(choice);
      cache.get().put(key, fresh);
      return fresh;
    }
    return decideNow(choice);
  }

  private AcceleratorDecision decideNow(AcceleratorChoice choice) {
    AcceleratorDecision decision =
        switch (choice) {
          case TCG -> new AcceleratorDecision(Accelerator.TCG, choice, "configured");
          case KVM -> {
            if (!kvmDeviceUsable()) {
              throw new IllegalStateException(
                  "accelerator kvm was configured but /dev/kvm is missing or not accessible");
            }
            yield new AcceleratorDecision(Accelerator.KVM, choice, "configured");
          }
          case AUTO -> auto();
        };
    log.info("Accelerator: {}", decision);
    return decision;
  }

  private AcceleratorDecision auto() {
    if (!kvmDeviceUsable()) {
      return new AcceleratorDecision(
          Accelerator.TCG, AcceleratorChoice.AUTO, "/dev/kvm is missing or not accessible");
    }
    if (probeGuest.isEmpty()) {
      return new AcceleratorDecision(
          Accelerator.TCG,
          AcceleratorChoice.AUTO,
          "/dev/kvm opens but no probe guest is configured to prove a guest boots under it");
    }
    long started = System.nanoTime();
    Optional<String> failure = bootUnderKvm(probeGuest.get());
    long ms = (System.nanoTime() - started) / 1_000_000;
    if (failure.isEmpty()) {
      return new AcceleratorDecision(
          Accelerator.KVM,
          AcceleratorChoice.AUTO,
          "a test guest booted under KVM in " + ms + " ms");
    }
    return new AcceleratorDecision(
        Accelerator.TCG,
        AcceleratorChoice.AUTO,
        "/dev/kvm opens but a test guest did not boot under KVM (" + failure.get() + ")");
  }

  private static boolean kvmDeviceUsable() {
    return Files.exists(KVM_DEVICE) && Files.isReadable(KVM_DEVICE) && Files.isWritable(KVM_DEVICE);
  }

  /** Boots the probe guest under KVM; empty when it printed the marker in time. */
  private Optional<String> bootUnderKvm(ProbeGuest guest) {
    List<String> cmd =
        List.of(
            qemu.path().toString(),
            "-accel",
            "kvm",
            "-machine",
            "pc",
            "-m",
            "128",
            "-nodefaults",
            "-no-user-config",
            "-display",
            "none",
            "-no-reboot",
            "-serial",
            "stdio",
            "-kernel",
            guest.kernel().toString(),
            "-initrd",
            guest.initrd().toString(),
            "-append",
            "console=ttyS0 quiet ferry.probe=1");
    // The probe guest powers off right after printing the marker, so QEMU exits by itself; a
    // guest that hangs under KVM is killed at the budget.
    ProcessOutcome r;
    try {
      r = ProcessRunner.run(BOOT_BUDGET, cmd);
    } catch (UncheckedIOException e) {
      return Optional.of("could not start QEMU: " + e.getMessage());
    } catch (CancellationException e) {
      return Optional.of("interrupted");
    }
    if (r.stdout().contains(ProbeGuest.MARKER)) {
      return Optional.empty();
    }
    return Optional.of(
        r.timedOut()
            ? "no marker within " + BOOT_BUDGET.toSeconds() + " s"
            : "QEMU exited without the guest's marker");
  }
}
