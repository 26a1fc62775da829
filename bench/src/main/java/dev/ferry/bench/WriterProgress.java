package dev.ferry.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.common.DataRate;
import dev.ferry.common.Json;
import java.io.IOException;
import java.util.Optional;

/**
 * How far the guest's disk writer ({@code ferry-diskwrite}) has got, as the guest's {@code
 * /cgi-bin/status} tells: the last acknowledged (durable) 4 KiB write and the guest's uptime. Two
 * samples give the rate the guest really wrote at in between, which under load may fall short of
 * the rate asked for.
 *
 * @param acked the writer's last acknowledged sequence number (one 4 KiB block each)
 * @param uptimeSeconds the guest's {@code /proc/uptime} when it was read
 */
public record WriterProgress(long acked, double uptimeSeconds) {
  static final long BLOCK = 4096;

  /** Reads a status reply; empty if it has no writer figures (no writer, or not JSON). */
  public static Optional<WriterProgress> parse(String statusJson) {
    JsonNode status;
    try {
      status = Json.lenient().readTree(statusJson);
    } catch (IOException e) {
      return Optional.empty();
    }
    if (status == null
        || !status.path("diskwriteAcked").isIntegralNumber()
        || !status.path("uptimeS").isNumber()) {
      return Optional.empty();
    }
    return Optional.of(
        new WriterProgress(
            status.path("diskwriteAcked").asLong(), status.path("uptimeS").asDouble()));
  }

  /**
   * The rate the guest wrote at from {@code earlier} to this sample, by its own clock; empty if no
   * guest time passed or the writer went backwards (restarted).
   */
  public Optional<DataRate> rateSince(WriterProgress earlier) {
    double seconds = uptimeSeconds - earlier.uptimeSeconds;
    long writes = acked - earlier.acked;
    if (seconds <= 0 || writes < 0) {
      return Optional.empty();
    }
    return Optional.of(DataRate.ofBytesPerSecond(Math.round(writes * BLOCK / seconds)));
  }
}
