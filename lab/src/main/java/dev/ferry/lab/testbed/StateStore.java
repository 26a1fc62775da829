package dev.ferry.lab.testbed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.common.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/** Reads and atomically replaces a testbed's state file. */
final class StateStore {
  /** A state file is a few kilobytes; anything far larger is not ours. */
  private static final long MAX_BYTES = 1 << 20;

  private StateStore() {}

  /** Writes {@code state} to {@code file} through a temporary file and a rename. */
  static void write(Path file, TestbedState state) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.write(tmp, Json.strict().writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write testbed state " + file, e);
    }
  }

  /** The state in {@code file}, or empty if there is none. */
  static Optional<TestbedState> read(Path file) {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new IllegalStateException(
            "testbed state " + file + " is larger than " + MAX_BYTES + " bytes");
      }
      return Optional.of(parse(Files.readString(file), file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read testbed state " + file, e);
    }
  }

  static TestbedState parse(String json, Path from) {
    try {
      JsonNode tree = Json.strict().readTree(json);
      int version = tree.path("version").asInt(-1);
      if (version != TestbedState.VERSION) {
        throw new IllegalStateException(
            "testbed state "
                + from
                + " has version "
                + tree.path("version")
                + "; this build reads version "
                + TestbedState.VERSION);
      }
      return Json.strict().treeToValue(tree, TestbedState.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "testbed state " + from + " is not valid: " + e.getOriginalMessage(), e);
    }
  }
}
