package dev.ferry.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcceleratorCacheTest {
  @TempDir Path dir;

  static final AcceleratorDecision TCG =
      new AcceleratorDecision(
          Accelerator.TCG, AcceleratorChoice.AUTO, "a test guest did not boot under KVM");

  static AcceleratorCache.Key key(String boot, String version) {
    return new AcceleratorCache.Key(
        boot, "/usr/bin/qemu-system-x86_64", version, 1, 2, Optional.of("/k"), Optional.of("/i"));
  }

  @Test
  void aDecisionHoldsForTheSameBootAndBinaryOnly() {
    AtomicReference<String> boot = new AtomicReference<>("boot-1");
    AcceleratorCache cache = new AcceleratorCache(dir.resolve("accelerator.json"), boot::get);
    assertThat(cache.get(key("boot-1", "7.2.22"))).isEmpty();
    cache.put(key("boot-1", "7.2.22"), TCG);
    assertThat(cache.get(key("boot-1", "7.2.22"))).contains(TCG);
    assertThat(cache.get(key("boot-2", "7.2.22"))).as("after a reboot").isEmpty();
    assertThat(cache.get(key("boot-1", "10.0.2"))).as("after a QEMU upgrade").isEmpty();
  }

  @Test
  void aDamagedFileIsAMissNotAnError() throws Exception {
    Path file = dir.resolve("accelerator.json");
    AcceleratorCache cache = new AcceleratorCache(file, () -> "boot-1");
    cache.put(key("boot-1", "7.2.22"), TCG);
    Files.writeString(file, "garbage");
    assertThat(cache.get(key("boot-1", "7.2.22"))).isEmpty();
  }

  @Test
  void theKeyNamesThisBootAndTheRealBinary() {
    QemuBinary qemu = QemuBinary.probe(QemuBinary.DEFAULT_PATH);
    AcceleratorCache cache = new AcceleratorCache(dir.resolve("a.json"));
    AcceleratorCache.Key k = cache.keyFor(qemu, Optional.empty());
    assertThat(k.bootId()).matches("[0-9a-f-]{36}");
    assertThat(k.qemuVersion()).isEqualTo(qemu.version());
    assertThat(k.qemuSize()).isPositive();
    assertThat(cache.keyFor(qemu, Optional.empty())).isEqualTo(k);
  }
}
