package dev.ferry.agent.vm;

import dev.ferry.qemu.Accelerator;
import dev.ferry.qemu.LaunchMode;
import dev.ferry.qemu.QemuCommandLine;
import dev.ferry.qemu.QemuLauncher;
import dev.ferry.qemu.RuntimePaths;
import dev.ferry.qemu.VmSpec;
import java.util.Map;

/**
 * What a {@link QemuProcess} needs from the host to come to life: taps on bridges, and the QEMU
 * binary with its accelerator. The real one drives {@code ip} and {@code qemu-system}; component
 * tests put a scripted process and a {@code FakeQmpServer} behind it.
 */
interface QemuHost {
  /** The accelerator new QEMU processes run with. */
  Accelerator accelerator();

  /** Creates tap {@code tap} on {@code bridge} (re-creating a stale one). */
  void createTap(String tap, String bridge);

  /** Removes a tap; absent taps are fine. */
  void deleteTap(String tap, TapRelease when);

  /**
   * Starts QEMU as a daemon paused ({@code -S}), its QMP socket listening at {@code
   * paths.qmpSocket()} and its pid in {@code paths.pidFile()}, and returns its process.
   *
   * @throws dev.ferry.qemu.QemuException with QEMU's own words when it refuses to start
   */
  ProcessHandle launch(
      VmSpec spec,
      Accelerator accelerator,
      RuntimePaths paths,
      Map<String, String> tapsByNic,
      LaunchMode mode);

  /** When a tap goes. */
  enum TapRelease {
    /** Before the caller goes on (a stop: a start right after must find the name free). */
    NOW,
    /**
     * In the background: after a handover nobody waits for the kernel's RCU grace periods; a later
     * create of the same name waits for the removal.
     */
    IN_BACKGROUND
  }

  /** The host's real taps and QEMU binary. */
  static QemuHost of(VmContext ctx) {
    return new QemuHost() {
      @Override
      public Accelerator accelerator() {
        return ctx.accelerator().accelerator();
      }

      @Override
      public void createTap(String tap, String bridge) {
        ctx.taps().create(tap, bridge);
      }

      @Override
      public void deleteTap(String tap, TapRelease when) {
        switch (when) {
          case NOW -> ctx.taps().delete(tap);
          case IN_BACKGROUND -> ctx.taps().deleteLater(tap);
        }
      }

      @Override
      public ProcessHandle launch(
          VmSpec spec,
          Accelerator accelerator,
          RuntimePaths paths,
          Map<String, String> tapsByNic,
          LaunchMode mode) {
        return QemuLauncher.launch(
            QemuCommandLine.build(ctx.qemu(), spec, accelerator, paths, tapsByNic, mode),
            paths,
            ctx.startTimeout());
      }
    };
  }
}
