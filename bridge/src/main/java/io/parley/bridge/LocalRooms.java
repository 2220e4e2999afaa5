package io.parley.bridge;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.parley.shared.Envelope;
import io.parley.shared.RoomName;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rooms that have member sockets on this bridge instance. Delivery is per room, not per
 * socket: one bus consumer per room, and each envelope becomes one {@link Delivery} whose
 * pre-encoded frames (one per framing, and one per Pusher channel name) are written to every
 * local member. Used from the bridge instance's event loop only.
 */
final class LocalRooms {

  private final class Room {
    final RoomName name;
    final MessageConsumer<Buffer> consumer;
    final Set<BridgeSocket> members = new LinkedHashSet<>();
    final Buffer prefix;
    /** Completes once deliveries for the room reach this instance. */
    final Future<Void> ready;

    Room(RoomName name) {
      this.name = name;
      prefix = Frames.deliveryPrefix(name.address());
      // local: the store's fan-out already brought the envelope to this node (RoomDelivery)
      consumer = bus.localConsumer(name.address(), message -> deliver(this, message.body()));
      // a tab's client room: its session's notifications come to this instance from now on
      ready = name.suffixAfter(CLIENT_ROOM)
        .map(sessionId -> Future.all(consumer.completion(), notifications.attach(sessionId)).<Void>mapEmpty())
        .orElseGet(consumer::completion);
    }
  }

  private static final String CLIENT_ROOM = "client-";

  private final EventBus bus;
  private final BridgeMetrics metrics;
  private final Clock clock;
  /** Members with queued deliveries are flushed once per burst. */
  private final PendingFlushes flushes;
  /** Told when a {@code client-<sessionId>} room gets its first member here, and loses its last. */
  private final NotificationFanOut notifications;
  private final Map<String, Room> rooms = new HashMap<>();

  LocalRooms(EventBus bus, BridgeMetrics metrics, Clock clock, PendingFlushes flushes) {
    this.bus = bus;
    this.clock = clock;
    this.metrics = metrics;
    this.flushes = flushes;
    this.notifications = new NotificationFanOut(bus, this::deliverHere);
  }

  /** Which of this instance's tabs follow which topic: notifications are delivered to their client rooms here. */
  NotificationFanOut notifications() {
    return notifications;
  }

  /** Adds a member; completes once deliveries for the room reach this node. */
  Future<Void> join(RoomName name, BridgeSocket connection) {
    Room room = rooms.get(name.value());
    if (room == null) {
      room = new Room(name);
      rooms.put(name.value(), room);
      metrics.roomAdded();
    }
    room.members.add(connection);
    return room.ready;
  }

  void leave(RoomName name, BridgeSocket connection) {
    Room room = rooms.get(name.value());
    if (room != null && room.members.remove(connection) && room.members.isEmpty()) {
      rooms.remove(name.value());
      room.consumer.unregister();
      metrics.roomRemoved();
      name.suffixAfter(CLIENT_ROOM).ifPresent(notifications::detach);
    }
  }

  /**
   * Delivers an envelope to this instance's members of its room, if it has any, without the
   * bus: for deliveries that each bridge instance works out for itself (notifications).
   */
  void deliverHere(Envelope envelope) {
    Room room = rooms.get(envelope.destination());
    if (room != null) {
      deliver(room, envelope.encode());
    }
  }

  private void deliver(Room room, Buffer envelope) {
    FanOutEvent event = new FanOutEvent();
    event.begin();
    Delivery delivery = new Delivery(room.name, room.prefix, envelope);
    long now = clock.millis();
    List<BridgeSocket> slow = null;
    for (BridgeSocket member : room.members) {
      if (member.deliver(delivery, now)) {
        flushes.add(member);
      } else {
        slow = slow == null ? new ArrayList<>() : slow;
        slow.add(member);
      }
    }
    delivery.release();
    metrics.framesOut(room.members.size());
    if (event.shouldCommit()) {
      event.room = room.name.value();
      event.sockets = room.members.size();
      event.commit();
    }
    if (slow != null) {
      // closing leaves the room, so not while iterating its members
      slow.forEach(member -> member.close(CloseReason.SLOW_CONSUMER));
    }
  }
}
