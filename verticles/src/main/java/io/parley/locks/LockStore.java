package io.parley.locks;

import io.vertx.core.Future;

import java.util.List;

/**
 * Edit locks: which session holds each resource, the kick-out requests waiting for an answer,
 * and the append-only log of transfers. What a resource is (its name, what it belongs to) is
 * the host application's to say, not the store's: see {@link ResourceInfo}.
 *
 * <p>Contract, checked by {@code LockStoreContract} against every implementation:
 * <ul>
 *   <li><b>At most one holder per resource, decided by the store.</b> {@link #acquire} is one
 *       atomic step (for Postgres, one conditional upsert on the unique resource): however many
 *       sessions acquire at once, through however many stores sharing the data, exactly one
 *       gets a free lock and every other is told who has it. Nothing is checked in one step
 *       and written in another.</li>
 *   <li><b>The holder is a session, not a user.</b> The holding session's own acquire
 *       continues its lock (a tab that reconnects keeps it, since its sessionId survives);
 *       another session gets nothing, even one of the same user. Only the holding session's
 *       {@link #heartbeat} refreshes a lock and only its {@link #release} frees it.</li>
 *   <li><b>Expiry by the store's clock.</b> A lock whose {@code lastUpdated} is older than
 *       {@code ttlMs} is free: {@link #status} shows no holder, a heartbeat no longer saves it,
 *       and an acquire by another session takes it over and answers the expired lock (so its
 *       holder can be told). {@link #expireLocks} removes expired locks, each answered by
 *       exactly one call across all stores sharing the data, so its holder hears of it once.</li>
 *   <li><b>Kicks are settled exactly once.</b> A resource has at most one pending kick, recorded
 *       against its live holder at the time. It is settled by the first of: that holder's
 *       {@link #answerKick answer}, its deadline ({@link #settleOverdueKicks}), or the holder
 *       leaving ({@link #settlePendingKick}); whichever comes second finds nothing to settle.
 *       A transfer moves the lock to the kicker only while the kick's holder still holds it,
 *       and appends exactly one {@link Kickoff} in the same atomic step: the log has one entry
 *       per transfer, never none, never two.</li>
 *   <li><b>The kick-off log is append-only.</b> Entries are never changed or removed.</li>
 *   <li><b>A refusal changes nothing.</b> An operation that answers "not yours", "unknown" or
 *       "held by someone else" leaves every lock, kick and log entry as it was.</li>
 *   <li><b>Time comes from the injected clock</b>, for every stamp and every expiry decision,
 *       so expiry is tested by moving the clock, never by sleeping.</li>
 * </ul>
 *
 * <p>Resources are {@link Resource} keys; sessions are the tabs' sessionIds (uuids).
 */
public interface LockStore {

  /** Who holds or wants a lock: a tab (sessionId) of a user, with the user's display name. */
  record Holder(String sessionId, String userId, String name) {
  }

  /**
   * A held lock. {@code id} names this holding (a row of the {@code connections} table in
   * Postgres, and {@link Kickoff#connectionId}): it stays the same
   * while the holder continues and when a kick moves the lock, and is new for a new holding.
   * Times are epoch millis.
   */
  record Lock(long id, String resource, Holder holder, long lastUpdated, long created) {
  }

  enum AcquireOutcome {
    /** The lock was free (or expired) and is now the caller's. */
    ACQUIRED,
    /** The caller's session held it already; its {@code lastUpdated} was refreshed. */
    CONTINUED,
    /** Another session holds it; nothing changed. */
    HELD_BY_OTHER
  }

  /**
   * @param lock    the lock after the call: the caller's, or for {@code HELD_BY_OTHER} the holder's
   * @param expired the expired lock of another session that this acquire took over, or null
   */
  record Acquisition(AcquireOutcome outcome, Lock lock, Lock expired) {
    public boolean holds() {
      return outcome != AcquireOutcome.HELD_BY_OTHER;
    }
  }

  /** A lock that was freed, and whether a kick for it is pending (settle it: {@link #settlePendingKick}). */
  record Release(Lock lock, boolean kickPending) {
  }

