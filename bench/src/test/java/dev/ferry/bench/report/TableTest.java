package dev.ferry.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
  private static Table sample() {
    return new Table(List.of(Table.Column.left("peer"), Table.Column.right("total")))
        .add(List.of("qemu", "1,234 ms"))
        .add(List.of("libvirt", "98 ms"));
  }

  @Test
  void textAlignsWordsLeftAndNumbersRight() {
    assertThat(sample().toText())
        .isEqualTo(
            """
            peer        total
            -------  --------
            qemu     1,234 ms
            libvirt     98 ms
            """);
  }

  @Test
  void textHasNoTrailingBlanks() {
    String text =
        new Table(List.of(Table.Column.left("a"), Table.Column.left("b")))
            .add(List.of("long value", ""))
            .toText();
    assertThat(text.lines()).allSatisfy(l -> assertThat(l).isEqualTo(l.stripTrailing()));
  }

  @Test
  void markdownMarksRightAlignedColumns() {
    assertThat(sample().toMarkdown())
        .isEqualTo(
            """
            | peer | total |
            |---|---:|
            | qemu | 1,234 ms |
            | libvirt | 98 ms |
            """);
  }

  @Test
  void markdownEscapesPipesAndNewlinesInCells() {
    String md = new Table(List.of(Table.Column.left("note"))).add(List.of("a|b\nc")).toMarkdown();
    assertThat(md).contains("| a\\|b c |");
  }

  @Test
  void rowsMustFitTheColumns() {
    assertThatThrownBy(() -> sample().add(List.of("only one")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 cells")
        .hasMessageContaining("2 columns");
  }
}
