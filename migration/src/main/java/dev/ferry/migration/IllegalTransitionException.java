package dev.ferry.migration;

/** An event that the current state does not accept; names both. */
public final class IllegalTransitionException extends IllegalStateException {
  private final transient MigrationState state;
  private final transient MigrationEvent event;

  public IllegalTransitionException(MigrationState state, MigrationEvent event, String why) {
    super("migration in state " + state.label() + " cannot take " + event + ": " + why);
    this.state = state;
    this.event = event;
  }

  public MigrationState state() {
    return state;
  }

  public MigrationEvent event() {
    return event;
  }
}
