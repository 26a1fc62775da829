package dev.ferry.agent.storage;

import dev.ferry.agent.AgentException;
import dev.ferry.qemu.DiskFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The directories where this agent allows VM images and boot files to live. Every path a request
 * names is resolved (symlinks included) and must stay inside one root, so a request can never make
 * QEMU open an arbitrary host file.
 */
public final class StorageRoots {
  private static final byte[] QCOW2_MAGIC = {'Q', 'F', 'I', (byte) 0xfb};

  private final List<Path> roots;
  private final List<Path> configured;

  public StorageRoots(List<Path> roots) {
    if (roots.isEmpty()) {
      throw new IllegalArgumentException("at least one storage root is needed");
    }
    this.configured = roots.stream().map(r -> r.toAbsolutePath().normalize()).toList();
    this.roots =
        roots.stream()
            .map(
                r -> {
                  try {
                    Files.createDirectories(r);
                    return r.toRealPath();
                  } catch (IOException e) {
                    throw new IllegalArgumentException(
                        "storage root " + r + " is unusable: " + e.getMessage(), e);
                  }
                })
            .toList();
  }

  public List<Path> roots() {
    return roots;
  }

  /** Whether {@code path} (normalised, not resolved) lies inside a root. */
  public boolean contains(Path path) {
    Path normal = path.toAbsolutePath().normalize();
    return roots.stream().anyMatch(normal::startsWith)
        || configured.stream().anyMatch(normal::startsWith);
  }

  /**
   * Checks that {@code text} names an existing regular file inside a root.
   *
   * @param what how to name the file in an error, e.g. "disk image"
   * @return the resolved real path
   */
  public Path confine(String text, String what) {
    if (text == null || text.isBlank()) {
      throw new AgentException.BadRequest(what + " path is empty");
    }
    Path p = Path.of(text);
    if (!p.isAbsolute()) {
      throw new AgentException.BadRequest(what + " path '" + text + "' is not absolute");
    }
    Path normal = p.normalize();
    if (roots.stream().noneMatch(normal::startsWith)
        && configured.stream().noneMatch(normal::startsWith)) {
      throw outside(text, what);
    }
    if (!Files.exists(normal, LinkOption.NOFOLLOW_LINKS) && !Files.exists(normal)) {
      throw new AgentException.BadRequest(what + " '" + text + "' does not exist");
    }
    Path real;
    try {
      real = normal.toRealPath();
    } catch (IOException e) {
      throw new AgentException.BadRequest(what + " '" + text + "' is unreadable: " + e);
    }
    if (roots.stream().noneMatch(real::startsWith)) {
      throw outside(text, what);
    }
    if (!Files.isRegularFile(real)) {
      throw new AgentException.BadRequest(what + " '" + text + "' is not a regular file");
    }
    return real;
  }

  /** Checks that {@code text} names an existing directory inside a root; returns its real path. */
  public Path confineDirectory(String text, String what) {
    if (text == null || text.isBlank()) {
      throw new AgentException.BadRequest(what + " is empty");
    }
    Path p = Path.of(text);
    if (!p.isAbsolute()) {
      throw new AgentException.BadRequest(what + " '" + text + "' is not absolute");
    }
    if (!Files.isDirectory(p)) {
      throw new AgentException.BadRequest(what + " '" + text + "' is not a directory");
    }
    Path real;
    try {
      real = p.toRealPath();
    } catch (IOException e) {
      throw new AgentException.BadRequest(what + " '" + text + "' is unreadable: " + e);
    }
    if (roots.stream().noneMatch(real::startsWith)) {
      throw outside(text, what);
    }
    return real;
  }

  private AgentException outside(String text, String what) {
    return new AgentException.BadRequest(
        what + " '" + text + "' is outside this agent's storage roots " + roots);
  }

  /** The image format by content: qcow2 by its magic, anything else raw. */
  public static DiskFormat detectFormat(Path image) {
    try (InputStream in = Files.newInputStream(image)) {
      byte[] head = in.readNBytes(4);
      return Arrays.equals(head, QCOW2_MAGIC) ? DiskFormat.QCOW2 : DiskFormat.RAW;
    } catch (IOException e) {
      throw new AgentException.BadRequest("cannot read disk image " + image + ": " + e);
    }
  }
}
