package dev.ferry.api;

/** No answer from the manager at all: not running, wrong address, or the network is cut. */
public class ManagerUnreachableException extends RuntimeException {
  public ManagerUnreachableException(AgentEndpoint endpoint, Throwable cause) {
    super("manager at " + endpoint + " is unreachable: " + rootMessage(cause), cause);
  }

  private static String rootMessage(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
