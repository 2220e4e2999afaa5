package io.parley.rooms;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.parley.shared.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/**
 * Keeps this node's lease in the room store and clears up after nodes that died: every node
 * renews its own lease and evicts expired ones, announcing {@code presence.leave} (and
 * {@code rooms.left} on the bus) for users whose last connection went with a dead node. The
 * store makes each eviction happen once, however many nodes try (DESIGN.md §4: presence
 * correct cluster-wide).
 *
 * <p>With a lease of L ms renewed every L/5 and checked every L/5, a killed node's members are
 * gone from every room within about 1.2·L (5 s lease: ~6 s).
 */
public final class NodeLiveness {

  private static final Logger LOG = LoggerFactory.getLogger(NodeLiveness.class);

  private final Vertx vertx;
  private final RoomStore store;
  private final String nodeId;
  private final long leaseMs;
  private final RoomsOptions options;
  private final Clock clock;
  private long timer = -1;

  public NodeLiveness(Vertx vertx, RoomStore store, String nodeId, RoomsOptions options, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.nodeId = nodeId;
    this.leaseMs = options.nodeLeaseMs();
    this.options = options;
    this.clock = clock;
  }

  /** Takes the lease, then keeps it and watches the others'. */
  public Future<Void> start() {
    return store.renewLease(nodeId, leaseMs).<Void>mapEmpty().onSuccess(v -> {
      timer = vertx.setPeriodic(Math.max(100, leaseMs / 5), id -> tick());
    });
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  /**
   * Hands the lease back as the node shuts down: it expires now, so the other nodes evict this
   * node's connections at their next check (within L/5) and announce the departures, from
   * nodes whose event bus stays up.
   */
  public Future<Void> release() {
    return store.renewLease(nodeId, 0).<Void>mapEmpty()
      .onFailure(e -> LOG.warn("Could not hand the node lease back (it runs out by itself): {}", e.getMessage()))
      .otherwiseEmpty();
  }

  private void tick() {
    store.renewLease(nodeId, leaseMs)
      .onSuccess(held -> {
        if (!held) {
          LOG.error("This node's lease had expired and its connections were evicted; closing its sockets so clients rejoin");
          vertx.eventBus().publish(Addresses.NODE_LEASE_LOST, nodeId, new DeliveryOptions().setLocalOnly(true));
        }
      })
      .compose(v -> store.evictExpiredNodes())
      .compose(departures -> Future.join(departures.stream()
        .map(d -> RoomsVerticle.userLeft(vertx.eventBus(), store, options, d.room(), d.member(), clock))
        .toList()))
      .onFailure(e -> LOG.warn("Node lease or eviction failed (retrying): {}", e.getMessage()));
  }
}
