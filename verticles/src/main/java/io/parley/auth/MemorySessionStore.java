package io.parley.auth;

import io.vertx.core.Future;
import io.parley.shared.Failure;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link SessionStore} for a single node: lost on restart, which makes every tab new again. */
public final class MemorySessionStore implements SessionStore {

  private record Session(String userId, long lastSeen) {
  }

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Map<String, Long> revocations = new ConcurrentHashMap<>();
  private static final int MIN_SWEEP_SIZE = 1024;
  private volatile int sweepAtSize = MIN_SWEEP_SIZE;
  private final Clock clock;
  private final long ttlMs;

  public MemorySessionStore(Clock clock, long ttlMs) {
    this.clock = clock;
    this.ttlMs = ttlMs;
  }

  @Override
  public Future<Boolean> claim(String sessionId, String userId) {
    long now = clock.millis();
    boolean[] resumed = {false};
    boolean[] foreign = {false};
    sessions.compute(sessionId, (id, existing) -> {
      if (existing == null || now - existing.lastSeen() > ttlMs) {
        return new Session(userId, now);
      }
      if (!existing.userId().equals(userId)) {
        foreign[0] = true;
        return existing;
      }
      resumed[0] = true;
      return new Session(userId, now);
    });
    if (foreign[0]) {
      return Future.failedFuture(Failure.forbidden("this sessionId belongs to another user"));
    }
    if (sessions.size() > sweepAtSize) {
      // amortized clean-up each time the map doubles, so forgotten tabs need no timer
      sessions.values().removeIf(s -> now - s.lastSeen() > ttlMs);
      sweepAtSize = Math.max(MIN_SWEEP_SIZE, 2 * sessions.size());
    }
    return Future.succeededFuture(resumed[0]);
  }

  @Override
  public Future<Void> revoke(String userId, long at) {
    revocations.merge(userId, at, Math::max);
    return Future.succeededFuture();
  }

  @Override
  public Future<Long> revokedAt(String userId) {
    return Future.succeededFuture(revocations.getOrDefault(userId, 0L));
  }
}
