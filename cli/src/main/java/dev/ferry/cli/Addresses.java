package dev.ferry.cli;

import java.net.InetSocketAddress;

/** Parses {@code ADDR:PORT} options. */
final class Addresses {
  private Addresses() {}

  static InetSocketAddress parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("--listen '" + text + "' is not ADDR:PORT");
    }
    try {
      return new InetSocketAddress(
          text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--listen '" + text + "' has no numeric port");
    }
  }
}
