package dev.ferry.manager.hosts;

import dev.ferry.api.AgentClient;
import dev.ferry.api.AgentEndpoint;
import dev.ferry.api.AgentEvent;
import dev.ferry.api.ClusterHost;
import dev.ferry.manager.store.HostStore;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows each host's agent event stream, so that what happens on a host (a VM started, stopped,
 * created, deleted, migrated) reaches the inventory at once instead of at the next heartbeat: every
 * event of a host asks for that host's heartbeat ({@link HostMonitor#beat}), at most one running
 * and one waiting per host, however many events arrive. The periodic heartbeat stays as the slow
 * fallback and the load sampler; liveness is still the heartbeat's to judge.
 *
 * <p>One stream per host on its own virtual thread, reopened after {@code reopen} when it fails or
 * ends (from the last event seen; from the start after a failed connect, since a restarted agent
 * numbers its events from 1 again); each opening asks for a heartbeat, so nothing missed meanwhile
 * is lost. Hosts added later are picked up, removed ones let go, every {@code reopen}.
 */
public final class HostWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HostWatch.class);

  private final HostStore hosts;
  private final Consumer<ClusterHost> beat;
  private final Duration reopen;
  private final Map<String, Stream> streams = new ConcurrentHashMap<>();
  private final CountDownLatch closing = new CountDownLatch(1);

  /**
   * @param beat one heartbeat of a host ({@link HostMonitor#beat})
   * @param reopen how long after a failed or ended stream it is opened again
   */
  public HostWatch(HostStore hosts, Consumer<ClusterHost> beat, Duration reopen) {
    this.hosts = hosts;
    this.beat = beat;
    this.reopen = reopen;
  }

  /** Starts following the hosts known now, and checks for added or removed ones every reopen. */
  public void start(ScheduledExecutorService scheduler) {
    scheduler.scheduleWithFixedDelay(this::reconcile, 0, reopen.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void reconcile() {
    try {
      Map<String, String> known =
          hosts.all().stream().collect(Collectors.toMap(ClusterHost::name, ClusterHost::url));
      for (var e : known.entrySet()) {
        Stream s = streams.get(e.getKey());
        if (s == null || !s.url.equals(e.getValue())) {
          if (s != null) {
            s.close();
          }
          Stream next = new Stream(e.getKey(), e.getValue());
          streams.put(e.getKey(), next);
          next.start();
        }
      }
      Set<String> gone = Set.copyOf(streams.keySet());
      for (String name : gone) {
        if (!known.containsKey(name)) {
          Stream s = streams.remove(name);
          if (s != null) {
            s.close();
          }
        }
      }
    } catch (RuntimeException e) {
      log.warn("Following the hosts' event streams: {}", e.toString());
    }
  }

  @Override
  public void close() {
    closing.countDown();
    streams.values().forEach(Stream::close);
    streams.clear();
  }

  /** The event stream of one host. */
  private final class Stream {
    private final String name;
    private final String url;
    private final AgentClient client;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicBoolean beatWaiting = new AtomicBoolean();
    private final Object beating = new Object();
    private volatile long lastSeq;

    Stream(String name, String url) {
      this.name = name;
      this.url = url;
      this.client = new AgentClient(AgentEndpoint.parse(url), Duration.ofSeconds(5));
    }

    void start() {
      Thread.ofVirtual().name("host-watch-" + name).start(this::follow);
    }

    private void follow() {
      boolean warned = false;
      while (!stopped.get()) {
        try {
          client.followEvents(lastSeq, this::requestBeat, this::onEvent);
          warned = false;
        } catch (RuntimeException e) {
          if (!stopped.get() && !warned) {
            log.info(
                "No event stream from {} ({}); its heartbeat alone keeps the inventory",
                name,
                e.getMessage());
            warned = true;
          }
          lastSeq = 0;
        }
        try {
          if (closing.await(reopen.toMillis(), TimeUnit.MILLISECONDS)) {
            return;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    private void onEvent(AgentEvent e) {
      lastSeq = e.seq();
      requestBeat();
    }

    /** A heartbeat of this host soon: one may run while one more waits; others fold into it. */
    private void requestBeat() {
      if (stopped.get() || beatWaiting.getAndSet(true)) {
        return;
      }
      Thread.ofVirtual()
          .name("host-watch-beat-" + name)
          .start(
              () -> {
                synchronized (beating) {
                  beatWaiting.set(false);
                  try {
                    hosts.find(name).ifPresent(beat);
                  } catch (RuntimeException e) {
                    log.warn("Heartbeat of {} after an event failed", name, e);
                  }
                }
              });
    }

    void close() {
      stopped.set(true);
      client.close();
    }
  }
}
