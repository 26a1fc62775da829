package dev.ferry.bench.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A table of text cells, rendered either as aligned plain text (for the terminal) or as a markdown
 * table (for the report file). Numbers are right-aligned, words left-aligned.
 */
public final class Table {
  /** How a column's cells line up. */
  public enum Align {
    LEFT,
    RIGHT
  }

  /** A column: its header and alignment. */
  public record Column(String header, Align align) {
    public Column {
      Objects.requireNonNull(header, "header");
      Objects.requireNonNull(align, "align");
    }

    public static Column left(String header) {
      return new Column(header, Align.LEFT);
    }

    public static Column right(String header) {
      return new Column(header, Align.RIGHT);
    }
  }

  private static final String GAP = "  ";

  private final List<Column> columns;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(List<Column> columns) {
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("a table needs at least one column");
    }
    this.columns = List.copyOf(columns);
  }

  /**
   * Adds a row.
   *
   * @throws IllegalArgumentException if it has another number of cells than there are columns
   */
  public Table add(List<String> cells) {
    if (cells.size() != columns.size()) {
      throw new IllegalArgumentException(
          "row has " + cells.size() + " cells, the table " + columns.size() + " columns");
    }
    rows.add(List.copyOf(cells));
    return this;
  }

  public List<List<String>> rows() {
    return Collections.unmodifiableList(rows);
  }

  /** Plain text: a header line, a rule, the rows; columns two spaces apart, no trailing blanks. */
  public String toText() {
    int[] width = new int[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      width[c] = columns.get(c).header().length();
      for (List<String> row : rows) {
        width[c] = Math.max(width[c], row.get(c).length());
      }
    }
    StringBuilder b = new StringBuilder();
    line(b, columns.stream().map(Column::header).toList(), width);
    List<String> rule = new ArrayList<>();
    for (int w : width) {
      rule.add("-".repeat(w));
    }
    line(b, rule, width);
    rows.forEach(r -> line(b, r, width));
    return b.toString();
  }

  /** A markdown (GFM) table; pipes inside cells are escaped. */
  public String toMarkdown() {
    StringBuilder b = new StringBuilder();
    b.append('|');
    columns.forEach(c -> b.append(' ').append(cell(c.header())).append(" |"));
    b.append('\n').append('|');
    columns.forEach(c -> b.append(c.align() == Align.RIGHT ? "---:|" : "---|"));
    b.append('\n');
    for (List<String> row : rows) {
      b.append('|');
      row.forEach(v -> b.append(' ').append(cell(v)).append(" |"));
      b.append('\n');
    }
    return b.toString();
  }

  private void line(StringBuilder b, List<String> cells, int[] width) {
    StringBuilder l = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      if (c > 0) {
        l.append(GAP);
      }
      String v = cells.get(c);
      String pad = " ".repeat(width[c] - v.length());
      l.append(columns.get(c).align() == Align.RIGHT ? pad + v : v + pad);
    }
    b.append(l.toString().stripTrailing()).append('\n');
  }

  private static String cell(String v) {
    return v.replace("|", "\\|").replace("\n", " ");
  }
}
