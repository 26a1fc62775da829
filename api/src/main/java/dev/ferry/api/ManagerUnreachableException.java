package dev.ferry.api;

/** No answer from the manager at all: not running, wrong address, or the network is cut. */
public class ManagerUnreachableException extends RuntimeException {
  public ManagerUnreachableException(AgentEndpoint endpoint, Throwable cause) {
    super("manager at " + endpoint + " is unreachable: " + RestClient.rootMessage(cause), cause);
  }
}
