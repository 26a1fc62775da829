package dev.ferry.qmp;

import java.util.Objects;

/** Commands about the monitor itself rather than the VM. */
public sealed interface MonitorCommand<R> extends QmpCommand<R> {

  /**
   * Leaves capabilities negotiation mode. {@link QmpClient#connect} sends it; sending it again
   * fails with CommandNotFound.
   */
  record QmpCapabilities() implements MonitorCommand<Void> {
    @Override
    public String commandName() {
      return "qmp_capabilities";
    }

    @Override
    public ReplyType<Void> replyType() {
      return ReplyType.NONE;
    }
  }

  /**
   * Runs a human monitor (HMP) command and returns its text output. An escape hatch for what QMP
   * does not offer; the output format is not stable across QEMU versions.
   */
  record HumanMonitorCommand(String commandLine) implements MonitorCommand<String> {
    public HumanMonitorCommand {
      Objects.requireNonNull(commandLine, "commandLine");
      if (commandLine.isBlank()) {
        throw new IllegalArgumentException("commandLine must not be blank");
      }
    }

    @Override
    public String commandName() {
      return "human-monitor-command";
    }

    @Override
    public ReplyType<String> replyType() {
      return ReplyType.of(String.class);
    }
  }
}
