package io.parley.pusher;

import io.parley.shared.Failure;
import io.parley.shared.FailureLog;
import io.parley.shared.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@link WebhookQueue} in Redis, shared by every node. Each operation is one Lua script, so
 * deciding (cancel or schedule, claim with a lease) is atomic across nodes.
 *
 * <p>Keys, all starting with the configured prefix {@code <p>}:
 * <pre>
 * &lt;p&gt;webhooks:due              zset   job id → due time, or its lease's end while claimed (injected clock millis)
 * &lt;p&gt;webhook:&lt;id&gt;              hash   {payload, attempts, first (first due time), claimed (0/1), cancel (its cancel key or '')}
 * &lt;p&gt;webhook-cancel:&lt;key&gt;      string the id of the last job scheduled with that cancel key
 * </pre>
 * Nothing expires: a job stays until a node completes it (delivered, or given up after the
 * retry budget). Scripts: {@code webhook_schedule}, {@code webhook_cancel_or_schedule},
 * {@code webhook_claim}, {@code webhook_complete}, {@code webhook_retry}; each is given the key
 * prefixes, so the layout lives here alone. While Redis cannot be reached every operation fails
 * with a 503 "webhook queue unavailable; try again".
 */
public final class RedisWebhookQueue implements WebhookQueue {

  private static final Logger LOG = LoggerFactory.getLogger(RedisWebhookQueue.class);
  private static final String STORE = "webhook queue";

  private final Redis redis;
  private final Clock clock;
  private final FailureLog failures;
  private final String dueKey;
  private final String jobPrefix;
  private final String cancelPrefix;
  private final RedisScript schedule = RedisScript.of(RedisWebhookQueue.class, "webhook_schedule");
  private final RedisScript cancelOrSchedule = RedisScript.of(RedisWebhookQueue.class, "webhook_cancel_or_schedule");
  private final RedisScript claim = RedisScript.of(RedisWebhookQueue.class, "webhook_claim");
  private final RedisScript complete = RedisScript.of(RedisWebhookQueue.class, "webhook_complete");
  private final RedisScript retry = RedisScript.of(RedisWebhookQueue.class, "webhook_retry");

  private RedisWebhookQueue(Redis redis, String prefix, Clock clock, FailureLog failures) {
    this.redis = redis;
    this.clock = clock;
    this.failures = failures;
    this.dueKey = prefix + "webhooks:due";
    this.jobPrefix = prefix + "webhook:";
    this.cancelPrefix = prefix + "webhook-cancel:";
  }

  /**
   * Loads the scripts. {@link #close} leaves {@code redis} open: it is shared.
   *
   * @param prefix   starts every key, e.g. {@code parley:}
   * @param failures the node's failure log: an outage is logged once per kind and interval, and counted
   */
  public static Future<RedisWebhookQueue> create(Redis redis, String prefix, Clock clock, FailureLog failures) {
    RedisWebhookQueue queue;
    try {
      queue = new RedisWebhookQueue(redis, prefix, clock, failures);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return Future.all(List.of(queue.schedule.load(redis), queue.cancelOrSchedule.load(redis), queue.claim.load(redis),
      queue.complete.load(redis), queue.retry.load(redis))).map(loaded -> queue);
  }

  @Override
  public Future<Void> schedule(String payload, long delayMs, String cancelKey) {
    long now = clock.millis();
    return run(schedule, now, newId(), payload, Long.toString(now + delayMs), cancelKey == null ? "" : cancelKey).mapEmpty();
  }

  @Override
  public Future<Boolean> cancelOrSchedule(String cancelKey, String payload) {
    return run(cancelOrSchedule, clock.millis(), cancelKey, newId(), payload == null ? "" : payload).map(reply -> reply.toInteger() == 1);
  }

  @Override
  public Future<List<Job>> claim(int max, long leaseMs) {
    return run(claim, clock.millis(), Integer.toString(max), Long.toString(leaseMs)).map(reply -> {
      List<Job> jobs = new ArrayList<>(reply.size() / 4);
      for (int i = 0; i + 3 < reply.size(); i += 4) {
        jobs.add(new Job(reply.get(i).toString(), reply.get(i + 1).toString(), reply.get(i + 2).toInteger(), reply.get(i + 3).toLong()));
      }
      return jobs;
    });
  }

  @Override
  public Future<Void> complete(String id) {
    return run(complete, clock.millis(), id).mapEmpty();
  }

  @Override
  public Future<Void> retry(String id, long delayMs) {
    long now = clock.millis();
    return run(retry, now, id, Long.toString(now + delayMs)).mapEmpty();
  }

  /** Runs a script with the due set as KEYS[1] and the layout and time before its own arguments. */
  private Future<Response> run(RedisScript script, long now, String... own) {
    List<String> args = new ArrayList<>(3 + own.length);
    args.add(jobPrefix);
    args.add(cancelPrefix);
    args.add(Long.toString(now));
    args.addAll(List.of(own));
    return script.run(redis, dueKey, args).recover(Failure.storeUnavailable(STORE, failures, LOG));
  }

  private static String newId() {
    return UUID.randomUUID().toString();
  }
}
