package dev.ferry.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.common.ByteSize;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Against the real qemu-img, on images in a temporary directory. */
@Timeout(60)
class QemuImgTest {
  @TempDir Path dir;

  @Test
  void aCreatedQcow2IsThinAndHasTheVirtualSizeAskedFor() {
    Path image = dir.resolve("disk.qcow2");

    QemuImg.create(image, DiskFormat.QCOW2, ByteSize.ofGiB(2));
    QemuImg.Info info = QemuImg.info(image, DiskFormat.QCOW2);

    assertThat(info.format()).isEqualTo(DiskFormat.QCOW2);
    assertThat(info.virtualSize()).isEqualTo(ByteSize.ofGiB(2));
    assertThat(info.allocated()).as("allocated %s", info.allocated()).isLessThan(ByteSize.ofMiB(2));
  }

  @Test
  void aCreatedRawImageIsSparse() {
    Path image = dir.resolve("disk.raw");

    QemuImg.create(image, DiskFormat.RAW, ByteSize.ofMiB(256));
    QemuImg.Info info = QemuImg.info(image, DiskFormat.RAW);

    assertThat(info.virtualSize()).isEqualTo(ByteSize.ofMiB(256));
    assertThat(info.allocated()).as("allocated %s", info.allocated()).isLessThan(ByteSize.ofMiB(1));
  }

  @Test
  void theFormatIsNeverProbed() throws IOException {
    // A raw image whose first bytes are a qcow2 header: probing would call it qcow2.
    Path raw = dir.resolve("tricky.raw");
    Path qcow2 = dir.resolve("header.qcow2");
    QemuImg.create(qcow2, DiskFormat.QCOW2, ByteSize.ofMiB(64));
    byte[] header = new byte[512];
    try (RandomAccessFile f = new RandomAccessFile(qcow2.toFile(), "r")) {
      f.readFully(header);
    }
    QemuImg.create(raw, DiskFormat.RAW, ByteSize.ofMiB(8));
    try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
      f.write(header);
    }

    QemuImg.Info info = QemuImg.info(raw, DiskFormat.RAW);

    assertThat(info.format()).isEqualTo(DiskFormat.RAW);
    assertThat(info.virtualSize()).as("the raw file's own size").isEqualTo(ByteSize.ofMiB(8));
  }

  @Test
  void aRawImageIsNotReadAsQcow2() {
    Path raw = dir.resolve("plain.raw");
    QemuImg.create(raw, DiskFormat.RAW, ByteSize.ofMiB(8));

    assertThatThrownBy(() -> QemuImg.info(raw, DiskFormat.QCOW2))
        .isInstanceOf(QemuException.class)
        .hasMessageContaining("qemu-img info")
        .hasMessageContaining("-f qcow2")
        .hasMessageContaining("exited 1");
  }

  @Test
  void aCreateThatQemuImgRefusesFailsNamingTheCommand() {
    assertThatThrownBy(
            () ->
                QemuImg.create(
                    dir.resolve("no/such/dir/x.qcow2"), DiskFormat.QCOW2, ByteSize.ofMiB(1)))
        .isInstanceOf(QemuException.class)
        .hasMessageContaining("qemu-img create");
  }

  @Test
  void aMissingImageNamesTheFileInTheError() {
    Path missing = dir.resolve("missing.qcow2");

    assertThatThrownBy(() -> QemuImg.info(missing, DiskFormat.QCOW2))
        .isInstanceOf(QemuException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void mapCountsOnlyTheWrittenData() throws IOException {
    // Made by hand: qemu-img create allocates the first block of a raw image.
    Path raw = dir.resolve("data.raw");
    byte[] ones = new byte[1 << 20];
    java.util.Arrays.fill(ones, (byte) 1);
    try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
      f.setLength(16 << 20);
      f.seek(4 << 20);
      f.write(ones);
      f.getFD().sync();
    }

    List<QemuImg.Extent> extents = QemuImg.map(raw, DiskFormat.RAW);

    assertThat(QemuImg.dataIn(extents)).isEqualTo(ByteSize.ofMiB(1));
    assertThat(extents.stream().map(QemuImg.Extent::length).reduce(ByteSize.ZERO, ByteSize::plus))
        .as("the extents cover the image")
        .isEqualTo(ByteSize.ofMiB(16));
  }

  @Test
  void theCopyMarginIsAddedOnce() {
    assertThat(QemuImg.roomFor(ByteSize.ofMiB(100))).isEqualTo(ByteSize.ofMiB(164));
    assertThat(QemuImg.COPY_MARGIN.toString()).isEqualTo("64 MiB");
  }

  @Test
  void extentsThatAreNotAListAreRefused() {
    assertThatThrownBy(() -> QemuImg.extents("{\"error\":1}", Path.of("x.qcow2")))
        .isInstanceOf(QemuException.class)
        .hasMessageContaining("not a list of extents");
  }
}
