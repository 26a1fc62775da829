package dev.ferry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test guest built by {@code guest/build-image.sh}: kernel, initramfs, and the host-side probe.
 *
 * @param dir the image directory, symlinks resolved (so every run uses the same build even if
 *     {@code current} moves meanwhile)
 */
public record GuestImage(Path dir) {
  public static final Path DEFAULT_DIR = Path.of("/var/cache/ferry/guest/current");

  /**
   * The image in {@code dir}, checked to be complete.
   *
   * @throws IllegalArgumentException naming what is missing
   */
  public static GuestImage at(Path dir) {
    Path real;
    try {
      real = dir.toRealPath();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "no test guest at " + dir + ": build it with guest/build-image.sh (scripts/bench does)");
    }
    GuestImage image = new GuestImage(real);
    for (Path p : new Path[] {image.kernel(), image.initrd(), image.probe()}) {
      if (!Files.isRegularFile(p)) {
        throw new IllegalArgumentException(
            "the test guest at " + real + " is incomplete: " + p + " is missing");
      }
    }
    return image;
  }

  public Path kernel() {
    return dir.resolve("vmlinuz");
  }

  public Path initrd() {
    return dir.resolve("initrd.img");
  }

  /** {@code ferry-probe}, run in the client namespace. */
  public Path probe() {
    return dir.resolve("bin").resolve("ferry-probe");
  }
}
