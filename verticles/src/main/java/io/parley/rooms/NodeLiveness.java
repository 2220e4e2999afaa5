package io.parley.rooms;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.parley.shared.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Keeps this node's lease in the room store and clears up after nodes that died: every node
 * renews its own lease and evicts expired ones, announcing {@code presence.leave} (and
 * {@code rooms.left} on the bus) for users whose last connection went with a dead node. The
 * store makes each eviction happen once, however many nodes try, so presence is correct
 * cluster-wide.
 *
 * <p>With a lease of L ms renewed every L/5 and checked every L/5, a killed node's members are
 * gone from every room within about 1.2·L (5 s lease: ~6 s).
 *
 * <p>What a renewal finds decides what the node's bridges do (see {@link RoomStore.Lease}):
 * evicted by another node, they close every socket ({@link Addresses#NODE_LEASE_LOST}); a lease
 * the store merely lost (a Redis restarted empty) is taken again and they join their rooms
 * again ({@link Addresses#ROOMS_STORE_RESTORED}). The store being unreachable evicts nobody:
 * the node tries again every {@value #OUTAGE_RETRY_MS} ms (or L/5 if sooner), so that it
 * notices the store's return at once, and then gives the other nodes a full lease to renew
 * before it judges whether theirs ran out (they could not renew either while the store was
 * away).
 */
public final class NodeLiveness {

  private static final Logger LOG = LoggerFactory.getLogger(NodeLiveness.class);
  /** While the store cannot be reached, the next renewal is tried this soon (or at L/5 if sooner). */
  static final long OUTAGE_RETRY_MS = 250;

  private final Vertx vertx;
  private final RoomStore store;
  private final String nodeId;
  private final long leaseMs;
  private final long renewEveryNanos;
  /** The timer's period: the outage retry, or L/5 if that is sooner. */
  private final long tickMs;
  private final RoomsOptions options;
  private final Clock clock;
  private long timer = -1;
  /** The context start() ran on (the node's liveness thread): renewals, evictions and the release run there, in order. */
  private Context context;
  /** Set by stop(), on the liveness context: from then on this node renews nothing and evicts no one. */
  private volatile boolean stopped;
  private volatile long lastRenewal;
  /** When the store stopped answering renewals (System.nanoTime), or -1 while it answers. */
  private volatile long unreachableSince = -1;
  /** Other nodes' leases are judged from then on only (System.nanoTime), see the class comment. */
  private volatile long judgeOthersFrom = System.nanoTime();

  public NodeLiveness(Vertx vertx, RoomStore store, String nodeId, RoomsOptions options, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.nodeId = nodeId;
    this.leaseMs = options.nodeLeaseMs();
    long renewEveryMs = Math.max(100, leaseMs / 5);
    this.renewEveryNanos = TimeUnit.MILLISECONDS.toNanos(renewEveryMs);
    this.tickMs = Math.min(OUTAGE_RETRY_MS, renewEveryMs);
    this.options = options;
    this.clock = clock;
  }

  /**
   * Takes the lease, then keeps it and watches the others'. The timer is set here, on the
   * caller's context (the node's liveness thread), and never depends on another thread
   * completing anything: a node whose event loops are stalled still renews.
   */
  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    lastRenewal = System.nanoTime();
    return store.renewLease(nodeId, leaseMs).<Void>mapEmpty().onSuccess(v -> {
      timer = vertx.setPeriodic(tickMs, id -> tick());
    });
  }

  /**
   * Stops renewing and judging, from any thread. It takes effect on the liveness context, before
   * a {@link #release} asked for after it: a renewal still in flight then evicts no one, since
   * once the lease is handed back this node would find itself expired and evict its own
   * connections while its event bus and store connections close, and their departures would be
   * announced by no one.
   */
  public void stop() {
    onContext(() -> {
      stopped = true;
      vertx.cancelTimer(timer);
    });
  }

  /**
   * Hands the lease back as the node shuts down: it expires now, so the other nodes evict this
   * node's connections at their next check (within L/5) and announce the departures, from
   * nodes whose event bus stays up.
   */
  public Future<Void> release() {
    Promise<Void> released = Promise.promise();
    onContext(() -> store.renewLease(nodeId, 0).<Void>mapEmpty()
      .onFailure(e -> LOG.warn("Could not hand the node lease back (it runs out by itself): {}", e.getMessage()))
      .otherwiseEmpty()
      .onComplete(released));
    return released.future();
  }

  private void onContext(Runnable action) {
    if (context == null) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  /** Renews every L/5, or at every tick while the store is unreachable. */
  private void tick() {
    if (stopped) {
      return;
    }
    long now = System.nanoTime();
    // half a tick of slack, so that with L/5 a multiple of the tick it renews exactly every L/5
    if (unreachableSince < 0 && now - lastRenewal < renewEveryNanos - TimeUnit.MILLISECONDS.toNanos(tickMs) / 2) {
      return;
    }
    lastRenewal = now;
    store.renewLease(nodeId, leaseMs).onComplete(ar -> {
      if (stopped) {
        return;
      }
      if (ar.failed()) {
        unreachable(ar.cause());
        return;
      }
      renewed(ar.result());
      if (System.nanoTime() - judgeOthersFrom >= 0) {
        evictDeadNodes();
      }
    });
  }

  private void unreachable(Throwable cause) {
    if (unreachableSince < 0) {
      // one line for the whole outage, one more when it ends (see renewed)
      unreachableSince = System.nanoTime();
      LOG.warn("Cannot reach the room store to renew this node's lease ({}); retrying every {} ms, evicting no one "
        + "meanwhile", cause.getMessage(), tickMs);
    }
  }

  private void renewed(RoomStore.Lease lease) {
    if (unreachableSince >= 0) {
      long now = System.nanoTime();
      LOG.info("The room store answers again after {} ms; other nodes' leases are judged again in {} ms",
        TimeUnit.NANOSECONDS.toMillis(now - unreachableSince), leaseMs);
      unreachableSince = -1;
      judgeOthersFrom = now + TimeUnit.MILLISECONDS.toNanos(leaseMs);
    }
    DeliveryOptions local = new DeliveryOptions().setLocalOnly(true);
    switch (lease) {
      case HELD -> {
      }
      case EVICTED -> {
        LOG.error("This node's lease had expired and its connections were evicted; closing its sockets so clients rejoin");
        vertx.eventBus().publish(Addresses.NODE_LEASE_LOST, nodeId, local);
      }
      case NEW -> {
        LOG.warn("The room store had lost this node's lease without evicting it (restarted empty?); "
          + "its connections join their rooms again");
        vertx.eventBus().publish(Addresses.ROOMS_STORE_RESTORED, nodeId, local);
      }
    }
  }

  private void evictDeadNodes() {
    store.evictExpiredNodes()
      .compose(departures -> Future.join(departures.stream()
        .map(d -> RoomsVerticle.userLeft(vertx.eventBus(), store, options, d.room(), d.member(), d.vacated(), clock))
        .toList()))
      .<Void>mapEmpty()
      .onFailure(e -> LOG.warn("Evicting dead nodes failed (the next check tries again): {}", e.getMessage()));
  }
}
