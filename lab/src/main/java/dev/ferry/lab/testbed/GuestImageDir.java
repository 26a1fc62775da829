package dev.ferry.lab.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where the test guest image is: {@code $FERRY_GUEST_DIR}, else the builder's current image. */
public final class GuestImageDir {
  private GuestImageDir() {}

  /** The image directory (with {@code vmlinuz}, {@code initrd.img}, {@code bin/ferry-probe}). */
  public static Optional<Path> find() {
    String env = System.getenv("FERRY_GUEST_DIR");
    Path dir = env != null ? Path.of(env) : Path.of("/var/cache/ferry/guest/current");
    if (!Files.isRegularFile(dir.resolve("vmlinuz"))) {
      return Optional.empty();
    }
    try {
      return Optional.of(dir.toRealPath());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The outage probe tool of the image. */
  public static Path probeTool() {
    return find()
        .map(g -> g.resolve("bin/ferry-probe"))
        .orElseThrow(
            () ->
                new TestbedException(
                    "find ferry-probe", "the test guest is not built: run guest/build-image.sh"));
  }
}
