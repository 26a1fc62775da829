package dev.ferry.lab.command;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ferry.common.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Prints results: JSON for scripts, aligned text for people. */
public final class Output {
  private final PrintWriter out;
  private final boolean json;

  public Output(PrintWriter out, boolean json) {
    this.out = out;
    this.json = json;
  }

  public boolean json() {
    return json;
  }

  public void json(Object value) {
    try {
      out.println(Json.strict().writerWithDefaultPrettyPrinter().writeValueAsString(value));
      out.flush();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode output: " + e.getMessage(), e);
    }
  }

  public void line(String format, Object... args) {
    out.println(args.length == 0 ? format : String.format(format, args));
    out.flush();
  }

  /** A table with a header row; columns padded to their widest cell. */
  public void table(List<String> header, List<List<String>> rows) {
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    int[] widths = new int[header.size()];
    for (List<String> row : all) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (List<String> row : all) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        String cell = row.get(i);
        b.append(cell);
        if (i < row.size() - 1) {
          b.append(" ".repeat(widths[i] - cell.length() + 2));
        }
      }
      out.println(b.toString().stripTrailing());
    }
    out.flush();
  }

  /** "key: value" lines with aligned values. */
  public void fields(List<String[]> pairs) {
    int width = pairs.stream().mapToInt(p -> p[0].length()).max().orElse(0);
    for (String[] p : pairs) {
      out.println(p[0] + ":" + " ".repeat(width - p[0].length() + 1) + p[1]);
    }
    out.flush();
  }
}
