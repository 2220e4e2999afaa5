package io.parley.auth;

import io.parley.shared.Failure;
import io.parley.shared.FailureLog;
import io.parley.shared.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link SessionStore} in Redis, so that a tab reconnecting to any node is recognized.
 *
 * <p>Keys, starting with the configured prefix {@code <p>}:
 * <pre>
 * &lt;p&gt;session:&lt;sessionId&gt;   string "&lt;userId&gt;|&lt;expiresAt&gt;" (injected clock millis), PX ttl + 1 h
 * &lt;p&gt;revoked               hash   userId → revoked-at millis, never expires
 * </pre>
 *
 * <p>Whether a session expired is decided by the injected {@link Clock} against
 * {@code expiresAt}; the key's {@code PX} only collects garbage, with a margin so that Redis
 * never forgets a session the clock still considers live.
 *
 * <p>Revocations never expire: a token stays valid until its own {@code exp}, which nothing
 * here bounds (tokens may be issued for longer than any TTL we would pick), and forgetting a
 * revocation would quietly make revoked tokens valid again. One field per revoked user is
 * small.
 *
 * <p>Scripts ({@code SCRIPT LOAD} at creation, {@code EVALSHA}, reloaded once on
 * {@code NOSCRIPT}): {@code claim} (check owner and expiry, then set, as one step) and
 * {@code revoke} (keeps the maximum).
 *
 * <p>While Redis cannot be reached every operation fails with a 503 "session store
 * unavailable; try again".
 */
public final class RedisSessionStore implements SessionStore {

  private static final Logger LOG = LoggerFactory.getLogger(RedisSessionStore.class);

  /** Added to the TTL for the key's garbage-collection expiry. */
  static final long GC_MARGIN_MS = TimeUnit.HOURS.toMillis(1);

  private final Redis redis;
  private final FailureLog failures;
  private final String prefix;
  private final Clock clock;
  private final long ttlMs;
  private final RedisScript claim = RedisScript.of(RedisSessionStore.class, "claim");
  private final RedisScript revoke = RedisScript.of(RedisSessionStore.class, "revoke");

  private RedisSessionStore(Redis redis, String prefix, Clock clock, long ttlMs, FailureLog failures) {
    this.redis = redis;
    this.failures = failures;
    this.prefix = prefix;
    this.clock = clock;
    this.ttlMs = ttlMs;
  }

  /**
   * Loads the scripts. {@link #close} leaves {@code redis} open: it is shared.
   *
   * @param prefix starts every key, e.g. {@code parley:}
   * @param ttlMs  a session not claimed for this long (by {@code clock}) is forgotten
   * @param failures the node's failure log: an outage is logged once per kind and interval, and counted
   */
  public static Future<RedisSessionStore> create(Redis redis, String prefix, Clock clock, long ttlMs, FailureLog failures) {
    RedisSessionStore store;
    try {
      store = new RedisSessionStore(redis, prefix, clock, ttlMs, failures);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return Future.all(store.claim.load(redis), store.revoke.load(redis)).map(loaded -> store);
  }

  @Override
  public Future<Boolean> claim(String sessionId, String userId) {
    long now = clock.millis();
    return available(claim.run(redis, prefix + "session:" + sessionId,
        List.of(userId, Long.toString(now), Long.toString(now + ttlMs), Long.toString(ttlMs + GC_MARGIN_MS)))
      .compose(reply -> switch (reply.toInteger()) {
        case 1 -> Future.succeededFuture(true);
        case 0 -> Future.succeededFuture(false);
        default -> Future.failedFuture(Failure.forbidden("this sessionId belongs to another user"));
      }));
  }

  @Override
  public Future<Void> revoke(String userId, long at) {
    return available(revoke.run(redis, prefix + "revoked", List.of(userId, Long.toString(at))).mapEmpty());
  }

  @Override
  public Future<Long> revokedAt(String userId) {
    return available(redis.send(Request.cmd(Command.HGET).arg(prefix + "revoked").arg(userId))
      .map(reply -> reply == null ? 0L : reply.toLong()));
  }

  /** Redis being away (or answering oddly) is a 503 that says to retry, not an internal error. */
  private <T> Future<T> available(Future<T> operation) {
    return operation.recover(Failure.storeUnavailable("session store", failures, LOG));
  }
}
