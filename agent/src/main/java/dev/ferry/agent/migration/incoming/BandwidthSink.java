package dev.ferry.agent.migration.incoming;

import dev.ferry.agent.AgentException;
import dev.ferry.api.BandwidthSample;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-shot TCP sink on the address the migration stream will use: the source times a burst
 * through it, over the same path as the QEMU stream, without HTTP in the way. The sink reads until
 * the sender closes, answers one byte, and is gone after {@link #LIFETIME} whatever the sender
 * does. At most {@link #MAX_OPEN} are open at once: a peer asking for more gets a 429, so sinks
 * cannot be used to exhaust the agent's sockets.
 */
final class BandwidthSink {
  private static final Logger log = LoggerFactory.getLogger(BandwidthSink.class);
  static final Duration LIFETIME = Duration.ofSeconds(10);
  static final int MAX_OPEN = 16;
  private static final Semaphore OPEN = new Semaphore(MAX_OPEN);

  private BandwidthSink() {}

  static BandwidthSample open(String address) {
    if (!OPEN.tryAcquire()) {
      throw new AgentException.TooMany(
          MAX_OPEN + " bandwidth measurements are under way on this host; try again shortly");
    }
    ServerSocket server;
    try {
      server = new ServerSocket(0, 1, InetAddress.getByName(address));
      server.setSoTimeout((int) LIFETIME.toMillis());
    } catch (IOException e) {
      OPEN.release();
      throw new AgentException.Failed("cannot open a bandwidth sink on " + address + ": " + e, e);
    }
    Instant deadline = Instant.now().plus(LIFETIME);
    Thread.ofVirtual().name("bandwidth-sink").start(() -> drain(server, deadline));
    return new BandwidthSample(server.getLocalPort(), 0);
  }

  private static void drain(ServerSocket server, Instant deadline) {
    try (server;
        var socket = server.accept();
        InputStream in = socket.getInputStream()) {
      byte[] buf = new byte[1 << 16];
      while (true) {
        long left = Duration.between(Instant.now(), deadline).toMillis();
        if (left <= 0) {
          return;
        }
        socket.setSoTimeout((int) left);
        if (in.read(buf) < 0) {
          break;
        }
        // Counting is the sender's job; draining is ours.
      }
      socket.getOutputStream().write(1);
    } catch (IOException e) {
      log.debug("bandwidth sink: {}", e.toString());
    } finally {
      OPEN.release();
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
