package io.parley.bridge;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.parley.shared.RoomName;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The rooms that have member sockets on this bridge instance. Delivery is per room, not per
 * socket: one bus consumer per room, and each envelope becomes one pre-encoded frame written
 * to every local member. Used from the bridge instance's event loop only.
 */
final class LocalRooms {

  private final class Room {
    final MessageConsumer<Buffer> consumer;
    final Set<BridgeConnection> members = new LinkedHashSet<>();
    final Buffer prefix;

    Room(RoomName name) {
      prefix = Frames.deliveryPrefix(name.address());
      // local: the store's fan-out already brought the envelope to this node (RoomDelivery)
      consumer = bus.localConsumer(name.address(), message -> deliver(this, message.body()));
    }
  }

  private final EventBus bus;
  private final BridgeMetrics metrics;
  private final Clock clock;
  /** Marks a member as having queued deliveries; the bridge flushes it once per burst. */
  private final Consumer<BridgeConnection> flushes;
  private final Map<String, Room> rooms = new HashMap<>();

  LocalRooms(EventBus bus, BridgeMetrics metrics, Clock clock, Consumer<BridgeConnection> flushes) {
    this.bus = bus;
    this.clock = clock;
    this.metrics = metrics;
    this.flushes = flushes;
  }

  /** Adds a member; completes once deliveries for the room reach this node. */
  Future<Void> join(RoomName name, BridgeConnection connection) {
    Room room = rooms.computeIfAbsent(name.value(), n -> {
      metrics.roomAdded();
      return new Room(name);
    });
    room.members.add(connection);
    return room.consumer.completion();
  }

  void leave(RoomName name, BridgeConnection connection) {
    Room room = rooms.get(name.value());
    if (room != null && room.members.remove(connection) && room.members.isEmpty()) {
      rooms.remove(name.value());
      room.consumer.unregister();
      metrics.roomRemoved();
    }
  }

  private void deliver(Room room, Buffer envelope) {
    Delivery delivery = new Delivery(room.prefix, envelope);
    long now = clock.millis();
    List<BridgeConnection> slow = null;
    for (BridgeConnection member : room.members) {
      if (member.deliver(delivery, now)) {
        flushes.accept(member);
      } else {
        slow = slow == null ? new ArrayList<>() : slow;
        slow.add(member);
      }
    }
    delivery.release();
    metrics.framesOut(room.members.size());
    if (slow != null) {
      // closing leaves the room, so not while iterating its members
      slow.forEach(BridgeConnection::closeSlow);
    }
  }
}
