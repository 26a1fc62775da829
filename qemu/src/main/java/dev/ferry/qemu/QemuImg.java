package dev.ferry.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.common.ByteSize;
import dev.ferry.common.Json;
import dev.ferry.common.process.ProcessOutcome;
import dev.ferry.common.process.ProcessRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * The image operations Ferry needs from {@code qemu-img}, with typed results. The format is always
 * passed ({@code -f}): qemu-img never probes it, since a raw image whose guest wrote a qcow2 header
 * would otherwise be read as qcow2 (the reason QEMU itself warns about probing).
 *
 * <p>Stateless and thread-safe; each call runs {@code qemu-img} to completion on the caller's
 * thread through {@link ProcessRunner}, with a timeout.
 */
public final class QemuImg {
  /**
   * Room a copy needs beyond its allocated bytes, for qcow2 metadata and the file system. Checked
   * whenever Ferry decides whether a disk copy fits: at preflight, on the destination and for a
   * local disk move.
   */
  public static final ByteSize COPY_MARGIN = ByteSize.ofMiB(64);

  private static final String QEMU_IMG = "qemu-img";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private QemuImg() {}

  /**
   * What {@code qemu-img info} says about an image.
   *
   * @param format the format it was opened as (the one asked for)
   * @param virtualSize the size the guest sees
   * @param allocated the bytes it occupies in the host file system
   */
  public record Info(
      DiskFormat format,
      ByteSize virtualSize,
      ByteSize allocated,
      java.util.Optional<String> backingFile) {}

  /**
   * One extent of {@code qemu-img map}.
   *
   * @param start where it begins in the guest's view
   * @param length how long it is
   * @param data whether it is allocated (not a hole)
   * @param zero whether it reads as zeroes
   */
  public record Extent(ByteSize start, ByteSize length, boolean data, boolean zero) {}

  /** The free space a copy of an image with {@code allocated} bytes needs: plus the margin. */
  public static ByteSize roomFor(ByteSize allocated) {
    return allocated.plus(COPY_MARGIN);
  }

  /**
   * Creates an empty thin image (no preallocation).
   *
   * @throws QemuException when qemu-img refuses, for instance because the file exists
   */
  public static void create(Path image, DiskFormat format, ByteSize virtualSize) {
    run(
        List.of(
            QEMU_IMG,
            "create",
            "-q",
            "-f",
            format.qemuName(),
            image.toString(),
            Long.toString(virtualSize.bytes())));
  }

  /**
   * The virtual and allocated size of an image. Opens it with a shared lock ({@code -U}), so the
   * image of a running VM can be read.
   *
   * @throws QemuException when the image is missing, not of {@code format}, or unreadable
   */
  public static Info info(Path image, DiskFormat format) {
    String json =
        run(
            List.of(
                QEMU_IMG,
                "info",
                "-U",
                "-f",
                format.qemuName(),
                "--output=json",
                image.toString()));
    JsonNode node = parse(json, "info", image);
    return new Info(
        format,
        ByteSize.ofBytes(node.path("virtual-size").asLong()),
        ByteSize.ofBytes(node.path("actual-size").asLong()),
        node.hasNonNull("backing-filename")
            ? java.util.Optional.of(node.get("backing-filename").asText())
            : java.util.Optional.empty());
  }

  /**
   * The image's extents as {@code qemu-img map} reports them.
   *
   * @throws QemuException when the image cannot be read
   */
  public static List<Extent> map(Path image, DiskFormat format) {
    String json =
        run(
            List.of(
                QEMU_IMG, "map", "-U", "-f", format.qemuName(), "--output=json", image.toString()));
    return extents(json, image);
  }

  /** The bytes of {@code extents} that hold data: allocated and not reading as zeroes. */
  public static ByteSize dataIn(List<Extent> extents) {
    long data = 0;
    for (Extent e : extents) {
      if (e.data() && !e.zero()) {
        data += e.length().bytes();
      }
    }
    return ByteSize.ofBytes(data);
  }

  /** Reads {@code qemu-img map --output=json}; public so callers can test their own parsing. */
  public static List<Extent> extents(String mapJson, Path image) {
    JsonNode list = parse(mapJson, "map", image);
    if (!list.isArray()) {
      throw new QemuException(
          "qemu-img map of " + image + " is not a list of extents: " + mapJson.strip());
    }
    List<Extent> extents = new ArrayList<>();
    for (JsonNode e : list) {
      extents.add(
          new Extent(
              ByteSize.ofBytes(e.path("start").asLong(0)),
              ByteSize.ofBytes(e.path("length").asLong(0)),
              e.path("data").asBoolean(false),
              e.path("zero").asBoolean(false)));
    }
    return List.copyOf(extents);
  }

  private static JsonNode parse(String json, String what, Path image) {
    try {
      JsonNode node = Json.lenient().readTree(json);
      if (node == null || node.isMissingNode()) {
        throw new QemuException("qemu-img " + what + " of " + image + " printed nothing");
      }
      return node;
    } catch (IOException e) {
      throw new QemuException(
          "cannot read qemu-img " + what + " of " + image + ": " + e.getMessage(), e);
    }
  }

  private static String run(List<String> command) {
    ProcessOutcome r;
    try {
      r = ProcessRunner.run(TIMEOUT, command);
    } catch (UncheckedIOException e) {
      throw new QemuException(
          "cannot run qemu-img (install the Debian package qemu-utils): " + e.getMessage(), e);
    } catch (CancellationException e) {
      throw new QemuException("interrupted while running `" + String.join(" ", command) + "`", e);
    }
    if (!r.ok()) {
      throw new QemuException(r.describe());
    }
    return r.stdout();
  }
}
