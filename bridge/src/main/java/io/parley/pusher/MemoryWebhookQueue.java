package io.parley.pusher;

import io.vertx.core.Future;

import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@link WebhookQueue} for a single node, under one lock. Jobs live as long as the node: a node
 * with its stores in memory has nobody to hand them to anyway.
 */
public final class MemoryWebhookQueue implements WebhookQueue {

  private static final class Entry {
    final String id;
    final String payload;
    final String cancelKey;
    final long firstDueAt;
    /** When it is next handed out: its due time, or its lease's end while claimed. */
    long dueAt;
    int attempts;
    boolean claimed;

    Entry(String id, String payload, String cancelKey, long dueAt) {
      this.id = id;
      this.payload = payload;
      this.cancelKey = cancelKey;
      this.firstDueAt = dueAt;
      this.dueAt = dueAt;
    }
  }

  private final Clock clock;
  private final Map<String, Entry> jobs = new HashMap<>();
  /** cancel key → the id of the last job scheduled with it. */
  private final Map<String, String> cancellable = new HashMap<>();

  public MemoryWebhookQueue(Clock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized Future<Void> schedule(String payload, long delayMs, String cancelKey) {
    add(payload, clock.millis() + delayMs, cancelKey);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Boolean> cancelOrSchedule(String cancelKey, String payload) {
    long now = clock.millis();
    String pending = cancellable.get(cancelKey);
    Entry job = pending == null ? null : jobs.get(pending);
    if (job != null && !job.claimed && job.firstDueAt > now) {
      jobs.remove(pending);
      cancellable.remove(cancelKey);
      return Future.succeededFuture(true);
    }
    if (payload != null) {
      add(payload, now, null);
    }
    return Future.succeededFuture(false);
  }

  @Override
  public synchronized Future<List<Job>> claim(int max, long leaseMs) {
    long now = clock.millis();
    List<Entry> due = jobs.values().stream()
      .filter(job -> job.dueAt <= now)
      .sorted(Comparator.comparingLong((Entry job) -> job.dueAt))
      .limit(max)
      .toList();
    for (Entry job : due) {
      job.claimed = true;
      job.dueAt = now + leaseMs;
    }
    return Future.succeededFuture(due.stream().map(job -> new Job(job.id, job.payload, job.attempts, job.firstDueAt)).toList());
  }

  @Override
  public synchronized Future<Void> complete(String id) {
    Entry job = jobs.remove(id);
    if (job != null && job.cancelKey != null) {
      cancellable.remove(job.cancelKey, id);
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> retry(String id, long delayMs) {
    Entry job = jobs.get(id);
    if (job != null) {
      job.attempts++;
      job.claimed = false;
      job.dueAt = clock.millis() + delayMs;
    }
    return Future.succeededFuture();
  }

  private void add(String payload, long dueAt, String cancelKey) {
    String id = UUID.randomUUID().toString();
    jobs.put(id, new Entry(id, payload, cancelKey, dueAt));
    if (cancelKey != null) {
      cancellable.put(cancelKey, id);
    }
  }
}
