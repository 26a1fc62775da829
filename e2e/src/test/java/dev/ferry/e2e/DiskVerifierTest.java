package dev.ferry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk verifier can fail: the real {@code ferry-diskwrite} fills a ring of checksummed blocks
 * on an image file, then the image is damaged and {@code ferry-diskverify} must name the block.
 */
@Timeout(60)
class DiskVerifierTest {
  private static final int BLOCK = 4096;
  private static final int BLOCKS = 64;
  private static final int WRITES = 100;

  @TempDir Path dir;
  private Path image;
  private Path ack;
  private GuestImage guest;

  @BeforeEach
  void writeRing() throws Exception {
    guest = GuestImage.locate();
    image = dir.resolve("disk.raw");
    ack = dir.resolve("ack");
    Files.write(image, new byte[BLOCK * BLOCKS]);
    Result w =
        run(
            guest.tool("ferry-diskwrite").toString(),
            image.toString(),
            "--blocks",
            Integer.toString(BLOCKS),
            "--ack-file",
            ack.toString(),
            "--count",
            Integer.toString(WRITES));
    assertThat(w.exit).as("diskwrite: %s", w.output).isZero();
  }

  private Result verify() throws Exception {
    return run(
        guest.tool("ferry-diskverify").toString(), image.toString(), "--ack-file", ack.toString());
  }

  @Test
  void intactRingVerifies() throws Exception {
    Result v = verify();
    assertThat(v.exit).as(v.output).isZero();
    assertThat(v.output).contains("\"ok\":true").contains("\"acked\":" + WRITES);
  }

  @Test
  void flippedByteIsReportedAsCorrupt() throws Exception {
    int block = (WRITES - 3) % BLOCKS;
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      long at = (long) block * BLOCK + BLOCK - 10;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0xff);
    }
    Result v = verify();
    assertThat(v.exit).as(v.output).isEqualTo(1);
    assertThat(v.output)
        .contains("\"ok\":false")
        .contains("corrupt")
        .contains(Integer.toString(block));
  }

  @Test
  void zeroedBlockIsReportedAsMissing() throws Exception {
    int block = (WRITES - 7) % BLOCKS;
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      f.seek((long) block * BLOCK);
      f.write(new byte[BLOCK]);
    }
    Result v = verify();
    assertThat(v.exit).as(v.output).isEqualTo(1);
    assertThat(v.output)
        .contains("\"ok\":false")
        .contains("missing")
        .contains(Integer.toString(WRITES - 7));
  }

  private record Result(int exit, String output) {}

  private static Result run(String... cmd) throws IOException, InterruptedException {
    List<String> c = new ArrayList<>(List.of(cmd));
    Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s finished", c).isTrue();
    return new Result(p.exitValue(), out);
  }
}
