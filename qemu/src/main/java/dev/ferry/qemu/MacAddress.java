package dev.ferry.qemu;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/** A unicast Ethernet address in canonical lower-case colon form. */
public record MacAddress(String value) {
  private static final Pattern FORM = Pattern.compile("([0-9a-f]{2}:){5}[0-9a-f]{2}");

  public MacAddress {
    value = value.toLowerCase(Locale.ROOT);
    if (!FORM.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "not a MAC address: '" + value + "' (expected xx:xx:xx:xx:xx:xx)");
    }
    int first = Integer.parseInt(value.substring(0, 2), 16);
    if ((first & 1) != 0) {
      throw new IllegalArgumentException("MAC address " + value + " is multicast");
    }
    if (value.equals("00:00:00:00:00:00")) {
      throw new IllegalArgumentException("MAC address " + value + " is all zeros");
    }
  }

  @JsonCreator
  public static MacAddress parse(String value) {
    return new MacAddress(value);
  }

  /**
   * A stable locally administered address in QEMU's 52:54:00 range, derived from the VM's UUID and
   * the NIC index, so re-creating the same VM gives the same MAC.
   */
  public static MacAddress derive(UUID vm, int index) {
    long bits = vm.getLeastSignificantBits() ^ vm.getMostSignificantBits() ^ (index * 0x9E3779B9L);
    byte[] tail = {(byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    return new MacAddress("52:54:00:" + HexFormat.ofDelimiter(":").formatHex(tail));
  }

  @JsonValue
  @Override
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
