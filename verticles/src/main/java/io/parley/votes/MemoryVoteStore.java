package io.parley.votes;

import io.parley.shared.RoomName;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link VoteStore} for a single node. One lock guards everything, so every operation is one
 * atomic step for all the verticle instances sharing the store.
 */
public final class MemoryVoteStore implements VoteStore {

  private static final long SWEEP_EVERY_MS = 60_000;

  private static final class Room {
    /** userId → the user's current vote and when it was stored (store clock). */
    final Map<String, Stored> ballots = new HashMap<>();
    /** option → users whose current vote it is; no zero entries. */
    final Map<String, Integer> counts = new HashMap<>();
    final ArrayDeque<JsonObject> history = new ArrayDeque<>();
    long lastTick = Long.MIN_VALUE;
    String round;
    final Set<String> participants = new HashSet<>();

    boolean isEmpty() {
      return ballots.isEmpty() && history.isEmpty() && round == null && participants.isEmpty();
    }
  }

  private record Stored(Ballot ballot, long storedAt) {
  }

  private final Map<String, Room> rooms = new HashMap<>();
  private final Set<String> active = new LinkedHashSet<>();
  private long lastClaimed = Long.MIN_VALUE;
  private long lastSweep = Long.MIN_VALUE / 2;
  private final Clock clock;
  private final VotesOptions.HistoryPolicy policy;

  public MemoryVoteStore(Clock clock, VotesOptions.HistoryPolicy policy) {
    this.clock = clock;
    this.policy = policy;
  }

  @Override
  public synchronized Future<Cast> cast(RoomName name, Ballot ballot) {
    Outcome outcome = record(room(name), ballot);
    active.add(name.value());
    return Future.succeededFuture(new Cast(outcome, null));
  }

  @Override
  public synchronized Future<Cast> castInRound(RoomName name, Ballot ballot, String expectedRound) {
    Room room = rooms.get(name.value());
    String round = room == null ? null : room.round;
    if (round == null) {
      return Future.succeededFuture(new Cast(Outcome.NO_ROUND, null));
    }
    if (expectedRound != null && !expectedRound.equals(round)) {
      return Future.succeededFuture(new Cast(Outcome.OTHER_ROUND, round));
    }
    return Future.succeededFuture(new Cast(record(room, ballot), round));
  }

  private Outcome record(Room room, Ballot ballot) {
    Stored previous = room.ballots.get(ballot.userId());
    if (previous != null) {
      if (ballot.ts() < previous.ballot().ts()) {
        return Outcome.STALE;
      }
      uncount(room, previous.ballot().option());
    }
    room.ballots.put(ballot.userId(), new Stored(ballot, clock.millis()));
    room.counts.merge(ballot.option(), 1, Integer::sum);
    return Outcome.ACCEPTED;
  }

  @Override
  public synchronized Future<Boolean> withdraw(RoomName name, String userId, long leftAt) {
    Room room = rooms.get(name.value());
    Stored stored = room == null ? null : room.ballots.get(userId);
    if (stored == null || stored.storedAt() > leftAt) {
      return Future.succeededFuture(false);
    }
    room.ballots.remove(userId);
    uncount(room, stored.ballot().option());
    forgetIfEmpty(name, room);
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Void> activate(RoomName name) {
    active.add(name.value());
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<RoomName>> activeRooms() {
    return Future.succeededFuture(active.stream().map(RoomName::of).toList());
  }

  @Override
  public synchronized Future<Boolean> claimInterval(long interval, long keepMs) {
    if (interval <= lastClaimed) {
      return Future.succeededFuture(false);
    }
    lastClaimed = interval;
    long now = clock.millis();
    if (now - lastSweep >= SWEEP_EVERY_MS) {
      lastSweep = now;
      sweep();
    }
    return Future.succeededFuture(true);
  }

  /** Drops the rooms left with nothing (their history aged out); runs with a claim, once a minute at most. */
  private void sweep() {
    for (String name : List.copyOf(rooms.keySet())) {
      forgetIfEmpty(RoomName.of(name), rooms.get(name));
    }
  }

  @Override
  public synchronized Future<Tick> tick(RoomName name, long ts, int connected, List<String> options) {
    Room room = room(name);
    if (room.lastTick >= ts) {
      return Future.succeededFuture(null);
    }
    JsonObject votes = new JsonObject();
    for (String option : options) {
      votes.put(option, room.counts.getOrDefault(option, 0));
    }
    JsonObject entry = new JsonObject().put("ts", ts).put("votes", votes).put("connected", connected);
    room.lastTick = ts;
    if (policy.maxSize() > 0) {
      room.history.addLast(entry);
    }
    prune(room);
    boolean idle = room.counts.isEmpty() && connected == 0;
    if (idle) {
      active.remove(name.value());
    }
    return Future.succeededFuture(new Tick(entry.copy(), idle));
  }

  @Override
  public synchronized Future<List<JsonObject>> history(RoomName name, long sinceTs) {
    Room room = rooms.get(name.value());
    if (room == null) {
      return Future.succeededFuture(List.of());
    }
    prune(room);
    List<JsonObject> entries = new ArrayList<>();
    for (JsonObject entry : room.history) {
      if (entry.getLong("ts") > sinceTs) {
        entries.add(entry.copy());
      }
    }
    return Future.succeededFuture(entries);
  }

  @Override
  public synchronized Future<Void> openRound(RoomName name, String round) {
    Room room = room(name);
    room.ballots.clear();
    room.counts.clear();
    room.round = round;
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Map<String, String>> closeRound(RoomName name, String round, String nextRound) {
    Room room = rooms.get(name.value());
    if (room == null || !round.equals(room.round)) {
      return Future.succeededFuture(null);
    }
    Map<String, String> revealed = new HashMap<>();
    room.ballots.forEach((userId, stored) -> revealed.put(userId, stored.ballot().option()));
    room.ballots.clear();
    room.counts.clear();
    room.round = nextRound;
    forgetIfEmpty(name, room);
    return Future.succeededFuture(revealed);
  }

  @Override
  public synchronized Future<Round> round(RoomName name) {
    Room room = rooms.get(name.value());
    if (room == null || room.round == null) {
      return Future.succeededFuture(null);
    }
    return Future.succeededFuture(new Round(room.round, List.copyOf(room.ballots.keySet())));
  }

  @Override
  public synchronized Future<Boolean> addParticipant(RoomName name, String userId) {
    return Future.succeededFuture(room(name).participants.add(userId));
  }

  @Override
  public synchronized Future<Void> clear(RoomName name) {
    rooms.remove(name.value());
    active.remove(name.value());
    return Future.succeededFuture();
  }

  private Room room(RoomName name) {
    return rooms.computeIfAbsent(name.value(), n -> new Room());
  }

  private void uncount(Room room, String option) {
    room.counts.computeIfPresent(option, (o, n) -> n <= 1 ? null : n - 1);
  }

  private void prune(Room room) {
    while (room.history.size() > policy.maxSize()) {
      room.history.removeFirst();
    }
    long now = clock.millis();
    while (!room.history.isEmpty() && now - room.history.peekFirst().getLong("ts") > policy.maxAgeMs()) {
      room.history.removeFirst();
    }
  }

  /** A room that holds nothing is dropped, unless it is active (its next tick decides). */
  private void forgetIfEmpty(RoomName name, Room room) {
    prune(room);
    if (room.isEmpty() && !active.contains(name.value())) {
      rooms.remove(name.value());
    }
  }
}
