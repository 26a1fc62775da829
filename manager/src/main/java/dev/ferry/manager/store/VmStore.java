package dev.ferry.manager.store;

import dev.ferry.api.ClusterVm;
import dev.ferry.api.Lease;
import dev.ferry.api.VmState;
import dev.ferry.common.ByteSize;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code vms} table: the cluster's VMs and their leases. This class only holds the SQL; the
 * lease-writing methods ({@link #grant}, {@link #transfer}, {@link #activate}, {@link #reclaim},
 * {@link #giveBack}, {@link #setEpoch}, {@link #delete}) are called by {@code
 * dev.ferry.manager.leases.Leases} alone, which decides and records every change of a lease (a
 * layering test checks it).
 */
public final class VmStore {
  private final Jdbi jdbi;

  public VmStore(Database db) {
    this.jdbi = db.jdbi();
  }

  /** A VM row: what the inventory keeps beyond {@link ClusterVm}. */
  public record Row(
      ClusterVm vm, Instant leaseSince, Optional<String> pendingFrom, Set<String> antiAffinity) {
    public Lease lease() {
      return new Lease(vm.name(), vm.host(), vm.epoch(), leaseSince, pendingFrom);
    }
  }

  public List<Row> all() {
    return jdbi.withHandle(
        h -> h.createQuery("SELECT * FROM vms ORDER BY name").map((rs, ctx) -> row(rs)).list());
  }

  public Optional<Row> find(String name) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT * FROM vms WHERE name = :n")
                .bind("n", name)
                .map((rs, ctx) -> row(rs))
                .findOne());
  }

  /** Grants a new VM's lease to {@code host}; false if the VM is known already. */
  public boolean grant(
      String name,
      String host,
      long epoch,
      VmState state,
      int vcpus,
      ByteSize memory,
      Set<String> antiAffinity,
      Instant now) {
    return jdbi.inTransaction(
        h -> {
          if (h.createQuery("SELECT COUNT(*) FROM vms WHERE name = :n")
                  .bind("n", name)
                  .mapTo(Integer.class)
                  .one()
              > 0) {
            return false;
          }
          h.createUpdate(
                  "INSERT INTO vms (name, host, epoch, lease_since, state, vcpus, memory_bytes,"
                      + " anti_affinity, seen) VALUES (:n, :host, :epoch, :now, :state, :vcpus,"
                      + " :mem, :aa, :now)")
              .bind("n", name)
              .bind("host", host)
              .bind("epoch", epoch)
              .bind("now", now.toEpochMilli())
              .bind("state", state.name())
              .bind("vcpus", vcpus)
              .bind("mem", memory.bytes())
              .bind("aa", String.join(",", antiAffinity))
              .execute();
          return true;
        });
  }

  /**
   * What a compare-and-set did.
   *
   * @param moved whether this call moved the lease
   * @param after the lease after the call; empty if the VM is unknown
   */
  public record Cas(boolean moved, Optional<Lease> after) {}

  /**
   * Moves a settled lease from ({@code from}, {@code epoch}) to ({@code to}, {@code epoch + 1}),
   * pending from {@code from}.
   */
  public Cas transfer(String vm, String from, String to, long epoch, Instant now) {
    return cas(
        vm,
        "UPDATE vms SET host = :to, epoch = :next, lease_since = :now, pending_from = :from"
            + " WHERE name = :vm AND host = :from AND epoch = :epoch AND pending_from IS NULL",
        Map.of(
            "to", to, "from", from, "epoch", epoch, "next", epoch + 1, "now", now.toEpochMilli()));
  }

  /** Settles a lease pending at ({@code host}, {@code epoch}). */
  public Cas activate(String vm, String host, long epoch) {
    return cas(
        vm,
        "UPDATE vms SET pending_from = NULL"
            + " WHERE name = :vm AND host = :host AND epoch = :epoch AND pending_from IS NOT NULL",
        Map.of("host", host, "epoch", epoch));
  }

  /**
   * Takes back a lease pending at ({@code to}, {@code epoch}) from {@code from}: it becomes ({@code
   * from}, {@code epoch + 1}), settled.
   */
  public Cas reclaim(String vm, String from, String to, long epoch, Instant now) {
    return cas(
        vm,
        "UPDATE vms SET host = :from, epoch = :next, lease_since = :now, pending_from = NULL"
            + " WHERE name = :vm AND host = :to AND epoch = :epoch AND pending_from = :from",
        Map.of(
            "to", to, "from", from, "epoch", epoch, "next", epoch + 1, "now", now.toEpochMilli()));
  }

  /**
   * Hands a settled lease back: ({@code host}, {@code epoch}) becomes ({@code to}, {@code epoch +
   * 1}), settled.
   */
  public Cas giveBack(String vm, String host, String to, long epoch, Instant now) {
    return cas(
        vm,
        "UPDATE vms SET host = :to, epoch = :next, lease_since = :now, pending_from = NULL"
            + " WHERE name = :vm AND host = :host AND epoch = :epoch AND pending_from IS NULL",
        Map.of(
            "host", host, "to", to, "epoch", epoch, "next", epoch + 1, "now", now.toEpochMilli()));
  }

  private Cas cas(String vm, String update, Map<String, Object> args) {
    return jdbi.inTransaction(
        h -> {
          var u = h.createUpdate(update).bind("vm", vm);
          args.forEach(u::bind);
          int updated = u.execute();
          Optional<Lease> after =
              h.createQuery("SELECT * FROM vms WHERE name = :n")
                  .bind("n", vm)
                  .map((rs, ctx) -> row(rs).lease())
                  .findOne();
          return new Cas(updated > 0, after);
        });
  }

  /** Sets a VM's epoch on its lease holder (after its agent created it). */
  public void setEpoch(String vm, String host, long epoch) {
    jdbi.useHandle(
        h ->
            h.createUpdate("UPDATE vms SET epoch = :e WHERE name = :vm AND host = :host")
                .bind("e", epoch)
                .bind("vm", vm)
                .bind("host", host)
                .execute());
  }

  /** Records what the lease holder reports about the VM. */
  public void observe(String vm, String host, VmState state, int vcpus, ByteSize mem, Instant at) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE vms SET state = :state, vcpus = :vcpus, memory_bytes = :mem,"
                        + " seen = :at WHERE name = :vm AND host = :host")
                .bind("state", state.name())
                .bind("vcpus", vcpus)
                .bind("mem", mem.bytes())
                .bind("at", at.toEpochMilli())
                .bind("vm", vm)
                .bind("host", host)
                .execute());
  }

  public void delete(String vm) {
    jdbi.useHandle(h -> h.createUpdate("DELETE FROM vms WHERE name = :n").bind("n", vm).execute());
  }

  private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
    String aa = rs.getString("anti_affinity");
    Set<String> anti =
        aa == null || aa.isBlank()
            ? Set.of()
            : Arrays.stream(aa.split(",")).collect(Collectors.toUnmodifiableSet());
    ClusterVm vm =
        new ClusterVm(
            rs.getString("name"),
            rs.getString("host"),
            rs.getLong("epoch"),
            VmState.valueOf(rs.getString("state").toUpperCase(Locale.ROOT)),
            rs.getInt("vcpus"),
            ByteSize.ofBytes(rs.getLong("memory_bytes")),
            Optional.empty(),
            Instant.ofEpochMilli(rs.getLong("seen")));
    return new Row(
        vm,
        Instant.ofEpochMilli(rs.getLong("lease_since")),
        Optional.ofNullable(rs.getString("pending_from")),
        anti);
  }
}
