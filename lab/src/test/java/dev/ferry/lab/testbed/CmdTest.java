package dev.ferry.lab.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class CmdTest {

  @Test
  void capturesExitCodeStdoutAndStderrSeparately() {
    ExecResult r =
        Cmd.run(Duration.ofSeconds(5), List.of("sh", "-c", "echo out; echo err >&2; exit 3"));

    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.stdout()).isEqualTo("out\n");
    assertThat(r.stderr()).isEqualTo("err\n");
    assertThat(r.ok()).isFalse();
    assertThat(r.timedOut()).isFalse();
  }

  @Test
  void aCommandThatOutrunsItsTimeoutIsKilled() {
    ExecResult r = Cmd.run(Duration.ofMillis(200), List.of("sleep", "30"));

    assertThat(r.timedOut()).isTrue();
    assertThat(r.elapsed()).as("elapsed %s", r.elapsed()).isLessThan(Duration.ofSeconds(5));
    assertThatThrownBy(() -> r.orThrow("wait a while"))
        .isInstanceOf(CommandFailedException.class)
        .hasMessageStartingWith("wait a while: `sleep 30` timed out after");
  }

  @Test
  void aFailedCommandNamesTheStepTheCommandAndItsStderr() {
    String missing = "ftb-absent-" + TestWorld.random(6);

    assertThatThrownBy(() -> Cmd.check("show links", Netns.ip(missing, "link", "show")))
        .isInstanceOfSatisfying(
            CommandFailedException.class,
            e -> {
              assertThat(e.step()).isEqualTo("show links");
              assertThat(e.command()).containsExactly("ip", "-n", missing, "link", "show");
              assertThat(e.getMessage())
                  .startsWith("show links: `ip -n " + missing + " link show` exited 255: ")
                  .contains("Cannot open network namespace");
            });
  }
}
