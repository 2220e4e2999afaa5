package io.parley.rooms;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.parley.shared.Envelope;
import io.parley.shared.RoomName;

/**
 * The last hop of delivery, on each node: the store's fan-out hands every envelope to this
 * node once, and this puts it on the local bus at the room's address, where each bridge's
 * one consumer per room writes it to its member sockets. Local only: which nodes hear an
 * envelope is the store's business ({@code docs/architecture.md}, the cluster), and local consumers cost the cluster's
 * registry nothing when sockets join and leave.
 *
 * <p>Published envelopes (those with an offset) also reach the room's alias
 * ({@code board-1-tasks} → {@code board-1}); presence is about one room's members only.
 */
public final class RoomDelivery {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final EventBus bus;

  public RoomDelivery(EventBus bus) {
    this.bus = bus;
  }

  public void deliver(Envelope envelope) {
    RoomName room = RoomName.of(envelope.destination());
    Buffer encoded = envelope.encode();
    bus.publish(room.address(), encoded, LOCAL);
    if (envelope.offset() != null) {
      room.aliasOf().ifPresent(parent -> bus.publish(parent.address(), encoded, LOCAL));
    }
  }
}
