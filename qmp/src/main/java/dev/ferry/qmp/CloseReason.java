package dev.ferry.qmp;

import java.io.IOException;

/**
 * Why a {@link QmpClient} connection ended. Completes {@link QmpClient#closed()} and is carried by
 * {@link QmpException.Disconnected}.
 */
public sealed interface CloseReason {

  /** One line for logs and exception messages. */
  String describe();

  /** {@link QmpClient#close()} was called. */
  record ClosedByClient() implements CloseReason {
    @Override
    public String describe() {
      return "closed by the client";
    }
  }

  /** QEMU closed the socket: it quit, crashed or was killed. */
  record PeerClosed() implements CloseReason {
    @Override
    public String describe() {
      return "QEMU closed the connection";
    }
  }

  /** Reading from or writing to the socket failed. */
  record IoFailure(IOException error) implements CloseReason {
    @Override
    public String describe() {
      return "I/O error: " + error.getMessage();
    }
  }

  /**
   * QEMU sent bytes that are not a QMP message (not JSON, not an object, too long), so the stream
   * can no longer be trusted and the client dropped it.
   */
  record ProtocolViolation(String detail) implements CloseReason {
    @Override
    public String describe() {
      return "protocol violation: " + detail;
    }
  }
}
