package dev.ferry.bench;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One situation every peer migrates a guest in: how big the guest is, how hard it writes to its
 * memory, and how fast the source host's link is.
 *
 * @param id the short name used on the command line ({@code a}, {@code b}, {@code c})
 * @param title what it is, for tables
 * @param memory guest RAM
 * @param dirty a memory dirtier started at boot ({@code ferry.dirty=}), if any
 * @param sourceLinkCap a rate cap on the source host's link for the whole run, if any
 */
public record Scenario(
    String id,
    String title,
    ByteSize memory,
    Optional<DirtyLoad> dirty,
    Optional<DataRate> sourceLinkCap) {

  /** Idle 512 MiB guest: the cost of the machinery itself. */
  public static final Scenario IDLE =
      new Scenario("a", "idle, 512 MiB", ByteSize.ofMiB(512), Optional.empty(), Optional.empty());

  /** 1 GiB guest writing 64 MiB/s over a 256 MiB working set: pre-copy has to iterate. */
  public static final Scenario DIRTYING =
      new Scenario(
          "b",
          "1 GiB, dirtying 64 MiB/s over 256 MiB",
          ByteSize.ofGiB(1),
          Optional.of(new DirtyLoad(ByteSize.ofMiB(256), DataRate.ofMiBPerSecond(64))),
          Optional.empty());

  /** 1 GiB guest dirtying 400 MiB/s behind a 100 MiB/s link: pre-copy alone cannot converge. */
  public static final Scenario FASTER_THAN_LINK =
      new Scenario(
          "c",
          "1 GiB, dirtying 400 MiB/s over 512 MiB, source link capped at 100 MiB/s",
          ByteSize.ofGiB(1),
          Optional.of(new DirtyLoad(ByteSize.ofMiB(512), DataRate.ofMiBPerSecond(400))),
          Optional.of(DataRate.ofMiBPerSecond(100)));

  /** Every scenario, in the order tables show them. */
  public static final List<Scenario> ALL = List.of(IDLE, DIRTYING, FASTER_THAN_LINK);

  public Scenario {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(dirty, "dirty");
    Objects.requireNonNull(sourceLinkCap, "sourceLinkCap");
  }

  /**
   * The scenarios named in {@code text}, a comma-separated list of ids ({@code a,c}) or {@code
   * all}, in the order given.
   *
   * @throws IllegalArgumentException naming an unknown or repeated id
   */
  public static List<Scenario> parseList(String text) {
    return Selection.parse(text, "scenario", ALL, Scenario::id);
  }

  /** The guest's kernel command line: serial console, its address, and its workload. */
  public String kernelCmdline(String guestCidr, String hostname) {
    StringBuilder b =
        new StringBuilder("console=ttyS0 quiet ferry.ip=")
            .append(guestCidr)
            .append(" ferry.hostname=")
            .append(hostname);
    dirty.ifPresent(d -> b.append(' ').append(d.kernelArgument()));
    return b.toString();
  }

  /**
   * A memory dirtier in the guest ({@code ferry-dirty}).
   *
   * @param workingSet the memory it cycles through
   * @param rate how fast it writes
   */
  public record DirtyLoad(ByteSize workingSet, DataRate rate) {
    public DirtyLoad {
      Objects.requireNonNull(workingSet, "workingSet");
      Objects.requireNonNull(rate, "rate");
    }

    /** {@code ferry.dirty=WSS_MIB:RATE_MIBPS}. */
    public String kernelArgument() {
      return "ferry.dirty=" + workingSet.toMiB() + ":" + rate.toMebibytesPerSecond();
    }
  }
}
