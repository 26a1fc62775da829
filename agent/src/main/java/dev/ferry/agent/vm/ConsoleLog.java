package dev.ferry.agent.vm;

import dev.ferry.agent.AgentException;
import dev.ferry.common.ByteSize;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the tail of a VM's serial console log, which QEMU appends to; any thread. */
final class ConsoleLog {
  /** The most a single read returns, whatever was asked. */
  static final ByteSize MAX_READ = ByteSize.ofMiB(16);

  private ConsoleLog() {}

  /** The last {@code bytes} of {@code file} ({@code <= 0}: all, up to {@link #MAX_READ}). */
  static String tail(Path file, long bytes, String vm) {
    if (!Files.exists(file)) {
      return "";
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long len = f.length();
      long from = bytes <= 0 ? 0 : Math.max(0, len - bytes);
      byte[] buf = new byte[(int) Math.min(len - from, MAX_READ.bytes())];
      f.seek(len - buf.length);
      f.readFully(buf);
      return new String(buf, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AgentException.Failed("cannot read console of '" + vm + "': " + e, e);
    }
  }
}
