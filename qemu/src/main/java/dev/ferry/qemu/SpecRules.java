package dev.ferry.qemu;

import dev.ferry.common.Excerpt;
import java.util.regex.Pattern;

/**
 * What the words of a {@link VmSpec} may look like. A spec also arrives from peers (an incoming
 * migration) and from files, and its words end up on QEMU's command line, where a comma starts a
 * new option ({@code net0,vhost=on}): so the records refuse anything outside these forms when they
 * are built, whoever builds them.
 */
final class SpecRules {
  /** VM names: also used in URLs and file names. */
  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

  /** Device ids and node-name stems ({@code disk0}, {@code net1}). */
  static final Pattern DEVICE_ID = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

  /** Linux interface names: up to 15 bytes, no '/', no blanks, no dot-only names. */
  static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}");

  /** Machine types and CPU models as QEMU lists them ({@code pc-i440fx-7.2}, {@code qemu64}). */
  static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Linux's x86 COMMAND_LINE_SIZE. */
  static final int MAX_CMDLINE = 2048;

  static final int MAX_VCPUS = 256;

  private SpecRules() {}

  static String require(Pattern p, String value, String what, String form) {
    if (value == null || !p.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " '" + shown(value) + "' is invalid: use " + form);
    }
    return value;
  }

  static String shown(String s) {
    return Excerpt.of(s, 60);
  }
}
