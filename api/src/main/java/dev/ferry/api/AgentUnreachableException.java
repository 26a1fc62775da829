package dev.ferry.api;

/** No answer from the agent at all: not running, wrong address, or the network is cut. */
public class AgentUnreachableException extends RuntimeException {
  public AgentUnreachableException(AgentEndpoint endpoint, Throwable cause) {
    super("agent at " + endpoint + " is unreachable: " + describe(cause), cause);
  }

  private static String describe(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null ? root.getClass().getSimpleName() : message;
  }
}
