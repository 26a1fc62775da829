package dev.ferry.agent.migration.incoming;

import dev.ferry.agent.AgentException;
import dev.ferry.api.BandwidthSample;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-shot TCP sink on the address the migration stream will use: the source times a burst
 * through it, over the same path as the QEMU stream, without HTTP in the way. The sink reads until
 * the sender closes, answers one byte, and is gone after {@link #LIFETIME}.
 */
final class BandwidthSink {
  private static final Logger log = LoggerFactory.getLogger(BandwidthSink.class);
  static final Duration LIFETIME = Duration.ofSeconds(10);

  private BandwidthSink() {}

  static BandwidthSample open(String address) {
    ServerSocket server;
    try {
      server = new ServerSocket(0, 1, InetAddress.getByName(address));
      server.setSoTimeout((int) LIFETIME.toMillis());
    } catch (IOException e) {
      throw new AgentException.Failed("cannot open a bandwidth sink on " + address + ": " + e, e);
    }
    Thread.ofVirtual().name("bandwidth-sink").start(() -> drain(server));
    return new BandwidthSample(server.getLocalPort(), 0);
  }

  private static void drain(ServerSocket server) {
    try (server;
        var socket = server.accept();
        InputStream in = socket.getInputStream()) {
      socket.setSoTimeout((int) LIFETIME.toMillis());
      byte[] buf = new byte[1 << 16];
      while (in.read(buf) >= 0) {
        // Counting is the sender's job; draining is ours.
      }
      socket.getOutputStream().write(1);
    } catch (IOException e) {
      log.debug("bandwidth sink: {}", e.toString());
    }
  }

  /** A free TCP port on {@code address}. */
  static int freePort(String address) {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(address))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new AgentException.Failed("no free port on " + address + ": " + e.getMessage(), e);
    }
  }
}
