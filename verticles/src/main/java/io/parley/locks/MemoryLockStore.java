package io.parley.locks;

import io.parley.shared.Failure;
import io.vertx.core.Future;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@link LockStore} for a single node, lost on restart. One monitor guards everything, so every
 * operation is one atomic step, as the contract asks.
 */
public final class MemoryLockStore implements LockStore {

  private final Clock clock;
  private final LocksOptions options;
  private final Map<String, Lock> locks = new HashMap<>();
  private final Map<String, Kick> kicksByResource = new HashMap<>();
  private final Map<Integer, Kick> kicksByReceipt = new HashMap<>();
  private final List<Kickoff> log = new ArrayList<>();
  private long nextLockId = 1;
  private long nextKickoffId = 1;

  public MemoryLockStore(Clock clock, LocksOptions options) {
    this.clock = clock;
    this.options = options;
  }

  @Override
  public synchronized Future<Lock> status(Resource resource) {
    return Future.succeededFuture(live(resource.key(), clock.millis()));
  }

  @Override
  public synchronized Future<Acquisition> acquire(Resource resource, Holder who) {
    return Future.succeededFuture(acquireNow(resource.key(), who, clock.millis()));
  }

  @Override
  public synchronized Future<Lock> heartbeat(Resource resource, String sessionId) {
    long now = clock.millis();
    Lock lock = live(resource.key(), now);
    if (lock == null || !lock.holder().sessionId().equals(sessionId)) {
      return Future.succeededFuture(null);
    }
    Lock refreshed = new Lock(lock.id(), lock.resource(), lock.holder(), now, lock.created());
    locks.put(lock.resource(), refreshed);
    return Future.succeededFuture(refreshed);
  }

  @Override
  public synchronized Future<Release> release(Resource resource, String sessionId) {
    Lock lock = locks.get(resource.key());
    if (lock == null || !lock.holder().sessionId().equals(sessionId)) {
      return Future.succeededFuture(null);
    }
    locks.remove(resource.key());
    return Future.succeededFuture(new Release(lock, kicksByResource.containsKey(resource.key())));
  }

  @Override
  public synchronized Future<KickRequest> requestKick(Resource resource, Holder kicker) {
    long now = clock.millis();
    Kick pending = kicksByResource.get(resource.key());
    Lock lock = live(resource.key(), now);
    if (pending != null) {
      boolean same = pending.kicker().sessionId().equals(kicker.sessionId());
      return Future.succeededFuture(new KickRequest(same ? KickOutcome.ALREADY_REQUESTED : KickOutcome.PENDING_OTHER, pending, lock));
    }
    if (lock == null) {
      return Future.succeededFuture(new KickRequest(KickOutcome.FREE, null, null));
    }
    if (lock.holder().sessionId().equals(kicker.sessionId())) {
      return Future.succeededFuture(new KickRequest(KickOutcome.OWN, null, lock));
    }
    int receipt;
    do {
      receipt = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
    } while (kicksByReceipt.containsKey(receipt));
    Kick kick = new Kick(receipt, resource.key(), kicker, lock.holder(), now + options.kickTimeoutMs());
    kicksByResource.put(kick.resource(), kick);
    kicksByReceipt.put(receipt, kick);
    return Future.succeededFuture(new KickRequest(KickOutcome.REQUESTED, kick, lock));
  }

  @Override
  public synchronized Future<Settlement> answerKick(int receiptNumber, String sessionId, boolean kickMeOut) {
    Kick kick = kicksByReceipt.get(receiptNumber);
    if (kick == null) {
      return Future.failedFuture(Failure.notFound("no kick-out request " + receiptNumber + " is pending (unknown, or already settled)"));
    }
    if (!kick.holder().sessionId().equals(sessionId)) {
      return Future.failedFuture(Failure.forbidden("kick-out request " + receiptNumber + " asks another session; only it may answer"));
    }
    long now = clock.millis();
    SettleReason reason = now >= kick.deadline() ? SettleReason.TIMEOUT
      : kickMeOut ? SettleReason.CONSENT : SettleReason.REFUSAL;
    return Future.succeededFuture(settle(kick, reason, now));
  }

