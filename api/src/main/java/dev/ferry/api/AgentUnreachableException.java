package dev.ferry.api;

/** No answer from the agent at all: not running, wrong address, or the network is cut. */
public class AgentUnreachableException extends RuntimeException {
  public AgentUnreachableException(AgentEndpoint endpoint, Throwable cause) {
    super("agent at " + endpoint + " is unreachable: " + RestClient.rootMessage(cause), cause);
  }
}
