package dev.ferry.bench;

import dev.ferry.common.ByteSize;
import dev.ferry.common.DataRate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One situation every peer migrates a guest in: how big the guest is, how hard it writes to its
 * memory, how fast the source host's link is, and whether it has a data disk on the source host's
 * local storage that has to be copied along.
 *
 * @param id the short name used on the command line ({@code a}, {@code b}, {@code c}, {@code d})
 * @param title what it is, for tables
 * @param memory guest RAM
 * @param dirty a memory dirtier started at boot ({@code ferry.dirty=}), if any
 * @param sourceLinkCap a rate cap on the source host's link for the whole run, if any
 * @param disk a data disk on host-a's local storage, and the guest's writes to it, if any
 */
public record Scenario(
    String id,
    String title,
    ByteSize memory,
    Optional<DirtyLoad> dirty,
    Optional<DataRate> sourceLinkCap,
    Optional<DiskLoad> disk) {

  /** Idle 512 MiB guest: the cost of the machinery itself. */
  public static final Scenario IDLE =
      new Scenario(
          "a",
          "idle, 512 MiB",
          ByteSize.ofMiB(512),
          Optional.empty(),
          Optional.empty(),
          Optional.empty());

  /** 1 GiB guest writing 64 MiB/s over a 256 MiB working set: pre-copy has to iterate. */
  public static final Scenario DIRTYING =
      new Scenario(
          "b",
          "1 GiB, dirtying 64 MiB/s over 256 MiB",
          ByteSize.ofGiB(1),
          Optional.of(new DirtyLoad(ByteSize.ofMiB(256), DataRate.ofMiBPerSecond(64))),
          Optional.empty(),
          Optional.empty());

  /** 1 GiB guest dirtying 400 MiB/s behind a 100 MiB/s link: pre-copy alone cannot converge. */
  public static final Scenario FASTER_THAN_LINK =
      new Scenario(
          "c",
          "1 GiB, dirtying 400 MiB/s over 512 MiB, source link capped at 100 MiB/s",
          ByteSize.ofGiB(1),
          Optional.of(new DirtyLoad(ByteSize.ofMiB(512), DataRate.ofMiBPerSecond(400))),
          Optional.of(DataRate.ofMiBPerSecond(100)),
          Optional.empty());

  /**
   * 512 MiB guest with a 2 GiB qcow2 data disk holding 1 GiB of data on host-a's local (not shared)
   * storage, written at 5 MiB/s: the disk has to be copied along with the memory.
   */
  public static final Scenario STORAGE =
      new Scenario(
          "d",
          "512 MiB + 2 GiB qcow2 disk with 1 GiB of data on host-a's local storage,"
              + " guest disk writer set to 5 MiB/s",
          ByteSize.ofMiB(512),
          Optional.empty(),
          Optional.empty(),
          Optional.of(
              new DiskLoad(ByteSize.ofGiB(2), ByteSize.ofGiB(1), DataRate.ofMiBPerSecond(5))));

  /** Every scenario, in the order tables show them. */
  public static final List<Scenario> ALL = List.of(IDLE, DIRTYING, FASTER_THAN_LINK, STORAGE);

  public Scenario {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(memory, "memory");
    Objects.requireNonNull(dirty, "dirty");
    Objects.requireNonNull(sourceLinkCap, "sourceLinkCap");
    Objects.requireNonNull(disk, "disk");
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
    disk.ifPresent(d -> b.append(' ').append(d.kernelArgument()));
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

  /**
   * A data disk: a qcow2 image of {@code size} on the source host's local storage whose first
   * {@code data} bytes hold data (written before the guest boots), and a writer in the guest
   * ({@code ferry-diskwrite}) that rewrites that data in 4 KiB blocks at {@code writeRate}, each
   * write durable before the next (O_DIRECT|O_DSYNC).
   *
   * @param size the image's virtual size
   * @param data how much of it holds data, from offset 0; a multiple of 4 KiB
   * @param writeRate how fast the guest writes to it
   */
  public record DiskLoad(ByteSize size, ByteSize data, DataRate writeRate) {
    /** The guest sees the first (only) virtio-blk disk as this device. */
    public static final String GUEST_DEVICE = "/dev/vda";

    /** {@code ferry-diskwrite}'s block size. */
    static final long BLOCK = 4096;

    public DiskLoad {
      Objects.requireNonNull(size, "size");
      Objects.requireNonNull(data, "data");
      Objects.requireNonNull(writeRate, "writeRate");
      if (data.bytes() <= 0 || data.bytes() % BLOCK != 0 || data.compareTo(size) > 0) {
        throw new IllegalArgumentException(
            "data must be a positive multiple of 4 KiB within the disk: " + data + " of " + size);
      }
    }

    /**
     * {@code ferry.diskwrite=/dev/vda:RATE_MIBPS:BLOCKS}: the writer's ring covers the data, so
     * every write lands on data that is there already (the image's allocation does not grow) and
     * the writes move through it rather than hitting a few hot blocks.
     */
    public String kernelArgument() {
      return "ferry.diskwrite="
          + GUEST_DEVICE
          + ":"
          + writeRate.toMebibytesPerSecond()
          + ":"
          + data.bytes() / BLOCK;
    }
  }
}