  /** A kick-out request: {@code kicker} asked {@code holder} to give up {@code resource} by {@code deadline}. */
  record Kick(int receiptNumber, String resource, Holder kicker, Holder holder, long deadline) {
  }

  enum KickOutcome {
    /** A new kick was recorded; its holder is to be asked. */
    REQUESTED,
    /** This kicker's session already has a kick pending for the resource: that one is answered. */
    ALREADY_REQUESTED,
    /** Nobody holds the resource (or its lock expired): there is no one to kick. */
    FREE,
    /** The kicker's own session holds it. */
    OWN,
    /** Another session's kick is pending for the resource. */
    PENDING_OTHER
  }

  /** @param kick the recorded or pending kick (null for FREE and OWN); @param lock the lock as seen */
  record KickRequest(KickOutcome outcome, Kick kick, Lock lock) {
  }

  /** Why a kick was settled. */
  enum SettleReason {
    /** The holder answered {@code kickMeOut: true}. */
    CONSENT,
    /** The holder answered {@code kickMeOut: false} in time. */
    REFUSAL,
    /** No answer by the deadline (an answer after it counts as none). */
    TIMEOUT,
    /** The holder released the lock or lost it to expiry before answering. */
    HOLDER_LEFT
  }

  enum SettleOutcome {
    /** The lock moved from the kick's holder to the kicker; one {@link Kickoff} was logged. */
    TRANSFERRED,
    /** The holder had gone and the lock was free: the kicker acquired it (nothing logged). */
    GRANTED,
    /** The holder refused: nothing moved. */
    REFUSED,
    /** The holder had gone and someone else holds it now: the kicker gets nothing. */
    TAKEN
  }

  /**
   * The end of a kick.
   *
   * @param lock    the lock afterwards: the kicker's (TRANSFERRED, GRANTED), the holder's
   *                (REFUSED), the other holder's (TAKEN); null if nobody holds it
   * @param expired for GRANTED, an expired lock of a third session that was taken over, else null
   */
  record Settlement(Kick kick, SettleReason reason, SettleOutcome outcome, Lock lock, Lock expired) {
  }

  /** One entry of the append-only kick-off log: a lock moved from {@code oldSessionId} to {@code newSessionId}. */
  record Kickoff(long id, String kickerUserId, String receiverUserId, long connectionId, String resource,
                 int receiptNumber, String oldSessionId, String newSessionId, long created) {
  }

  /** The live lock on {@code resource}, or null when it is free or its lock expired. */
  Future<Lock> status(Resource resource);

  /** Gives {@code who} the lock if it is free, expired or already theirs; see the class contract. */
  Future<Acquisition> acquire(Resource resource, Holder who);

  /** Refreshes the lock's {@code lastUpdated} when {@code sessionId} holds it live: the lock, else null. */
  Future<Lock> heartbeat(Resource resource, String sessionId);

  /** Frees the lock when {@code sessionId} holds it (expired or not): what was freed, else null. */
  Future<Release> release(Resource resource, String sessionId);

  /**
   * Records a kick of the resource's live holder by {@code kicker}, with a new random positive
   * receipt number and the deadline {@code now + kickTimeoutMs}; or says why there is none.
   */
  Future<KickRequest> requestKick(Resource resource, Holder kicker);

  /**
   * The kicked holder's answer: settles the kick (CONSENT or REFUSAL; TIMEOUT when its deadline
   * passed, whatever the answer). Fails with 404 when no kick with that receipt is pending (never
   * was, or already settled) and 403 when it is another session's to answer; nothing changes then.
   */
  Future<Settlement> answerKick(int receiptNumber, String sessionId, boolean kickMeOut);

  /** Settles the pending kick of a resource whose holder left (HOLDER_LEFT); null when none is pending. */
  Future<Settlement> settlePendingKick(Resource resource);

  /** Removes up to {@code limit} expired locks; each expired lock is answered by exactly one call. */
  Future<List<Release>> expireLocks(int limit);

  /** Settles up to {@code limit} kicks whose deadline passed (TIMEOUT), each exactly once. */
  Future<List<Settlement>> settleOverdueKicks(int limit);

  /** The kick-off log of a resource, oldest first. */
  Future<List<Kickoff>> kickoffs(Resource resource);

  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
