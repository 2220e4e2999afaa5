package io.parley.rooms;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.parley.shared.Envelope;
import io.parley.shared.RoomName;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * {@link RoomStore} for a single node. One lock guards everything: publishes from several
 * verticle instances are serialized, and delivery happens under the lock so the bus sees a
 * room's envelopes in offset order.
 */
public final class MemoryRoomStore implements RoomStore {

  private static final long SWEEP_INTERVAL_MS = 10_000;

  private static final class Room {
    final String epoch = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    long offset;
    long lastTs;
    final ArrayDeque<Envelope> history = new ArrayDeque<>();
    /** userId → that user's connections here; insertion order is join order. */
    final Map<String, UserConnections> members = new LinkedHashMap<>();
    /** connectionId → the channel it joined with, for connections that named one. */
    final Map<String, String> channels = new HashMap<>();
  }

  private static final class UserConnections {
    final String name;
    final JsonObject info;
    final Set<String> connectionIds = new HashSet<>();

    UserConnections(String name, JsonObject info) {
      this.name = name;
      this.info = info;
    }
  }

  private final Map<String, Room> rooms = new HashMap<>();
  /** connectionId → rooms it is in, to find its presences and the user behind it. */
  private final Map<String, Set<String>> roomsOfConnection = new HashMap<>();
  private final Map<String, String> userOfConnection = new HashMap<>();
  private final Map<String, String> nodeOfConnection = new HashMap<>();
  /** nodeId → lease expiry (epoch millis). */
  private final Map<String, Long> leases = new HashMap<>();
  /** Nodes evicted since their last renewal: the next one tells them so. */
  private final Set<String> evicted = new HashSet<>();
  /** room → its last server event, for {@link #lastServerEvent}. */
  private final Map<String, Envelope> lastServerEvents = new HashMap<>();
  /** Connections that reported themselves inactive; every other connection is active. */
  private final Set<String> inactiveConnections = new HashSet<>();

  private final Clock clock;
  private final RoomsOptions.HistoryPolicy policy;
  private final Consumer<EncodedEnvelope> delivery;
  private final Vertx vertx;
  private final long sweepTimer;

  /**
   * @param vertx    runs the periodic sweep of aged-out rooms; null for no sweep (tests)
   * @param delivery receives every published envelope, in offset order per room
   */
  public MemoryRoomStore(Vertx vertx, Clock clock, RoomsOptions.HistoryPolicy policy, Consumer<EncodedEnvelope> delivery) {
    this.vertx = vertx;
    this.clock = clock;
    this.policy = policy;
    this.delivery = delivery;
    this.sweepTimer = vertx == null ? -1 : vertx.setPeriodic(SWEEP_INTERVAL_MS, id -> sweep());
  }

  @Override
  public synchronized Future<Joined> join(RoomName name, Member member) {
    Room room = rooms.computeIfAbsent(name.value(), n -> new Room());
    boolean empty = room.members.isEmpty();
    UserConnections user = room.members.computeIfAbsent(member.userId(), u -> new UserConnections(member.name(), member.info()));
    boolean first = user.connectionIds.isEmpty();
    user.connectionIds.add(member.connectionId());
    if (member.channel() != null) {
      room.channels.put(member.connectionId(), member.channel());
    }
    roomsOfConnection.computeIfAbsent(member.connectionId(), c -> new HashSet<>()).add(name.value());
    userOfConnection.put(member.connectionId(), member.userId());
    nodeOfConnection.put(member.connectionId(), member.nodeId());
    return Future.succeededFuture(new Joined(first, first && empty));
  }

