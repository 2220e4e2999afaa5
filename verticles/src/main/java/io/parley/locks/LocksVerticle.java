package io.parley.locks;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.parley.locks.LockStore.AcquireOutcome;
import io.parley.locks.LockStore.Holder;
import io.parley.locks.LockStore.Kick;
import io.parley.locks.LockStore.Lock;
import io.parley.locks.LockStore.Release;
import io.parley.locks.LockStore.SettleReason;
import io.parley.locks.LockStore.Settlement;
import io.parley.shared.Addresses;
import io.parley.shared.Caller;
import io.parley.shared.Failure;
import io.parley.shared.FailureLog;
import io.parley.shared.Headers;
import io.parley.shared.RealtimeService;
import io.parley.shared.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Edit locks: one editor per resource, heartbeats, kick-out with consent. The whole flow is in
 * this file; the {@link LockStore} makes each step atomic.
 *
 * <pre>
 * locks.status    {resource}           anyone           → status
 * locks.acquire   {resource, seq?}     free or mine     → status, okToEdit true; held → okToEdit false
 * locks.heartbeat {resource}           the holder       → status (lastUpdated moves on)
 * locks.release   {resource}           the holder       → status, holder null
 * locks.kick      {resource}           not the holder   → {receiptNumber}; the holder's client room
 *                                                          gets lock.kick-requested
 * locks.kick.answer {receiptNumber, kickMeOut}  the kicked session → {}
 * </pre>
 *
 * A status is {@code {resource, receiptNumber, okToEdit, holder: {userId, name, sessionId} | null,
 * lastUpdated, info}}; every reply echoes the request's {@code seq}. Who acts is the bridge's
 * identity headers ({@link Caller}), never the body. Events are server events, published
 * through the node's room publisher: {@code lock.granted}, {@code lock.lost},
 * {@code lock.kick-requested}, {@code lock.kick-refused} to the {@code client-<sessionId>}
 * rooms of the sessions involved, {@code {resource, receiptNumber, by: {userId, name} | null,
 * reason}}; and {@code lock.status} (a status with okToEdit false: a broadcast grants nothing)
 * to {@code lock-<resource>}.
 *
 * <p>{@code receiptNumber} has one meaning wherever it appears: the number of a kick-out
 * request, given by {@code locks.kick}, answered with {@code locks.kick.answer}, and carried
 * by every event and status that request caused (the transfer, the refusal, the watchers'
 * status after it). Where no kick-out request is involved (an acquire, a release, an expiry)
 * it is null.
 *
 * <p>{@code info} is what the host application says about the resource, asked on
 * {@code locks.resourceInfo} ({@link ResourceInfo}); {@code {}} when nobody answers.
 * {@code locks.status}, {@code locks.acquire} and {@code locks.kick} of a resource the host
 * answers 404 for are a 404: there is nothing to edit.
 *
 * <p>Every instance sweeps each {@code locks.sweepMs}: expired locks are freed (holder told
 * {@code lock.lost}, watchers the free status) and kicks past their deadline are settled as
 * if the holder had consented. The store hands each expired lock and each overdue kick to
 * exactly one sweeper, however many instances and nodes run.
 */
