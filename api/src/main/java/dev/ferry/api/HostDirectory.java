package dev.ferry.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ferry.common.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * Agents on this machine by name, as a local testbed publishes them in {@code
 * <root>/<testbed>/hosts.json}: lets {@code ferry vm list -H host-a} reach a host without knowing
 * its socket, and {@code --to host-b} find the destination's URL. The lab's testbed writes it once
 * its agents are ready (its removal deletes it); the {@code ferry} command only reads it, so the
 * product never depends on the lab.
 *
 * @param version format version, {@value #VERSION}
 * @param testbed the testbed's name
 * @param hosts its hosts in order
 */
public record HostDirectory(int version, String testbed, List<Entry> hosts) {
  public static final int VERSION = 1;

  /** Where testbeds publish their directories unless told otherwise. */
  public static final Path DEFAULT_ROOT = Path.of("/run/ferry/testbed");

  public static final String FILE = "hosts.json";

  public HostDirectory {
    hosts = List.copyOf(hosts);
  }

  /**
   * One host.
   *
   * @param name its name (e.g. {@code host-a})
   * @param agentUrl the agent's URL as other hosts reach it
   * @param agentSocket the agent's unix socket, reachable from this machine's root namespace
   */
  public record Entry(String name, String agentUrl, String agentSocket) {}

  /** The host called {@code name}. */
  public Optional<Entry> host(String name) {
    return hosts.stream().filter(h -> h.name().equals(name)).findFirst();
  }

  /** Writes this directory under {@code root} atomically (temporary file, then a rename). */
  public void write(Path root) {
    Path file = root.resolve(testbed).resolve(FILE);
    Path tmp = file.resolveSibling(FILE + ".tmp");
    try {
      Files.write(tmp, Json.strict().writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * The directory of testbed {@code testbed} under {@code root}.
   *
   * @throws IllegalArgumentException if there is none (no such testbed, or not ready) or it is not
   *     one this build reads
   */
  public static HostDirectory read(Path root, String testbed) {
    Path file = root.resolve(testbed).resolve(FILE);
    try {
      HostDirectory d = Json.lenient().readValue(Files.readString(file), HostDirectory.class);
      if (d.version() != VERSION) {
        throw new IllegalArgumentException(
            file + " has version " + d.version() + "; this build reads version " + VERSION);
      }
      return d;
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(
          "no testbed '"
              + testbed
              + "' is up (no "
              + file
              + "; start one with ferry-lab testbed up)",
          e);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not valid: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
