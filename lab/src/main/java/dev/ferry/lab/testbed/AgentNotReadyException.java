package dev.ferry.lab.testbed;

/** An agent did not become ready: it exited, or did not answer in time. */
public final class AgentNotReadyException extends TestbedException {

  private final String host;

  public AgentNotReadyException(String host, String detail) {
    this(host, detail, null);
  }

  public AgentNotReadyException(String host, String detail, Throwable cause) {
    super("await agent on " + host, detail, cause);
    this.host = host;
  }

  /** The host whose agent is not ready ("host-a"). */
  public String host() {
    return host;
  }
}
