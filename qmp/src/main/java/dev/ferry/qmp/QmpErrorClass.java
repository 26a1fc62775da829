package dev.ferry.qmp;

/** The {@code class} of a QMP error reply. QEMU has used this fixed set for many releases. */
public enum QmpErrorClass {
  GENERIC_ERROR("GenericError"),
  COMMAND_NOT_FOUND("CommandNotFound"),
  DEVICE_NOT_ACTIVE("DeviceNotActive"),
  DEVICE_NOT_FOUND("DeviceNotFound"),
  KVM_MISSING_CAP("KVMMissingCap"),
  /** A class this client does not know; see {@link QmpException.CommandFailed#errorClassName()}. */
  OTHER("");

  private final String wireName;

  QmpErrorClass(String wireName) {
    this.wireName = wireName;
  }

  static QmpErrorClass fromWireName(String name) {
    for (QmpErrorClass value : values()) {
      if (value != OTHER && value.wireName.equals(name)) {
        return value;
      }
    }
    return OTHER;
  }
}