  @Override
  public synchronized Future<Settlement> settlePendingKick(Resource resource) {
    Kick kick = kicksByResource.get(resource.key());
    return Future.succeededFuture(kick == null ? null : settle(kick, SettleReason.HOLDER_LEFT, clock.millis()));
  }

  @Override
  public synchronized Future<List<Release>> expireLocks(int limit) {
    long expiredBefore = clock.millis() - options.ttlMs();
    List<Release> expired = new ArrayList<>();
    Iterator<Lock> it = locks.values().iterator();
    while (it.hasNext() && expired.size() < limit) {
      Lock lock = it.next();
      if (lock.lastUpdated() < expiredBefore) {
        it.remove();
        expired.add(new Release(lock, kicksByResource.containsKey(lock.resource())));
      }
    }
    return Future.succeededFuture(expired);
  }

  @Override
  public synchronized Future<List<Settlement>> settleOverdueKicks(int limit) {
    long now = clock.millis();
    List<Kick> overdue = kicksByResource.values().stream()
      .filter(kick -> kick.deadline() <= now)
      .sorted((a, b) -> Long.compare(a.deadline(), b.deadline()))
      .limit(limit)
      .toList();
    return Future.succeededFuture(overdue.stream().map(kick -> settle(kick, SettleReason.TIMEOUT, now)).toList());
  }

  @Override
  public synchronized Future<List<Kickoff>> kickoffs(Resource resource) {
    return Future.succeededFuture(log.stream().filter(entry -> entry.resource().equals(resource.key())).toList());
  }

  /** The lock on {@code key} unless it expired (an expired lock is free, swept or not). */
  private Lock live(String key, long now) {
    Lock lock = locks.get(key);
    return lock == null || lock.lastUpdated() < now - options.ttlMs() ? null : lock;
  }

  private Acquisition acquireNow(String key, Holder who, long now) {
    Lock current = locks.get(key);
    if (current != null && current.holder().sessionId().equals(who.sessionId())) {
      Lock continued = new Lock(current.id(), key, who, now, current.created());
      locks.put(key, continued);
      return new Acquisition(AcquireOutcome.CONTINUED, continued, null);
    }
    if (current != null && current.lastUpdated() >= now - options.ttlMs()) {
      return new Acquisition(AcquireOutcome.HELD_BY_OTHER, current, null);
    }
    Lock acquired = new Lock(nextLockId++, key, who, now, now);
    locks.put(key, acquired);
    return new Acquisition(AcquireOutcome.ACQUIRED, acquired, current);
  }

  private Settlement settle(Kick kick, SettleReason reason, long now) {
    kicksByResource.remove(kick.resource());
    kicksByReceipt.remove(kick.receiptNumber());
    Lock current = locks.get(kick.resource());
    if (reason == SettleReason.REFUSAL) {
      return new Settlement(kick, reason, SettleOutcome.REFUSED, live(kick.resource(), now), null);
    }
    if (current != null && current.holder().sessionId().equals(kick.holder().sessionId())) {
      Lock moved = new Lock(current.id(), current.resource(), kick.kicker(), now, current.created());
      locks.put(moved.resource(), moved);
      log.add(new Kickoff(nextKickoffId++, kick.kicker().userId(), kick.holder().userId(), current.id(), current.resource(),
        kick.receiptNumber(), kick.holder().sessionId(), kick.kicker().sessionId(), now));
      return new Settlement(kick, reason, SettleOutcome.TRANSFERRED, moved, null);
    }
    Acquisition acquisition = acquireNow(kick.resource(), kick.kicker(), now);
    return acquisition.holds()
      ? new Settlement(kick, reason, SettleOutcome.GRANTED, acquisition.lock(), acquisition.expired())
      : new Settlement(kick, reason, SettleOutcome.TAKEN, acquisition.lock(), null);
  }
}
