package dev.ferry.bench;

import dev.ferry.common.ByteSize;
import dev.ferry.lab.testbed.ExecResult;
import dev.ferry.qemu.DiskFormat;
import dev.ferry.qemu.QemuException;
import dev.ferry.qemu.QemuImg;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The data disks of scenarios that have one: one qcow2 image per scenario, prepared once per
 * benchmark (created thin, then its data written with {@code qemu-io}), and for every run a thin
 * copy of it on the source host's local storage, so that every run starts from the same disk
 * without waiting for the data to be written again.
 *
 * <p>Used from the benchmark's main thread only.
 */
public final class DataDisks {
  /** Data is written in pieces of this size, each with its own non-zero byte. */
  static final ByteSize CHUNK = ByteSize.ofMiB(64);

  private static final Duration PREPARE_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration COPY_TIMEOUT = Duration.ofMinutes(2);

  private final Path dir;
  private final Map<Scenario.DiskLoad, Template> templates = new HashMap<>();

  /**
   * @param dir where the prepared images are kept (removed with the benchmark's data)
   */
  public DataDisks(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  /**
   * A prepared image and how much data it holds, as {@code qemu-img map} reports it.
   *
   * @param image the qcow2 file
   * @param data the bytes of its allocated, non-zero extents
   */
  public record Template(Path image, ByteSize data) {}

  /**
   * The prepared image of {@code load}, made on first use.
   *
   * @throws BenchException if {@code qemu-img} or {@code qemu-io} fails
   */
  public Template template(String name, Scenario.DiskLoad load) {
    Template t = templates.get(load);
    if (t != null) {
      return t;
    }
    Path image = dir.resolve(name + ".qcow2");
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(image);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String create = "create the data disk " + image;
    qemuImg(create, () -> QemuImg.create(image, DiskFormat.QCOW2, load.size()));
    List<String> fill = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
    fill.addAll(fillCommands(load.data()));
    fill.add(image.toString());
    run("write the data of " + image, fill, PREPARE_TIMEOUT);
    List<QemuImg.Extent> map = new ArrayList<>();
    qemuImg("map " + image, () -> map.addAll(QemuImg.map(image, DiskFormat.QCOW2)));
    t = new Template(image, QemuImg.dataIn(map));
    templates.put(load, t);
    return t;
  }

  /**
   * Copies {@code template} to {@code target} thin: unallocated parts stay holes, and where the
   * file system can share extents ({@code --reflink=auto}) nothing is copied at all.
   */
  public static void copy(Template template, Path target) {
    run(
        "copy the data disk to " + target,
        List.of(
            "cp",
            "--sparse=always",
            "--reflink=auto",
            template.image().toString(),
            target.toString()),
        COPY_TIMEOUT);
  }

  /** Creates an empty (thin) qcow2 image of {@code size} at {@code target}. */
  public static void createEmpty(Path target, ByteSize size) {
    qemuImg("create " + target, () -> QemuImg.create(target, DiskFormat.QCOW2, size));
  }

  /**
   * {@code qemu-io} commands that write {@code data} from offset 0 in {@link #CHUNK} pieces, each
   * with its own non-zero byte pattern ({@code -P}).
   */
  static List<String> fillCommands(ByteSize data) {
    List<String> c = new ArrayList<>();
    long chunk = CHUNK.bytes();
    int i = 0;
    for (long offset = 0; offset < data.bytes(); offset += chunk, i++) {
      long length = Math.min(chunk, data.bytes() - offset);
      int pattern = 0x11 + (i % 0xee);
      c.add("-c");
      c.add(String.format(Locale.ROOT, "write -q -P 0x%02x %d %d", pattern, offset, length));
    }
    return c;
  }

  /** The bytes of the extents {@code qemu-img map --output=json} reports as data and not zero. */
  static ByteSize dataIn(String mapJson) {
    List<QemuImg.Extent> extents = new ArrayList<>();
    qemuImg(
        "read qemu-img map", () -> extents.addAll(QemuImg.extents(mapJson, Path.of("template"))));
    return QemuImg.dataIn(extents);
  }

  /** Deletes {@code image} if it exists; a file already gone is fine. */
  public static void delete(Path image) {
    try {
      Files.deleteIfExists(image);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + image, e);
    }
  }

  private static void qemuImg(String step, Runnable operation) {
    try {
      operation.run();
    } catch (QemuException e) {
      throw new BenchException(step, e.getMessage(), e);
    }
  }

  private static ExecResult run(String step, List<String> command, Duration timeout) {
    ExecResult r = Commands.run(command, timeout);
    if (!r.ok()) {
      throw new BenchException(
          step, (r.timedOut() ? "timed out" : "exit " + r.exitCode()) + ": " + r.stderr().strip());
    }
    return r;
  }
}
