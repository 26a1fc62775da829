package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test guest built by {@code guest/build-image.sh}: {@code $FERRY_GUEST_DIR}, else the
 * builder's current image. Tests fail (never skip) when it is missing.
 */
record GuestImage(Path dir) {
  static GuestImage locate() {
    String env = System.getenv("FERRY_GUEST_DIR");
    Path dir = env != null ? Path.of(env) : Path.of("/var/cache/ferry/guest/current");
    if (!Files.isRegularFile(dir.resolve("vmlinuz"))
        || !Files.isRegularFile(dir.resolve("initrd.img"))) {
      fail(
          "The test guest image is missing at "
              + dir
              + ": build it with guest/build-image.sh (scripts/test does) or set FERRY_GUEST_DIR");
    }
    return new GuestImage(dir.toAbsolutePath());
  }

  Path kernel() {
    return dir.resolve("vmlinuz");
  }

  Path initrd() {
    return dir.resolve("initrd.img");
  }

  /** A host-side tool built with the guest (ferry-probe, ferry-diskwrite, ferry-diskverify...). */
  Path tool(String name) {
    Path p = dir.resolve("bin").resolve(name);
    if (!Files.isExecutable(p)) {
      fail("guest tool " + p + " is missing; rebuild the guest image");
    }
    return p;
  }
}
