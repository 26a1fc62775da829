package dev.ferry.agent.cluster;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.ferry.agent.AgentException;
import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.ApiException;
import dev.ferry.api.ClusterVm;
import dev.ferry.api.Lease;
import dev.ferry.api.LeaseTransfer;
import dev.ferry.api.ManagerBinding;
import dev.ferry.api.ManagerClient;
import dev.ferry.api.ManagerUnreachableException;
import dev.ferry.common.ByteSize;
import dev.ferry.common.Persisted;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this agent is bound to a manager, and the two questions it asks it: "may I run this VM?"
 * before a start or resume, and "move the lease" at a handover. Unbound, both are no-ops (a
 * standalone agent owns its VMs by its own records). Thread-safe; the binding is persisted so it
 * survives an agent restart.
 */
public final class ManagerLink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ManagerLink.class);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration TRANSFER_PATIENCE = Duration.ofSeconds(8);
  private static final Duration TRANSFER_RETRY_DELAY = Duration.ofMillis(300);

  /**
   * The file format of {@code manager.json}: version 2 is the binding under a {@link Persisted}
   * header; version 1, the plain JSON written before, has the same fields and is still read.
   */
  static final Persisted<ManagerBinding> FORMAT =
      Persisted.of("manager-binding", 2, ManagerBinding.class, ByteSize.ofKiB(64))
          .upgradingPrevious(UnaryOperator.identity())
          .acceptingLegacy();

  private final String hostName;
  private final Path file;
  private final ReentrantLock lock = new ReentrantLock();
  private Optional<String> url = Optional.empty();
  private ManagerClient client;

  /**
   * Reads the binding persisted in {@code stateDir}, if any.
   *
   * @throws Persisted.Corrupt when {@code manager.json} exists but cannot be trusted: an agent that
   *     does not know whether a manager leases its VMs must not start
   */
  public ManagerLink(String hostName, Path stateDir) {
    this.hostName = hostName;
    this.file = stateDir.resolve("manager.json");
    Optional<ManagerBinding> saved = FORMAT.read(file);
    saved.ifPresent(
        b -> {
          bindLocked(b.url());
          log.info("Bound to the manager at {} (from {})", url.orElse("-"), file);
        });
  }

  /** The current binding. */
  public ManagerBinding binding() {
    lock.lock();
    try {
      return new ManagerBinding(url, hostName);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Binds to (or, with an empty URL, unbinds from) a manager, and persists it; the binding changes
   * only once it is written.
   *
   * @throws AgentException.Failed when it cannot be written (the old binding stays)
   */
  public ManagerBinding bind(ManagerBinding binding) {
    if (!binding.hostName().equals(hostName)) {
      throw new AgentException.BadRequest(
          "the manager calls this host '" + binding.hostName() + "', but it is '" + hostName + "'");
    }
    binding.url().ifPresent(AgentEndpoint::parse);
    ManagerBinding next = new ManagerBinding(binding.url(), hostName);
    lock.lock();
    try {
      try {
        FORMAT.write(file, next);
      } catch (UncheckedIOException e) {
        throw new AgentException.Failed(
            "cannot "
                + (next.url().isPresent() ? "bind to the manager" : "unbind from the manager")
                + ": "
                + e.getMessage()
                + ": "
                + e.getCause().getMessage(),
            e);
      }
      bindLocked(next.url());
      log.info(
          url.isPresent() ? "Bound to the manager at {}" : "Unbound from the manager{}",
          url.orElse(""));
      return next;
    } finally {
      lock.unlock();
    }
  }

  private void bindLocked(Optional<String> newUrl) {
    if (client != null) {
      client.close();
      client = null;
    }
    url = newUrl;
    client =
        newUrl.map(u -> new ManagerClient(AgentEndpoint.parse(u), REQUEST_TIMEOUT)).orElse(null);
  }

  private Optional<ManagerClient> client() {
    lock.lock();
    try {
      return Optional.ofNullable(client);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Refuses ({@code 409}) unless the manager's lease for {@code vm} names this host at an epoch not
   * newer than {@code localEpoch}, or ({@code 503}) when the manager cannot be asked.
   */
  public void checkMayRun(String vm, long localEpoch, String action) {
    Optional<ManagerClient> c = client();
    if (c.isEmpty()) {
      return;
    }
    Lease lease;
    try {
      lease = c.get().lease(vm);
    } catch (ApiException e) {
      throw new AgentException.Conflict(
          "cannot " + action + " VM '" + vm + "': the manager grants no lease: " + e.getMessage());
    } catch (ManagerUnreachableException e) {
      throw new AgentException.Unavailable(
          "cannot "
              + action
              + " VM '"
              + vm
              + "': the manager cannot confirm this host's lease ("
              + e.getMessage()
              + ")");
    }
    if (!lease.host().equals(hostName) || lease.epoch() > localEpoch || !lease.active()) {
      throw new AgentException.Conflict(
          "cannot "
              + action
              + " VM '"
              + vm
              + "': the manager leases it to "
              + lease.host()
              + " (epoch "
              + lease.epoch()
              + (lease.active() ? "" : ", handover from " + lease.pendingFrom().orElse("?"))
              + "), not to this host ("
              + hostName
              + ", epoch "
              + localEpoch
              + ")");
    }
  }

  /**
   * Moves the lease of {@code vm} from this host to {@code to} before the destination resumes it.
   * Retries a manager that does not answer for a few seconds (the transfer is idempotent: the
   * manager compares and sets on the epoch).
   */
  public LeaseOutcome transfer(String vm, String to, long epoch, String migration) {
    Optional<ManagerClient> c = client();
    if (c.isEmpty()) {
      return new LeaseOutcome.Moved();
    }
    RetryPolicy<Lease> retry =
        RetryPolicy.<Lease>builder()
            .handle(ManagerUnreachableException.class)
            .withDelay(TRANSFER_RETRY_DELAY)
            .withMaxDuration(TRANSFER_PATIENCE)
            .withMaxRetries(-1)
            .onRetry(
                e ->
                    log.warn(
                        "Lease transfer of VM '{}' not confirmed yet: {}",
                        vm,
                        e.getLastException().getMessage()))
            .build();
    try {
      Lease moved =
          Failsafe.with(retry)
              .get(
                  () ->
                      c.get().transferLease(vm, new LeaseTransfer(hostName, to, epoch, migration)));
      log.info("Lease of VM '{}' moved to {} at epoch {}", vm, moved.host(), moved.epoch());
      return new LeaseOutcome.Moved();
    } catch (ApiException e) {
      return new LeaseOutcome.Refused("the manager refused to move the lease: " + e.getMessage());
    } catch (ManagerUnreachableException e) {
      return new LeaseOutcome.Unconfirmed(
          "the manager did not confirm the lease transfer: " + e.getMessage());
    } catch (FailsafeException e) {
      if (e.getCause() instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return new LeaseOutcome.Unconfirmed("interrupted while moving the lease");
    }
  }

  /**
   * Settles the lease a handover moved to this host at {@code epoch}, before the guest resumes
   * here. One call, no retry: the source retries the handover, and a destination that cannot reach
   * the manager keeps the guest paused.
   */
  public LeaseActivation activate(String vm, long epoch, String migration) {
    Optional<ManagerClient> c = client();
    if (c.isEmpty()) {
      return new LeaseActivation.Activated();
    }
    try {
      Lease lease =
          c.get().activateLease(vm, new dev.ferry.api.LeaseActivation(hostName, epoch, migration));
      log.info("Lease of VM '{}' activated here at epoch {}", vm, lease.epoch());
      return new LeaseActivation.Activated();
    } catch (ApiException e) {
      return new LeaseActivation.Refused("the manager refused the lease: " + e.getMessage());
    } catch (ManagerUnreachableException e) {
      return new LeaseActivation.Unreachable(
          "the manager cannot settle the lease: " + e.getMessage());
    }
  }

  /**
   * Gives back to {@code to} (the source) the lease of {@code vm} this host activated at {@code
   * epoch} but could not use; true when the manager has it back with the source (or no manager is
   * bound).
   */
  public boolean giveBack(String vm, String to, long epoch, String migration) {
    Optional<ManagerClient> c = client();
    if (c.isEmpty()) {
      return true;
    }
    try {
      Lease back = c.get().returnLease(vm, new LeaseTransfer(hostName, to, epoch, migration));
      log.warn("Lease of VM '{}' given back to {} at epoch {}", vm, back.host(), back.epoch());
      return true;
    } catch (ApiException | ManagerUnreachableException e) {
      log.error("Lease of VM '{}' not given back to {}: {}", vm, to, e.getMessage());
      return false;
    }
  }

  /**
   * Takes back the lease of {@code vm} moved to {@code to} (from this host's {@code epoch}) at a
   * handover that failed. One call, no retry: the handover's settling loop asks again.
   */
  public LeaseReclaim reclaim(String vm, String to, long epoch, String migration) {
    Optional<ManagerClient> c = client();
    if (c.isEmpty()) {
      return new LeaseReclaim.NoManager();
    }
    try {
      Lease back = c.get().reclaimLease(vm, new LeaseTransfer(hostName, to, epoch, migration));
      log.info("Lease of VM '{}' back here at epoch {}", vm, back.epoch());
      return new LeaseReclaim.Reclaimed(back.epoch());
    } catch (ApiException e) {
      if (e.status() == 404) {
        return new LeaseReclaim.HeldElsewhere(Optional.empty(), e.getMessage());
      }
      try {
        return new LeaseReclaim.HeldElsewhere(Optional.of(c.get().lease(vm)), e.getMessage());
      } catch (ApiException gone) {
        return new LeaseReclaim.HeldElsewhere(Optional.empty(), gone.getMessage());
      } catch (ManagerUnreachableException u) {
        return new LeaseReclaim.Unreachable(u.getMessage());
      }
    } catch (ManagerUnreachableException e) {
      return new LeaseReclaim.Unreachable(
          "the manager cannot give the lease back: " + e.getMessage());
    }
  }

  /**
   * The manager's inventory by VM name (who holds each lease, at which epoch, in which state), or
   * empty when unbound.
   *
   * @throws ManagerUnreachableException when the manager does not answer
   */
  public Optional<Map<String, ClusterVm>> clusterVms() {
    Optional<ManagerClient> c = client();
    if (c.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        c.get().vms().stream().collect(Collectors.toMap(ClusterVm::name, v -> v, (a, b) -> a)));
  }

  /**
   * The manager's lease of {@code vm}, or empty when unbound.
   *
   * @throws ManagerUnreachableException when the manager does not answer
   */
  public Optional<Lease> lease(String vm) {
    return client().map(c -> c.lease(vm));
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (client != null) {
        client.close();
        client = null;
      }
    } finally {
      lock.unlock();
    }
  }
}
