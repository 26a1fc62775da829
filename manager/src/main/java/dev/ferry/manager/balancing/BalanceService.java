package dev.ferry.manager.balancing;

import dev.ferry.api.BalanceSettingsView;
import dev.ferry.api.BalanceView;
import dev.ferry.api.ClusterMigration;
import dev.ferry.manager.ManagerException;
import dev.ferry.manager.balance.BalancePlan;
import dev.ferry.manager.balance.Balancer;
import dev.ferry.manager.balance.BalancerSettings;
import dev.ferry.manager.balance.Recommendation;
import dev.ferry.manager.placement.ClusterPlacement;
import dev.ferry.manager.queue.MigrationQueue;
import dev.ferry.manager.store.EventLog;
import dev.ferry.manager.store.SettingsStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load balancing on the live cluster: runs the balancer on a snapshot of the inventory, shows its
 * recommendations with their reasons, queues the ones an operator applies and, in automatic mode,
 * applies them itself every interval (one pass at a time; moves still running hold the next pass
 * back). Every decision is recorded as an event.
 */
public final class BalanceService {
  private static final Logger log = LoggerFactory.getLogger(BalanceService.class);
  static final String SETTINGS = "balancer";

  private final ClusterPlacement placement;
  private final MigrationQueue queue;
  private final SettingsStore settings;
  private final EventLog events;
  private final Clock clock;

  public BalanceService(
      ClusterPlacement placement,
      MigrationQueue queue,
      SettingsStore settings,
      EventLog events,
      Clock clock) {
    this.placement = placement;
    this.queue = queue;
    this.settings = settings;
    this.events = events;
    this.clock = clock;
  }

  /** Runs an automatic pass every {@code interval} (it does nothing unless the mode says so). */
  public void start(ScheduledExecutorService scheduler, Duration interval) {
    scheduler.scheduleWithFixedDelay(
        this::automaticPass, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  public BalancerSettings settings() {
    return settings
        .get(SETTINGS, BalanceSettingsView.class)
        .map(BalanceService::toSettings)
        .orElse(BalancerSettings.defaults());
  }

  public BalanceView setSettings(BalanceSettingsView view) {
    BalancerSettings s = toSettings(view);
    settings.put(SETTINGS, view(s));
    events.record(
        "balance-settings",
        "cluster",
        "mode " + view.mode() + ", aggressiveness " + view.aggressiveness());
    return status();
  }

  private static BalancerSettings toSettings(BalanceSettingsView v) {
    BalancerSettings.Mode mode;
    try {
      mode = BalancerSettings.Mode.valueOf(v.mode().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new ManagerException(
          400, "balancer mode '" + v.mode() + "' is not one of off, manual, automatic");
    }
    try {
      return BalancerSettings.defaults().withMode(mode).withAggressiveness(v.aggressiveness());
    } catch (IllegalArgumentException e) {
      throw new ManagerException(400, e.getMessage());
    }
  }

  private static BalanceSettingsView view(BalancerSettings s) {
    return new BalanceSettingsView(s.mode().name().toLowerCase(Locale.ROOT), s.aggressiveness());
  }

  /** The balancer's current view and recommendations. */
  public BalanceView status() {
    BalancerSettings s = settings();
    BalancePlan plan = plan(s);
    return new BalanceView(
        s.mode().name().toLowerCase(Locale.ROOT),
        s.aggressiveness(),
        plan.imbalanceBefore(),
        plan.imbalanceAfter(),
        plan.moves().stream()
            .map(
                m ->
                    new BalanceView.Move(
                        m.vm(), m.from(), m.to(), m.benefit(), m.cost(), m.reason()))
            .toList(),
        plan.notes(),
        clock.instant());
  }

  private BalancePlan plan(BalancerSettings s) {
    // Manual mode computes the same plan; "off" only stops automatic application and display.
    BalancerSettings effective =
        s.mode() == BalancerSettings.Mode.OFF ? s : s.withMode(BalancerSettings.Mode.MANUAL);
    return Balancer.recommend(placement.snapshot(), effective, clock.instant());
  }

  /** Queues the recommended moves of {@code vms} (all when empty), in the plan's order. */
  public List<ClusterMigration> apply(List<String> vms, String origin) {
    BalancerSettings s = settings();
    if (s.mode() == BalancerSettings.Mode.OFF) {
      throw new ManagerException(409, "balancing is off; set the mode to manual or automatic");
    }
    BalancePlan plan = plan(s);
    List<ClusterMigration> queued = new ArrayList<>();
    for (Recommendation r : plan.moves()) {
      if (!vms.isEmpty() && !vms.contains(r.vm())) {
        continue;
      }
      try {
        queued.add(queue.submit(r.vm(), r.to(), java.util.Optional.empty(), origin));
        events.record("balance-move", r.vm(), r.from() + " → " + r.to() + ": " + r.reason());
      } catch (ManagerException e) {
        events.record("balance-skipped", r.vm(), e.getMessage());
      }
    }
    if (!vms.isEmpty() && queued.isEmpty()) {
      throw new ManagerException(409, "no current recommendation moves " + String.join(", ", vms));
    }
    return queued;
  }

  private void automaticPass() {
    try {
      if (settings().mode() != BalancerSettings.Mode.AUTOMATIC) {
        return;
      }
      boolean busy =
          queue.active().stream().anyMatch(m -> m.origin().equals("balancer (automatic)"));
      if (!busy) {
        apply(List.of(), "balancer (automatic)");
      }
    } catch (RuntimeException e) {
      log.warn("Automatic balancing pass failed", e);
    }
  }
}
