package dev.ferry.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Parses a comma-separated choice among known items ({@code --scenarios a,c}, {@code --peers}). */
final class Selection {
  static final String ALL = "all";

  private Selection() {}

  /**
   * The items of {@code known} named in {@code text}, in the order given; {@code all} for every
   * one. Names are matched case-insensitively; blanks around commas are ignored.
   *
   * @param what the kind of item, for messages ("scenario")
   * @throws IllegalArgumentException for an empty list, an unknown name or a repeated one
   */
  static <T> List<T> parse(String text, String what, List<T> known, Function<T, String> name) {
    String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    if (t.equals(ALL)) {
      return List.copyOf(known);
    }
    String names = known.stream().map(name).collect(Collectors.joining(", "));
    List<T> chosen = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String part : t.split(",", -1)) {
      String n = part.strip();
      if (n.isEmpty()) {
        throw new IllegalArgumentException(
            "empty " + what + " name in '" + text + "'; known: " + names + " (or " + ALL + ")");
      }
      if (!seen.add(n)) {
        throw new IllegalArgumentException(what + " '" + n + "' is named twice in '" + text + "'");
      }
      chosen.add(
          known.stream()
              .filter(k -> name.apply(k).equalsIgnoreCase(n))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "unknown " + what + " '" + n + "'; known: " + names + " (or all)")));
    }
    return List.copyOf(chosen);
  }
}
