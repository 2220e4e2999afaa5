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
import java.util.function.Consumer;
import java.util.function.Function;

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
    /** Completes once deliveries for the room reach this instance. */
    final Future<Void> ready;

    Room(RoomName name) {
      prefix = Frames.deliveryPrefix(name.address());
      // local: the store's fan-out already brought the envelope to this node (RoomDelivery)
      consumer = bus.localConsumer(name.address(), message -> deliver(this, message.body()));
      ready = name.suffixAfter(CLIENT_ROOM)
        .map(sessionId -> Future.all(consumer.completion(), clientRoomOpened.apply(sessionId)).<Void>mapEmpty())
        .orElseGet(consumer::completion);
    }
  }

  private static final String CLIENT_ROOM = "client-";

  private final EventBus bus;
  private final BridgeMetrics metrics;
  private final Clock clock;
  /** Marks a member as having queued deliveries; the bridge flushes it once per burst. */
  private final Consumer<BridgeConnection> flushes;
  /**
   * Told the sessionId when a {@code client-<sessionId>} room gets its first member here (a
   * join completes once what this answers completes), and when it loses its last.
   */
  private final Function<String, Future<Void>> clientRoomOpened;
  private final Consumer<String> clientRoomClosed;
  private final Map<String, Room> rooms = new HashMap<>();

  LocalRooms(EventBus bus, BridgeMetrics metrics, Clock clock, Consumer<BridgeConnection> flushes,
             Function<String, Future<Void>> clientRoomOpened, Consumer<String> clientRoomClosed) {
    this.bus = bus;
    this.clock = clock;
    this.metrics = metrics;
    this.flushes = flushes;
    this.clientRoomOpened = clientRoomOpened;
    this.clientRoomClosed = clientRoomClosed;
  }

  /** Adds a member; completes once deliveries for the room reach this node. */
  Future<Void> join(RoomName name, BridgeConnection connection) {
    Room room = rooms.get(name.value());
    if (room == null) {
      room = new Room(name);
      rooms.put(name.value(), room);
      metrics.roomAdded();
    }
    room.members.add(connection);
    return room.ready;
  }

  void leave(RoomName name, BridgeConnection connection) {
    Room room = rooms.get(name.value());
    if (room != null && room.members.remove(connection) && room.members.isEmpty()) {
      rooms.remove(name.value());
      room.consumer.unregister();
      metrics.roomRemoved();
      name.suffixAfter(CLIENT_ROOM).ifPresent(clientRoomClosed);
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
