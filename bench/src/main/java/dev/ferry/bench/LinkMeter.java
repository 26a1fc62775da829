package dev.ferry.bench;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import dev.ferry.lab.testbed.ExecResult;
import dev.ferry.lab.testbed.HostPlan;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures the link between two testbed hosts the same way for every peer: timed TCP transfers from
 * a sender in the source host's namespace to a sink in the destination's, each from the first byte
 * written until the sink acknowledges the last one read. Both ends are this class's {@link #main},
 * started with the benchmark's own JVM and class path inside the hosts' namespaces.
 *
 * <p>{@code LinkMeter sink ADDR PORT COUNT}: accepts COUNT connections one after the other, reads
 * each to its end and answers one byte. {@code LinkMeter send ADDR PORT BYTES}: connects (retrying
 * while the sink starts), sends BYTES of non-zero filler, and prints {@code bytes=N nanos=T}.
 */
public final class LinkMeter {
  private static final int BUFFER = 1 << 20;
  private static final Duration CONNECT_RETRY = Duration.ofSeconds(20);
  private static final Duration CONNECT_DELAY = Duration.ofMillis(100);
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(120);
  private static final Pattern RESULT = Pattern.compile("bytes=(\\d+) nanos=(\\d+)");

  private LinkMeter() {}

  /**
   * The link as measured: every transfer's rate, and the best of them (the rate the link has been
   * seen to carry, so the lower bound built on it is one no peer can beat).
   *
   * @param size bytes per transfer
   * @param samples each transfer's rate, in the order made
   */
  public record Measurement(ByteSize size, List<DataRate> samples) {
    public Measurement {
      Objects.requireNonNull(size, "size");
      samples = List.copyOf(samples);
      if (samples.isEmpty()) {
        throw new IllegalArgumentException("a link measurement needs at least one transfer");
      }
    }

    public DataRate best() {
      return samples.stream().max(Comparator.naturalOrder()).orElseThrow();
    }

    /** {@code best 1234.5 MiB/s of 3 transfers of 1 GiB (1200.1, 1234.5, 1190.0 MiB/s)}. */
    public String describe() {
      return String.format(
          Locale.ROOT,
          "best %s of %d TCP transfers of %s (%s)",
          best(),
          samples.size(),
          size.toHuman(),
          String.join(
                  ", ",
                  samples.stream()
                      .map(r -> String.format(Locale.ROOT, "%.1f", r.toMiBPerSecond()))
                      .toList())
              + " MiB/s");
    }
  }

  /**
   * Times {@code count} transfers of {@code size} from {@code from} to {@code to}'s address on
   * {@code port}. The sink is killed by pid when done, or by the cleanup registry.
   *
   * @throws BenchException naming the transfer that failed
   */
  public static Measurement measure(
      BenchWorld world, HostPlan from, HostPlan to, int port, ByteSize size, int count) {
    List<String> sink = javaCommand("sink", to.address(), Integer.toString(port), "" + count);
    List<DataRate> samples = new ArrayList<>();
    try (Background sinkProcess =
        Background.start(world.testbed(), to.namespace(), sink, world.cleanup())) {
      for (int i = 1; i <= count; i++) {
        List<String> send = new ArrayList<>(List.of("ip", "netns", "exec", from.namespace()));
        send.addAll(javaCommand("send", to.address(), Integer.toString(port), "" + size.bytes()));
        ExecResult r = Commands.run(send, SEND_TIMEOUT);
        if (!r.ok()) {
          throw new BenchException(
              "measure the link from " + from.name() + " to " + to.name(),
              "transfer "
                  + i
                  + " failed (exit "
                  + r.exitCode()
                  + "): "
                  + r.stderr().strip()
                  + (sinkProcess.awaitExit(Duration.ZERO) ? " " + sinkProcess.stderr() : ""));
        }
        samples.add(parse(r.stdout()));
      }
    }
    return new Measurement(size, samples);
  }

  /** The rate of one sender's report {@code bytes=N nanos=T}. */
  static DataRate parse(String senderOutput) {
    Matcher m = RESULT.matcher(senderOutput);
    if (!m.find()) {
      throw new BenchException(
          "measure the link", "the sender said '" + senderOutput.strip() + "'");
    }
    return DataRate.of(
        ByteSize.ofBytes(Long.parseLong(m.group(1))), Duration.ofNanos(Long.parseLong(m.group(2))));
  }

  private static List<String> javaCommand(String... args) {
    List<String> c = new ArrayList<>();
    c.add(ProcessHandle.current().info().command().orElse("java"));
    c.addAll(List.of("-XX:+UseSerialGC", "-Xmx64m", "-cp", System.getProperty("java.class.path")));
    c.add(LinkMeter.class.getName());
    c.addAll(List.of(args));
    return c;
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length == 4 && args[0].equals("sink")) {
      sink(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
    } else if (args.length == 4 && args[0].equals("send")) {
      long[] r = send(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]));
      System.out.println("bytes=" + r[0] + " nanos=" + r[1]);
    } else {
      System.err.println("usage: LinkMeter sink ADDR PORT COUNT | send ADDR PORT BYTES");
      System.exit(2);
    }
  }

  private static void sink(String address, int port, int count) throws IOException {
    try (ServerSocket server = new ServerSocket()) {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(address, port));
      byte[] buffer = new byte[BUFFER];
      for (int i = 0; i < count; i++) {
        try (Socket s = server.accept();
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream()) {
          while (in.read(buffer) >= 0) {
            // Discard.
          }
          out.write(1);
          out.flush();
        }
      }
    }
  }

  /**
   * Returns {bytes sent, nanoseconds from the first write to the sink's answer}. The sink runs in
   * another namespace and announces nothing, so a refused connection is retried until {@link
   * #CONNECT_RETRY} has passed.
   */
  private static long[] send(String address, int port, long bytes)
      throws IOException, InterruptedException {
    byte[] filler = new byte[BUFFER];
    new Random(42).nextBytes(filler);
    RetryPolicy<long[]> retry =
        RetryPolicy.<long[]>builder()
            .handle(ConnectException.class)
            .withDelay(CONNECT_DELAY)
            .withMaxDuration(CONNECT_RETRY)
            .withMaxRetries(-1)
            .build();
    try {
      return Failsafe.with(retry).get(() -> sendOnce(address, port, bytes, filler));
    } catch (FailsafeException e) {
      if (e.getCause() instanceof InterruptedException i) {
        Thread.currentThread().interrupt();
        throw i;
      }
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw e;
    }
  }

  private static long[] sendOnce(String address, int port, long bytes, byte[] filler)
      throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 1000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      long started = System.nanoTime();
      long left = bytes;
      while (left > 0) {
        int n = (int) Math.min(filler.length, left);
        out.write(filler, 0, n);
        left -= n;
      }
      s.shutdownOutput();
      if (in.read() < 0) {
        throw new IOException("the sink closed without acknowledging");
      }
      return new long[] {bytes, System.nanoTime() - started};
    }
  }
}