public final class LocksVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(LocksVerticle.class);

  public static final String LOCK_STATUS = "lock.status";
  public static final String LOCK_GRANTED = "lock.granted";
  public static final String LOCK_LOST = "lock.lost";
  public static final String LOCK_KICK_REQUESTED = "lock.kick-requested";
  public static final String LOCK_KICK_REFUSED = "lock.kick-refused";

  /**
   * The caller's display name, when the bridge writes it beside the identity headers (it
   * overwrites every header a client sends); without it a holder is shown by user id.
   */
  public static final String NAME_HEADER = Headers.USER_NAME;

  private static final int SWEEP_BATCH = 100;

  private final LockStore store;
  private final LocksOptions options;
  private final RealtimeService realtime;
  private final FailureLog failures;
  private ResourceInfo resources;
  private long sweepTimer = -1;
  private boolean sweeping;

  /**
   * The store reads its clock for every time decision; the verticle itself makes none.
   *
   * @param realtime where lock events are published: this node's room publisher, so a lock's
   *                 events go out from the node that changed it, whatever runs elsewhere
   * @param failures where failures that repeat per request are logged, once per kind and interval
   */
  public LocksVerticle(LockStore store, LocksOptions options, RealtimeService realtime, FailureLog failures) {
    this.store = store;
    this.options = options;
    this.realtime = realtime;
    this.failures = failures;
  }

  @Override
  public Future<?> start() {
    resources = new ResourceInfo(vertx, options.resourceInfoTimeoutMs());
    EventBus bus = vertx.eventBus();
    return Future.all(List.of(
      bus.consumer(Addresses.LOCKS_STATUS, m -> Request.reply(m, this::status)).completion(),
      bus.consumer(Addresses.LOCKS_ACQUIRE, m -> Request.reply(m, this::acquire)).completion(),
      bus.consumer(Addresses.LOCKS_HEARTBEAT, m -> Request.reply(m, this::heartbeat)).completion(),
      bus.consumer(Addresses.LOCKS_RELEASE, m -> Request.reply(m, this::release)).completion(),
      bus.consumer(Addresses.LOCKS_KICK, m -> Request.reply(m, this::kick)).completion(),
      bus.consumer(Addresses.LOCKS_KICK_ANSWER, m -> Request.reply(m, this::answer)).completion()))
      .onSuccess(v -> sweepTimer = vertx.setPeriodic(options.sweepMs(), id -> sweep()));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sweepTimer);
    return Future.succeededFuture();
  }

  // ---- requests

  /** {@code {resource, seq?}} → the status; anyone authenticated may ask. */
  private Future<JsonObject> status(Message<Object> message) {
    Caller caller = Caller.required(message);
    Request request = Request.of(message);
    Resource resource = resource(request);
    Long seq = seq(request);
    return resources.known(resource).compose(info -> store.status(resource)
      .map(lock -> withSeq(status(resource, lock, info, caller.sessionId(), null), seq)));
  }

  /** {@code {resource, seq?}} → the status: okToEdit true when the lock is (now, or still) this session's. */
  private Future<JsonObject> acquire(Message<Object> message) {
    Caller caller = Caller.required(message);
    Request request = Request.of(message);
    Resource resource = resource(request);
    Long seq = seq(request);
    Holder who = holder(message, caller);
    return resources.known(resource).compose(info -> store.acquire(resource, who).map(acquisition -> {
      if (acquisition.outcome() == AcquireOutcome.ACQUIRED) {
        if (acquisition.expired() != null) {
          lost(acquisition.expired(), null, "expired", null);
        }
        watchers(resource, acquisition.lock(), info, null);
      }
      return withSeq(status(resource, acquisition.lock(), info, caller.sessionId(), null), seq);
    }));
  }

  /** {@code {resource, seq?}} → the status; refreshes the lock only for its holder's session. */
  private Future<JsonObject> heartbeat(Message<Object> message) {
    Caller caller = Caller.required(message);
    Request request = Request.of(message);
    Resource resource = resource(request);
    Long seq = seq(request);
    return Future.all(resources.shown(resource), store.heartbeat(resource, caller.sessionId()).compose(lock ->
        lock != null ? Future.succeededFuture(lock) : store.status(resource)))
      .map(both -> withSeq(status(resource, both.resultAt(1), both.resultAt(0), caller.sessionId(), null), seq));
  }

  /** {@code {resource, seq?}} → the status after; frees the lock only for its holder's session. */
  private Future<JsonObject> release(Message<Object> message) {
    Caller caller = Caller.required(message);
    Request request = Request.of(message);
    Resource resource = resource(request);
    Long seq = seq(request);
    Future<JsonObject> info = resources.shown(resource);
    return store.release(resource, caller.sessionId())
      .compose(released -> released == null
        ? store.status(resource) // not the holder: nothing changes
        : afterRelease(resource, released, info))
      .compose(lock -> info.map(i -> withSeq(status(resource, lock, i, caller.sessionId(), null), seq)));
  }

  /** {@code {resource, seq?}} → {@code {receiptNumber}}; the holder is asked on its client room. */
  private Future<JsonObject> kick(Message<Object> message) {
    Caller caller = Caller.required(message);
    Request request = Request.of(message);
    Resource resource = resource(request);
    Long seq = seq(request);
    Holder kicker = holder(message, caller);
    return resources.known(resource).compose(info -> store.requestKick(resource, kicker)).compose(outcome ->
      switch (outcome.outcome()) {
        case REQUESTED -> {
          Kick kick = outcome.kick();
          event(kick.holder().sessionId(), LOCK_KICK_REQUESTED, new JsonObject()
            .put("resource", kick.resource()).put("receiptNumber", kick.receiptNumber())
            .put("by", by(kick.kicker())).put("deadline", kick.deadline()));
          yield Future.succeededFuture(withSeq(new JsonObject().put("receiptNumber", kick.receiptNumber()), seq));
        }
        case ALREADY_REQUESTED ->
          Future.succeededFuture(withSeq(new JsonObject().put("receiptNumber", outcome.kick().receiptNumber()), seq));
        case FREE -> Future.failedFuture(Failure.conflict("nobody holds " + resource + ": acquire it instead"));
        case OWN -> Future.failedFuture(Failure.conflict("you already hold " + resource));
        case PENDING_OTHER -> Future.failedFuture(Failure.conflict(resource + " already has a pending kick-out request (by "
          + outcome.kick().kicker().name() + "); it is settled by the holder's answer or within "
          + options.kickTimeoutMs() + " ms: watch lock-" + resource + " and try again"));
      });
  }

  /** {@code {receiptNumber, kickMeOut, seq?}} from the kicked session → {@code {}}. */
  private Future<JsonObject> answer(Message<Object> message) {
    Caller caller = Caller.required(message);
    Request request = Request.of(message);
    long receipt = request.nonNegativeLong("receiptNumber");
    if (receipt < 1 || receipt > Integer.MAX_VALUE) {
      throw Failure.badRequest("receiptNumber must be the positive integer of a lock.kick-requested event");
    }
    boolean kickMeOut = request.bool("kickMeOut");
    Long seq = seq(request);
    return store.answerKick((int) receipt, caller.sessionId(), kickMeOut).compose(settlement -> {
      announce(settlement, null);
      if (!kickMeOut && settlement.reason() == SettleReason.TIMEOUT) {
        return Future.failedFuture(Failure.conflict("too late: kick-out request " + receipt
          + " had timed out, so the lock went to " + settlement.kick().kicker().name()));
      }
      return Future.succeededFuture(withSeq(new JsonObject(), seq));
    });
  }

  // ---- what follows a change

  /** After a lock was freed: a pending kick goes to its kicker; watchers hear the outcome. The lock after. */
  private Future<Lock> afterRelease(Resource resource, Release released, Future<JsonObject> info) {
    Future<Settlement> settled = released.kickPending() ? store.settlePendingKick(resource) : Future.succeededFuture();
    return settled.compose(settlement -> {
      if (settlement != null) {
        return info.compose(i -> announce(settlement, i)).map(v -> settlement.lock());
      }
      return info.map(i -> {
        watchers(resource, null, i, null);
        return null;
      });
    });
  }

  /** Tells everyone involved how a kick ended; completes when the watchers' status is sent. */
  private Future<Void> announce(Settlement settlement, JsonObject knownInfo) {
    Kick kick = settlement.kick();
    Resource resource = Resource.of(kick.resource());
    String reason = switch (settlement.reason()) {
      case CONSENT -> "consent";
      case REFUSAL -> "refused";
      case TIMEOUT -> "timeout";
      case HOLDER_LEFT -> "holder-left";
    };
    JsonObject data = new JsonObject().put("resource", kick.resource()).put("receiptNumber", kick.receiptNumber());
    switch (settlement.outcome()) {
      case TRANSFERRED -> {
        event(kick.kicker().sessionId(), LOCK_GRANTED, data.copy().put("by", by(kick.holder())).put("reason", reason));
        event(kick.holder().sessionId(), LOCK_LOST, data.copy().put("by", by(kick.kicker())).put("reason", reason));
      }
      case GRANTED -> {
        event(kick.kicker().sessionId(), LOCK_GRANTED, data.copy().put("by", by(kick.holder())).put("reason", reason));
        if (settlement.expired() != null) {
          lost(settlement.expired(), null, "expired", kick.receiptNumber());
        }
      }
      case REFUSED -> {
        event(kick.kicker().sessionId(), LOCK_KICK_REFUSED, data.copy().put("by", by(kick.holder())).put("reason", reason));
        return Future.succeededFuture();
      }
      case TAKEN -> {
        Holder other = settlement.lock() == null ? null : settlement.lock().holder();
        event(kick.kicker().sessionId(), LOCK_KICK_REFUSED, data.copy().put("by", other == null ? null : by(other)).put("reason", "taken"));
        return Future.succeededFuture();
      }
    }
    Future<JsonObject> info = knownInfo != null ? Future.succeededFuture(knownInfo) : resources.shown(resource);
    return info.map(i -> {
      watchers(resource, settlement.lock(), i, kick.receiptNumber());
      return null;
    });
  }

  private void sweep() {
    if (sweeping) {
      return; // the previous sweep is still running (a slow database): skip this tick
    }
    sweeping = true;
    store.expireLocks(SWEEP_BATCH)
      .compose(expired -> Future.join(expired.stream().map(this::expired).toList()))
      .compose(v -> store.settleOverdueKicks(SWEEP_BATCH))
      .compose(settled -> Future.join(settled.stream().map(settlement -> announce(settlement, null)).toList()))
      .onComplete(ar -> {
        sweeping = false;
        if (ar.failed()) {
          failures.warn("lock sweep (retried every " + options.sweepMs() + " ms)", ar.cause(), LOG);
        }
      });
  }

  /** A lock that expired: its holder loses it, a pending kick goes to its kicker, watchers hear. */
  private Future<Lock> expired(Release release) {
    Lock lock = release.lock();
    Resource resource = Resource.of(lock.resource());
    lost(lock, null, "expired", null);
    return afterRelease(resource, release, resources.shown(resource));
  }

  // ---- events

  private void lost(Lock lock, Holder by, String reason, Integer receipt) {
    event(lock.holder().sessionId(), LOCK_LOST, new JsonObject().put("resource", lock.resource())
      .put("receiptNumber", receipt).put("by", by == null ? null : by(by)).put("reason", reason));
  }

  private void watchers(Resource resource, Lock lock, JsonObject info, Integer receipt) {
    publish(resource.watchers().value(), LOCK_STATUS, status(resource, lock, info, null, receipt));
  }

  private void event(String sessionId, String event, JsonObject data) {
    publish("client-" + sessionId, event, data);
  }

  private void publish(String room, String event, JsonObject data) {
    realtime.trigger(room, event, data)
      .onFailure(e -> failures.warn("publishing lock events", e, LOG));
  }

  // ---- shapes

  /**
   * The status object; okToEdit only when {@code viewer} (a sessionId, or null for a broadcast)
   * holds it; {@code receipt} the kick-out request that caused it, else null.
   */
  static JsonObject status(Resource resource, Lock lock, JsonObject info, String viewer, Integer receipt) {
    JsonObject holder = lock == null ? null : new JsonObject()
      .put("userId", lock.holder().userId()).put("name", lock.holder().name()).put("sessionId", lock.holder().sessionId());
    return new JsonObject()
      .put("resource", resource.key())
      .put("receiptNumber", receipt)
      .put("okToEdit", lock != null && viewer != null && lock.holder().sessionId().equals(viewer))
      .put("holder", holder)
      .put("lastUpdated", lock == null ? null : lock.lastUpdated())
      .put("info", info == null ? new JsonObject() : info);
  }

  private static JsonObject by(Holder holder) {
    return new JsonObject().put("userId", holder.userId()).put("name", holder.name());
  }

  private static JsonObject withSeq(JsonObject reply, Long seq) {
    return seq == null ? reply : reply.put("seq", seq);
  }

  // ---- input

  private static Resource resource(Request request) {
    return Resource.of(request.string("resource"));
  }

  private static Long seq(Request request) {
    return request.has("seq") ? request.nonNegativeLong("seq") : null;
  }

  /** The acting session, from the bridge's headers only. */
  private static Holder holder(Message<?> message, Caller caller) {
    String name = message.headers().get(NAME_HEADER);
    return new Holder(caller.sessionId(), caller.userId(), name == null || name.isBlank() ? caller.userId() : name);
  }

}
