package dev.ferry.manager.queue;

import java.time.Duration;

/**
 * How the queue waits. Nothing here is a poll interval of the normal path: the dispatcher runs when
 * something changed, followers refresh when the source agent's event stream says so.
 *
 * @param dispatchRecheck the longest the dispatcher waits without a signal before it looks again
 * @param dispatchRetry the wait after a dispatch pass failed (the database, say) before retrying
 * @param fallbackPoll how often a follower asks the source agent while its event stream is down
 * @param streamRefresh how often a follower asks anyway while the stream is up (a safety net for
 *     events an agent restart made it miss)
 * @param reconnect the wait before a follower reopens a stream that ended or could not open
 */
public record QueueTimings(
    Duration dispatchRecheck,
    Duration dispatchRetry,
    Duration fallbackPoll,
    Duration streamRefresh,
    Duration reconnect) {

  public static final QueueTimings DEFAULT =
      new QueueTimings(
          Duration.ofSeconds(30),
          Duration.ofSeconds(1),
          Duration.ofSeconds(5),
          Duration.ofSeconds(15),
          Duration.ofSeconds(2));
}
