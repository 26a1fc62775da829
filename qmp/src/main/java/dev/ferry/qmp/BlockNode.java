package dev.ferry.qmp;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.common.ByteSize;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A block node for {@code blockdev-add}: its node name, driver and driver options. The records
 * cover the drivers Ferry stacks (a {@link File} under a {@link Qcow2} or {@link Raw} format node,
 * an {@link Nbd} client as mirror target, {@link NullCo} for tests); {@link Other} passes any other
 * driver's options through.
 */
@JsonPropertyOrder({"driver", "node-name"})
public sealed interface BlockNode {

  String nodeName();

  /** The QEMU driver name, sent as {@code driver}. */
  @JsonProperty("driver")
  String driver();

  /** Options every driver takes. */
  NodeOptions options();

  /**
   * Options common to all drivers; empty ones are not sent, leaving QEMU's defaults.
   *
   * @param autoReadOnly open read-only when write access is refused, instead of failing
   */
  record NodeOptions(
      Optional<Boolean> readOnly,
      Optional<Boolean> autoReadOnly,
      Optional<Discard> discard,
      Optional<DetectZeroes> detectZeroes,
      Optional<Cache> cache) {

    public static final NodeOptions DEFAULTS =
        new NodeOptions(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty());

    public NodeOptions {
      Objects.requireNonNull(readOnly, "readOnly");
      Objects.requireNonNull(autoReadOnly, "autoReadOnly");
      Objects.requireNonNull(discard, "discard");
      Objects.requireNonNull(detectZeroes, "detectZeroes");
      Objects.requireNonNull(cache, "cache");
    }

    public NodeOptions withReadOnly(boolean value) {
      return new NodeOptions(Optional.of(value), autoReadOnly, discard, detectZeroes, cache);
    }

    public NodeOptions withDiscard(Discard value) {
      return new NodeOptions(readOnly, autoReadOnly, Optional.of(value), detectZeroes, cache);
    }

    public NodeOptions withDetectZeroes(DetectZeroes value) {
      return new NodeOptions(readOnly, autoReadOnly, discard, Optional.of(value), cache);
    }

    public NodeOptions withCache(Cache value) {
      return new NodeOptions(readOnly, autoReadOnly, discard, detectZeroes, Optional.of(value));
    }
  }

  enum Discard {
    IGNORE,
    UNMAP
  }

  enum DetectZeroes {
    OFF,
    ON,
    UNMAP
  }

  /**
   * @param direct bypass the host page cache (O_DIRECT)
   * @param noFlush ignore guest flushes (unsafe)
   */
  record Cache(boolean direct, boolean noFlush) {}

  /** A host file (or block device path) opened by the {@code file} protocol driver. */
  record File(String nodeName, Path filename, @JsonUnwrapped NodeOptions options)
      implements BlockNode {
    public File {
      QmpIds.requireNodeName(nodeName, "nodeName");
      Objects.requireNonNull(filename, "filename");
      Objects.requireNonNull(options, "options");
    }

    public File(String nodeName, Path filename) {
      this(nodeName, filename, NodeOptions.DEFAULTS);
    }

    @Override
    public String driver() {
      return "file";
    }
  }

  /** The qcow2 format on top of the node named {@code file}. */
  record Qcow2(String nodeName, String file, @JsonUnwrapped NodeOptions options)
      implements BlockNode {
    public Qcow2 {
      QmpIds.requireNodeName(nodeName, "nodeName");
      QmpIds.requireNodeName(file, "file");
      Objects.requireNonNull(options, "options");
    }

    public Qcow2(String nodeName, String file) {
      this(nodeName, file, NodeOptions.DEFAULTS);
    }

    @Override
    public String driver() {
      return "qcow2";
    }

    /**
     * Always {@code null}: QEMU must not open a backing file the image's header names (a header is
     * data that a guest or a peer may have written); Ferry's images stand alone.
     */
    @JsonProperty("backing")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public NullNode backing() {
      return NullNode.getInstance();
    }
  }

  /** The raw format on top of the node named {@code file}. */
  record Raw(String nodeName, String file, @JsonUnwrapped NodeOptions options)
      implements BlockNode {
    public Raw {
      QmpIds.requireNodeName(nodeName, "nodeName");
      QmpIds.requireNodeName(file, "file");
      Objects.requireNonNull(options, "options");
    }

    public Raw(String nodeName, String file) {
      this(nodeName, file, NodeOptions.DEFAULTS);
    }

    @Override
    public String driver() {
      return "raw";
    }
  }

  /**
   * An NBD client: the export {@code export} of the server at {@code server}, e.g. the destination
   * host's disk as a mirror target.
   */
  record Nbd(
      String nodeName,
      SocketAddress server,
      Optional<String> export,
      Optional<String> tlsCreds,
      @JsonUnwrapped NodeOptions options)
      implements BlockNode {
    public Nbd {
      QmpIds.requireNodeName(nodeName, "nodeName");
      Objects.requireNonNull(server, "server");
      Objects.requireNonNull(export, "export");
      Objects.requireNonNull(tlsCreds, "tlsCreds");
      Objects.requireNonNull(options, "options");
    }

    public Nbd(String nodeName, SocketAddress server, String export) {
      this(nodeName, server, Optional.of(export), Optional.empty(), NodeOptions.DEFAULTS);
    }

    @Override
    public String driver() {
      return "nbd";
    }
  }

  /** A node that reads zeros and discards writes, of the given size: for tests and benchmarks. */
  record NullCo(String nodeName, ByteSize size, @JsonUnwrapped NodeOptions options)
      implements BlockNode {
    public NullCo {
      QmpIds.requireNodeName(nodeName, "nodeName");
      Objects.requireNonNull(size, "size");
      Objects.requireNonNull(options, "options");
    }

    public NullCo(String nodeName, ByteSize size) {
      this(nodeName, size, NodeOptions.DEFAULTS);
    }

    @Override
    public String driver() {
      return "null-co";
    }
  }

  /**
   * Any other driver: {@code driverOptions} are sent as they are, next to {@code driver}, {@code
   * node-name} and the common options.
   */
  @JsonSerialize(using = QmpUnits.OtherBlockNodeSerializer.class)
  record Other(String nodeName, String driver, ObjectNode driverOptions, NodeOptions options)
      implements BlockNode {
    public Other {
      QmpIds.requireNodeName(nodeName, "nodeName");
      Objects.requireNonNull(driver, "driver");
      if (driver.isBlank()) {
        throw new IllegalArgumentException("driver must not be blank");
      }
      driverOptions = Objects.requireNonNull(driverOptions, "driverOptions").deepCopy();
      Objects.requireNonNull(options, "options");
      for (String reserved : new String[] {"driver", "node-name"}) {
        if (driverOptions.has(reserved)) {
          throw new IllegalArgumentException(
              "driverOptions must not contain '" + reserved + "'; it has its own component");
        }
      }
    }

    @Override
    public ObjectNode driverOptions() {
      return driverOptions.deepCopy();
    }
  }
}
