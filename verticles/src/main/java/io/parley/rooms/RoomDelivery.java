package io.parley.rooms;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

/**
 * The last hop of delivery, on each node: the store's fan-out hands every envelope to this
 * node once, and this puts its bytes, as the store published them, on the local bus at the
 * room's address, where each bridge's one consumer per room writes them to its member sockets.
 * Local only: which nodes hear an envelope is the store's business ({@code docs/architecture.md},
 * the cluster), and local consumers cost the cluster's registry nothing when sockets join and
 * leave.
 *
 * <p>Envelopes in a room's stream also reach the room's alias ({@code board-1-tasks} →
 * {@code board-1}); presence is about one room's members only.
 */
public final class RoomDelivery {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final EventBus bus;

  public RoomDelivery(EventBus bus) {
    this.bus = bus;
  }

  public void deliver(EncodedEnvelope envelope) {
    bus.publish(envelope.room().address(), envelope.bytes(), LOCAL);
    if (envelope.inStream()) {
      envelope.room().aliasOf().ifPresent(parent -> bus.publish(parent.address(), envelope.bytes(), LOCAL));
    }
  }
}