  @Override
  public synchronized Future<Left> leave(RoomName name, String connectionId) {
    Room room = rooms.get(name.value());
    String userId = userOfConnection.get(connectionId);
    Set<String> joined = roomsOfConnection.get(connectionId);
    if (room == null || userId == null || joined == null || !joined.remove(name.value())) {
      return Future.succeededFuture(null);
    }
    if (joined.isEmpty()) {
      roomsOfConnection.remove(connectionId);
      userOfConnection.remove(connectionId);
      nodeOfConnection.remove(connectionId);
      inactiveConnections.remove(connectionId);
    }
    UserConnections user = room.members.get(userId);
    user.connectionIds.remove(connectionId);
    String channel = room.channels.remove(connectionId);
    Left last = null;
    if (user.connectionIds.isEmpty()) {
      room.members.remove(userId);
      last = new Left(new Member(userId, user.name, null, connectionId, null, null, channel), room.members.isEmpty());
    }
    if (room.members.isEmpty()) {
      prune(room, clock.millis());
      if (!policy.keepWhenEmpty() || room.history.isEmpty()) {
        rooms.remove(name.value());
      }
    }
    return Future.succeededFuture(last);
  }

  @Override
  public synchronized Future<Void> setActive(String connectionId, boolean active) {
    if (active) {
      inactiveConnections.remove(connectionId);
    } else if (roomsOfConnection.containsKey(connectionId)) {
      inactiveConnections.add(connectionId);
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Envelope> publish(RoomName name, Draft draft) {
    long now = clock.millis();
    Room existing = rooms.get(name.value());
    if (existing != null) {
      // a room whose members left and whose history aged out is gone: a new stream, a new epoch
      prune(existing, now);
      dropIfGone(name, existing);
    }
    Room room = rooms.computeIfAbsent(name.value(), n -> new Room());
    // ts never goes backwards within a stream, even if the wall clock does
    long ts = Math.max(now, room.lastTs);
    Envelope envelope = new Envelope(name.value(), draft.event(), draft.data(), ts, room.epoch, ++room.offset, draft.from());
    room.lastTs = ts;
    if (policy.maxSize() > 0) {
      room.history.addLast(envelope);
    }
    prune(room, now);
    dropIfGone(name, room);
    if (RoomStore.isServerEvent(draft.from())) {
      lastServerEvents.put(name.value(), envelope);
    }
    delivery.accept(EncodedEnvelope.of(envelope));
    return Future.succeededFuture(envelope);
  }

  @Override
  public synchronized Future<Envelope> lastServerEvent(RoomName name) {
    Envelope last = lastServerEvents.get(name.value());
    if (last != null && clock.millis() - last.ts() > LAST_SERVER_EVENT_MS) {
      lastServerEvents.remove(name.value());
      last = null;
    }
    return Future.succeededFuture(last);
  }

  @Override
  public synchronized Future<Void> announce(Envelope presence) {
    delivery.accept(EncodedEnvelope.of(presence));
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Lease> renewLease(String nodeId, long leaseMs) {
    if (leases.put(nodeId, clock.millis() + leaseMs) != null) {
      return Future.succeededFuture(Lease.HELD);
    }
    return Future.succeededFuture(evicted.remove(nodeId) ? Lease.EVICTED : Lease.NEW);
  }

  @Override
  public synchronized Future<List<Departure>> evictExpiredNodes() {
    long now = clock.millis();
    List<String> dead = leases.entrySet().stream().filter(e -> e.getValue() <= now).map(Map.Entry::getKey).toList();
    List<Departure> departures = new ArrayList<>();
    for (String nodeId : dead) {
      leases.remove(nodeId);
      evicted.add(nodeId);
      List<String> connections = nodeOfConnection.entrySet().stream()
        .filter(e -> nodeId.equals(e.getValue())).map(Map.Entry::getKey).toList();
      for (String connectionId : connections) {
        for (String room : List.copyOf(roomsOfConnection.getOrDefault(connectionId, Set.of()))) {
          Left last = leave(RoomName.of(room), connectionId).result();
          if (last != null) {
            departures.add(new Departure(RoomName.of(room), last.member(), last.vacated()));
          }
        }
      }
    }
    return Future.succeededFuture(departures);
  }

  @Override
  public synchronized Future<Integer> memberCount(RoomName name) {
    Room room = rooms.get(name.value());
    return Future.succeededFuture(room == null ? 0 : room.members.size());
  }

  @Override
  public synchronized Future<Boolean> hasMember(RoomName name, String userId) {
    Room room = rooms.get(name.value());
    return Future.succeededFuture(room != null && room.members.containsKey(userId));
  }

  @Override
  public synchronized Future<List<Occupied>> occupiedRooms(String prefix, int limit) {
    // a scan of every room: the memory store serves one node, whose rooms fit in memory anyway
    List<Occupied> occupied = rooms.entrySet().stream()
      .filter(e -> !e.getValue().members.isEmpty() && e.getKey().startsWith(prefix))
      .sorted(Map.Entry.comparingByKey())
      .limit(limit)
      .map(e -> new Occupied(RoomName.of(e.getKey()), e.getValue().members.size()))
      .toList();
    return Future.succeededFuture(occupied);
  }

  @Override
  public synchronized Future<RoomState> state(RoomName name) {
    Room room = rooms.get(name.value());
    if (room != null) {
      prune(room, clock.millis());
      room = dropIfGone(name, room) ? null : room;
    }
    if (room == null) {
      return Future.succeededFuture(null);
    }
    List<RoomState.Presence> members = new ArrayList<>(room.members.size());
    room.members.forEach((userId, user) -> members.add(new RoomState.Presence(
      userId, user.name, user.connectionIds.size(),
      !inactiveConnections.containsAll(user.connectionIds), user.info)));
    return Future.succeededFuture(new RoomState(name.value(), room.epoch, room.offset, room.lastTs, members));
  }

  @Override
  public synchronized Future<HistoryPage> history(RoomName name, String epoch, long sinceOffset) {
    Room room = rooms.get(name.value());
    if (room == null) {
      // nothing exists to miss only if the client never saw this room's stream
      return Future.succeededFuture(epoch == null && sinceOffset == 0
        ? new HistoryPage(true, null, List.of())
        : HistoryPage.notRecovered(null));
    }
    prune(room, clock.millis());
    if (dropIfGone(name, room)) {
      return history(name, epoch, sinceOffset);
    }
    if ((epoch != null && !epoch.equals(room.epoch)) || sinceOffset > room.offset) {
      return Future.succeededFuture(HistoryPage.notRecovered(room.epoch));
    }
    long firstKept = room.history.isEmpty() ? room.offset + 1 : room.history.peekFirst().offset();
    if (sinceOffset + 1 < firstKept) {
      return Future.succeededFuture(HistoryPage.notRecovered(room.epoch));
    }
    List<Envelope> events = new ArrayList<>();
    for (Envelope envelope : room.history) {
      if (envelope.offset() > sinceOffset) {
        events.add(envelope);
      }
    }
    return Future.succeededFuture(new HistoryPage(true, room.epoch, events));
  }

  @Override
  public Future<Void> close() {
    if (vertx != null) {
      vertx.cancelTimer(sweepTimer);
    }
    return Future.succeededFuture();
  }

  /** Drops aged-out history and rooms left with neither members nor history. */
  synchronized void sweep() {
    long now = clock.millis();
    lastServerEvents.values().removeIf(last -> now - last.ts() > LAST_SERVER_EVENT_MS);
    Iterator<Room> it = rooms.values().iterator();
    while (it.hasNext()) {
      Room room = it.next();
      prune(room, now);
      if (room.members.isEmpty() && room.history.isEmpty()) {
        it.remove();
      }
    }
  }

  /** A room with neither members nor history is gone, its epoch with it; true if dropped. */
  private boolean dropIfGone(RoomName name, Room room) {
    if (room.members.isEmpty() && room.history.isEmpty()) {
      rooms.remove(name.value());
      return true;
    }
    return false;
  }

  private void prune(Room room, long now) {
    while (room.history.size() > policy.maxSize()) {
      room.history.removeFirst();
    }
    while (!room.history.isEmpty() && now - room.history.peekFirst().ts() > policy.maxAgeMs()) {
      room.history.removeFirst();
    }
  }
}
