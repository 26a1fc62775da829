package dev.ferry.qmp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;

/**
 * Splits the byte stream from QEMU into messages. QEMU writes every JSON object on its own line
 * ({@code \r\n}-terminated, no raw newlines inside), so a newline ends a message. Used by the
 * reader thread only; not thread-safe.
 */
final class FrameReader {

  private static final int READ_BUFFER_BYTES = 64 * 1024;
  private static final int INITIAL_MESSAGE_BYTES = 4 * 1024;

  private final ReadableByteChannel channel;
  private final int maxMessageBytes;
  private final ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_BYTES).flip();
  private byte[] message = new byte[INITIAL_MESSAGE_BYTES];
  private int messageLength;

  FrameReader(ReadableByteChannel channel, int maxMessageBytes) {
    this.channel = channel;
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * The next non-blank message without its line ending, or null at the end of the stream.
   *
   * @throws QmpCodec.ViolationException when a message grows past the size limit
   */
  byte[] next() throws IOException, QmpCodec.ViolationException {
    while (true) {
      int newline = indexOfNewline();
      if (newline >= 0) {
        append(newline - buffer.position());
        buffer.get(); // the newline itself
        byte[] complete = trimmed();
        messageLength = 0;
        if (complete.length > 0) {
          return complete;
        }
        continue;
      }
      append(buffer.remaining());
      buffer.clear();
      int read = channel.read(buffer);
      buffer.flip();
      if (read < 0) {
        return null;
      }
    }
  }

  /** Bytes of an unfinished message received before the stream ended (for diagnostics). */
  int unfinishedBytes() {
    return messageLength;
  }

  private int indexOfNewline() {
    for (int i = buffer.position(); i < buffer.limit(); i++) {
      if (buffer.get(i) == '\n') {
        return i;
      }
    }
    return -1;
  }

  private void append(int count) throws QmpCodec.ViolationException {
    if (count == 0) {
      return;
    }
    if ((long) messageLength + count > maxMessageBytes) {
      throw new QmpCodec.ViolationException(
          "message longer than the limit of " + maxMessageBytes + " bytes");
    }
    if (messageLength + count > message.length) {
      int grown =
          (int) Math.min(maxMessageBytes, Math.max(2L * message.length, messageLength + count));
      message = Arrays.copyOf(message, grown);
    }
    buffer.get(message, messageLength, count);
    messageLength += count;
  }

  private byte[] trimmed() {
    int start = 0;
    int end = messageLength;
    while (start < end && isWhitespace(message[start])) {
      start++;
    }
    while (end > start && isWhitespace(message[end - 1])) {
      end--;
    }
    return Arrays.copyOfRange(message, start, end);
  }

  private static boolean isWhitespace(byte b) {
    return b == ' ' || b == '\t' || b == '\r' || b == '\n';
  }
}
