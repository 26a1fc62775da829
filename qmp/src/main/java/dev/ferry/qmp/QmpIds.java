package dev.ferry.qmp;

import java.util.Objects;
import java.util.regex.Pattern;

/** Checks for the identifiers QEMU accepts (node names, job and export ids). */
final class QmpIds {

  // QEMU's rule for ids: a letter first, then letters, digits, '-', '.' and '_'.
  private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z][A-Za-z0-9._-]*");
  // Node names live in a 32-byte buffer inside QEMU, terminator included.
  private static final int MAX_NODE_NAME_LENGTH = 31;

  private QmpIds() {}

  static String requireId(String id, String what) {
    Objects.requireNonNull(id, what);
    if (!WELL_FORMED.matcher(id).matches()) {
      throw new IllegalArgumentException(
          what
              + " must start with a letter and contain only letters, digits, '-', '.', '_': '"
              + id
              + "'");
    }
    return id;
  }

  static String requireNodeName(String nodeName, String what) {
    requireId(nodeName, what);
    if (nodeName.length() > MAX_NODE_NAME_LENGTH) {
      throw new IllegalArgumentException(
          what + " is longer than " + MAX_NODE_NAME_LENGTH + " characters: '" + nodeName + "'");
    }
    return nodeName;
  }
}
