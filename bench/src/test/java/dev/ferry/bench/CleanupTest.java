package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CleanupTest {

  @Test
  void runAllUndoesWhatIsLeftNewestFirst() {
    List<String> done = new ArrayList<>();
    Cleanup c = new Cleanup();
    c.add("first", () -> done.add("first"));
    Cleanup.Registration second = c.add("second", () -> done.add("second"));
    c.add("third", () -> done.add("third"));

    second.close();
    c.runAll();

    assertThat(done).containsExactly("second", "third", "first");
  }

  @Test
  void anActionRunsOnceAndAFailingOneDoesNotStopTheOthers() {
    List<String> done = new ArrayList<>();
    Cleanup c = new Cleanup();
    c.add("kept", () -> done.add("kept"));
    Cleanup.Registration failing =
        c.add(
            "failing",
            () -> {
              done.add("failing");
              throw new IllegalStateException("boom");
            });

    failing.close();
    failing.close();
    c.runAll();

    assertThat(done).containsExactly("failing", "kept");
  }

  @Test
  void whatIsRegisteredAfterShutdownBeganIsUndoneAtOnce() {
    List<String> done = new ArrayList<>();
    Cleanup c = new Cleanup();
    c.runAll();

    assertThatThrownBy(() -> c.add("late", () -> done.add("late")))
        .isInstanceOf(BenchException.class)
        .hasMessageContaining("shutting down");
    assertThat(done).containsExactly("late");
  }
}
