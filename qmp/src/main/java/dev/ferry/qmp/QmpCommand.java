package dev.ferry.qmp;

/**
 * A QMP command with its arguments and the type of its reply. Every command is a record; its
 * components are the command's {@code arguments} (named in QMP's kebab-case, absent {@code
 * Optional}s left out), and a record without components is sent without arguments.
 *
 * <p>The commands are grouped by what they act on: {@link VmCommand} (run state and identity),
 * {@link MigrationCommand}, {@link BlockCommand} (block nodes, jobs and NBD exports) and {@link
 * MonitorCommand} (the protocol itself and the HMP escape hatch).
 *
 * @param <R> what the reply decodes to; {@link Void} for commands that only acknowledge
 */
public sealed interface QmpCommand<R>
    permits VmCommand, MigrationCommand, BlockCommand, MonitorCommand {

  /** The QMP command name, e.g. {@code query-status}. */
  String commandName();

  ReplyType<R> replyType();

  /**
   * The value sent as {@code arguments}: the record itself by default, or {@code null} when the
   * record has no components. A command whose arguments are a nested value overrides this.
   */
  default Object arguments() {
    var components = getClass().getRecordComponents();
    return components == null || components.length == 0 ? null : this;
  }
}
