package dev.ferry.qmp;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.ferry.common.ByteSize;
import java.util.Objects;
import java.util.Optional;

/**
 * A block node from {@code query-named-block-nodes}, reduced to what migration needs (QEMU reports
 * much more: throttling, cache mode, bitmaps...).
 *
 * @param driver e.g. {@code qcow2}, {@code file}, {@code nbd}
 * @param file the file name or a {@code json:} description of the node
 */
public record BlockNodeInfo(
    @JsonProperty("node-name") Optional<String> nodeName,
    @JsonProperty("drv") String driver,
    @JsonProperty("ro") boolean readOnly,
    String file,
    Image image) {

  public BlockNodeInfo {
    nodeName = nodeName == null ? Optional.empty() : nodeName;
    Objects.requireNonNull(driver, "driver");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(image, "image");
  }

  /**
   * @param virtualSize the size the guest sees
   * @param actualSize the space taken on the host, when QEMU knows it
   */
  public record Image(
      String filename, String format, ByteSize virtualSize, Optional<ByteSize> actualSize) {
    public Image {
      Objects.requireNonNull(filename, "filename");
      Objects.requireNonNull(format, "format");
      Objects.requireNonNull(virtualSize, "virtualSize");
      actualSize = actualSize == null ? Optional.empty() : actualSize;
    }
  }
}
