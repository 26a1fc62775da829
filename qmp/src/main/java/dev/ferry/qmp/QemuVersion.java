package dev.ferry.qmp;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * A QEMU version, from the greeting or {@code query-version}.
 *
 * @param packageName the distribution's package version, e.g. {@code Debian 1:7.2+dfsg-7}, or empty
 */
public record QemuVersion(int major, int minor, int micro, String packageName)
    implements Comparable<QemuVersion> {

  public QemuVersion {
    if (major < 0 || minor < 0 || micro < 0) {
      throw new IllegalArgumentException(
          "version numbers must not be negative: " + major + "." + minor + "." + micro);
    }
    Objects.requireNonNull(packageName, "packageName");
  }

  /** Decodes QEMU's {@code {"qemu": {"major":..}, "package": ".."}} shape. */
  @JsonCreator
  static QemuVersion fromWire(
      @JsonProperty(value = "qemu", required = true) Triple qemu,
      @JsonProperty("package") String packageName) {
    return new QemuVersion(
        qemu.major(), qemu.minor(), qemu.micro(), packageName == null ? "" : packageName);
  }

  /** True when this version is {@code major.minor} or newer. */
  public boolean isAtLeast(int major, int minor) {
    return this.major > major || (this.major == major && this.minor >= minor);
  }

  @Override
  public int compareTo(QemuVersion other) {
    int byMajor = Integer.compare(major, other.major);
    if (byMajor != 0) {
      return byMajor;
    }
    int byMinor = Integer.compare(minor, other.minor);
    return byMinor != 0 ? byMinor : Integer.compare(micro, other.micro);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + micro;
  }

  record Triple(
      @JsonProperty(required = true) int major,
      @JsonProperty(required = true) int minor,
      @JsonProperty(required = true) int micro) {}
}
