package dev.ferry.common.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ProcessRunnerTest {

  @Test
  void capturesExitCodeStdoutAndStderrSeparately() {
    ProcessOutcome r =
        ProcessRunner.run(Duration.ofSeconds(10), "sh", "-c", "echo out; echo err >&2; exit 3");

    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.stdout()).isEqualTo("out\n");
    assertThat(r.stderr()).isEqualTo("err\n");
    assertThat(r.ok()).isFalse();
    assertThat(r.timedOut()).isFalse();
  }

  @Test
  void aNonZeroExitCarriesStderrIntoTheException() {
    ProcessOutcome r =
        ProcessRunner.run(
            Duration.ofSeconds(10), "sh", "-c", "echo noise; echo 'disk is on fire' >&2; exit 7");

    assertThatThrownBy(r::orThrow)
        .isInstanceOfSatisfying(
            ProcessFailedException.class,
            e -> {
              assertThat(e.getMessage())
                  .isEqualTo(
                      "`sh -c echo noise; echo 'disk is on fire' >&2; exit 7` exited 7: disk is"
                          + " on fire");
              assertThat(e.outcome().stdout()).isEqualTo("noise\n");
            });
  }

  @Test
  void withoutStderrTheMessageQuotesStdout() {
    ProcessOutcome r = ProcessRunner.run(Duration.ofSeconds(10), "sh", "-c", "echo why; exit 1");

    assertThat(r.describe()).isEqualTo("`sh -c echo why; exit 1` exited 1: why");
  }

  @Test
  void aChildThatHangsWithItsOutputOpenIsKilledAtTheTimeout() {
    ProcessOutcome r =
        ProcessRunner.run(
            Duration.ofMillis(300), "sh", "-c", "echo started; echo warn >&2; exec sleep 60");

    assertThat(r.timedOut()).isTrue();
    assertThat(r.ok()).isFalse();
    assertThat(r.exitCode()).isEqualTo(-1);
    assertThat(r.stdout()).isEqualTo("started\n");
    assertThat(r.stderr()).isEqualTo("warn\n");
    assertThat(r.elapsed()).as("elapsed %s", r.elapsed()).isLessThan(Duration.ofSeconds(5));
    assertThat(r.describe())
        .startsWith("`sh -c echo started; echo warn >&2; exec sleep 60` timed out after ");
  }

  @Test
  void aGrandchildHoldingThePipeDoesNotOutliveTheTimeout() {
    long started = System.nanoTime();
    ProcessOutcome r =
        ProcessRunner.run(Duration.ofMillis(300), "sh", "-c", "sleep 60 & echo forked; wait");
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(r.timedOut()).isTrue();
    assertThat(r.stdout()).isEqualTo("forked\n");
    assertThat(took).as("the call took %s", took).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void largeOutputOnBothStreamsIsReadWhole() {
    // 8 MiB on stdout and 4 MiB on stderr: far beyond a pipe's buffer, so a runner that read one
    // stream after the other, or only after the exit, would deadlock.
    ProcessOutcome r =
        ProcessRunner.run(
            Duration.ofSeconds(30),
            "sh",
            "-c",
            "head -c 4194304 /dev/zero | tr '\\0' e >&2 & head -c 8388608 /dev/zero | tr '\\0' o;"
                + " wait");

    assertThat(r.ok()).as(r.describe()).isTrue();
    assertThat(r.stdout()).hasSize(8 << 20).matches("o+");
    assertThat(r.stderr()).hasSize(4 << 20).matches("e+");
  }

  @Test
  void aMissingProgramCannotBeStarted() {
    assertThatThrownBy(() -> ProcessRunner.run(Duration.ofSeconds(5), "ferry-no-such-program"))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("cannot start `ferry-no-such-program`");
  }

  @Test
  void anInterruptKillsTheCommandAndKeepsTheFlag() throws Exception {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> flag = new AtomicReference<>();
    Thread t =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    ProcessRunner.run(Duration.ofSeconds(60), "sleep", "60");
                  } catch (RuntimeException e) {
                    thrown.set(e);
                    flag.set(Thread.currentThread().isInterrupted());
                  }
                });
    Thread.sleep(300);
    t.interrupt();
    t.join(Duration.ofSeconds(10));

    assertThat(t.isAlive()).as("runner still blocked after the interrupt").isFalse();
    assertThat(thrown.get())
        .isInstanceOf(CancellationException.class)
        .hasMessage("interrupted while running `sleep 60`");
    assertThat(flag.get()).isTrue();
  }
}
