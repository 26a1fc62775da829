package dev.ferry.manager.balance;

/** Argument checks shared by the records of this package, so their messages read alike. */
final class Checks {

  private Checks() {}

  /** Returns {@code value}, or throws naming {@code what} when it is null or blank. */
  static String name(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
    return value;
  }
}
