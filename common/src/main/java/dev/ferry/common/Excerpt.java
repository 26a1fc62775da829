package dev.ferry.common;

/**
 * Text from a request or a peer, fit to quote in an error or a log line: control characters shown
 * as {@code ?}, and cut after a limit so a hostile value cannot run on for pages.
 */
public final class Excerpt {
  private Excerpt() {}

  /** {@code text} with control characters as {@code ?}, cut to {@code max} characters + "...". */
  public static String of(String text, int max) {
    if (text == null) {
      return "null";
    }
    String printable = text.replaceAll("\\p{Cntrl}", "?");
    return printable.length() <= max ? printable : printable.substring(0, max) + "...";
  }
}
