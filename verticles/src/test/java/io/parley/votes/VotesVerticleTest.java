package io.parley.votes;

import io.parley.rooms.MemoryRoomStore;
import io.parley.rooms.RoomsOptions;
import io.parley.rooms.RoomPublisher;
import io.parley.rooms.RoomsVerticle;
import io.parley.shared.Addresses;
import io.parley.shared.Await;
import io.parley.shared.Envelope;
import io.parley.shared.Headers;
import io.parley.shared.MutableClock;
import io.parley.shared.RealtimeService;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The votes verticle on the bus with the rooms verticle, both on memory stores and a
 * {@link MutableClock}: joins and leaves as the bridge reports them, votes as it forwards them,
 * and the tally clock driven by moving the clock (each instance's timer wakes every
 * {@value #TICK_MS} ms of real time and finds a new interval only when the clock moved).
 */
class VotesVerticleTest {

  private static final long TICK_MS = 50;
  private static final String ROOM = "votes-debate";
  private static final String POKER = "planning-poker-7";

  private final MutableClock clock = new MutableClock(MutableClock.DEFAULT_START_MILLIS - MutableClock.DEFAULT_START_MILLIS % TICK_MS);
  private final BlockingQueue<Envelope> delivered = new LinkedBlockingQueue<>();
  private Vertx vertx;

  @BeforeEach
  void deploy() {
    vertx = Vertx.vertx();
    RoomsOptions rooms = RoomsOptions.fromConfig(new JsonObject());
    MemoryRoomStore roomStore = new MemoryRoomStore(null, clock, rooms.history(), encoded -> delivered.add(encoded.envelope()));
    VotesOptions options = new VotesOptions(TICK_MS, new VotesOptions.HistoryPolicy(100, 600_000),
      VotesOptions.DEFAULT_OPTIONS, VotesOptions.DEFAULT_POKER_OPTIONS);
    MemoryVoteStore votes = new MemoryVoteStore(clock, options.history());
    // the interval the clock stands in is taken: a test's first tick is the one it moves the clock to
    Await.result(votes.claimInterval(clock.millis() / TICK_MS, TICK_MS));
    RoomPublisher publisher = new RoomPublisher(roomStore, rooms.clientEvents());
    RealtimeService realtime = RealtimeService.create(vertx, publisher, new JsonObject());
    Await.result(vertx.deployVerticle(() -> new RoomsVerticle(roomStore, publisher, rooms, clock), new DeploymentOptions().setInstances(2)));
    // two instances, as a node may run them: still one tick per interval
    Await.result(vertx.deployVerticle(() -> new VotesVerticle(votes, roomStore, realtime, options, clock, io.parley.shared.FailureLog.fallback()),
      new DeploymentOptions().setInstances(2)));
  }

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  // ---------------------------------------------------------------- votes

  @Test
  void ticks_carry_the_counts_and_who_is_connected_once_per_interval() {
    Tab ann = new Tab("ann");
    Tab bob = new Tab("bob");
    ann.join(ROOM);
    bob.join(ROOM);

    assertThat(ann.cast(ROOM, "yes", 1)).isEqualTo(new JsonObject().put("accepted", true));
    assertThat(bob.cast(ROOM, "no", 1)).isEqualTo(new JsonObject().put("accepted", true));
    JsonObject first = nextTick(ROOM);
    bob.cast(ROOM, "yes", 2);
    JsonObject second = nextTick(ROOM);

    assertThat(first).isEqualTo(tickAt(clock.millis() - TICK_MS, 1, 1, 2));
    assertThat(second).isEqualTo(tickAt(clock.millis(), 2, 0, 2));
    assertThat(delivered).as("one tick per interval, whatever the instances").isEmpty();
  }

  @Test
  void a_stale_vote_is_not_accepted_and_changes_nothing() {
    Tab ann = new Tab("ann");
    ann.join(ROOM);
    ann.cast(ROOM, "yes", 1_000);

    assertThat(ann.cast(ROOM, "no", 999)).isEqualTo(new JsonObject().put("accepted", false));
    assertThat(nextTick(ROOM).getJsonObject("votes")).isEqualTo(votes(1, 0));
  }

  @Test
  void bad_votes_are_refused_with_400_or_403_and_nothing_is_stored() {
    Tab ann = new Tab("ann");
    Tab bob = new Tab("bob");
    ann.join(ROOM);

    assertThat(bob.code(Addresses.VOTES_CAST, vote(ROOM, "yes", 1))).as("not joined").isEqualTo(403);
    assertThat(ann.code(Addresses.VOTES_CAST, vote(ROOM, "maybe", 1))).isEqualTo(400);
    assertThat(ann.code(Addresses.VOTES_CAST, vote(ROOM, "5", 1))).as("a poker value in a votes room").isEqualTo(400);
    assertThat(ann.code(Addresses.VOTES_CAST, new JsonObject().put("room", ROOM).put("value", "yes"))).as("no ts").isEqualTo(400);
    assertThat(ann.code(Addresses.VOTES_CAST, vote(ROOM, "yes", -1))).isEqualTo(400);
    assertThat(ann.code(Addresses.VOTES_CAST, vote(ROOM, "yes", VotesVerticle.MAX_TS + 1))).isEqualTo(400);
    assertThat(ann.code(Addresses.VOTES_CAST, vote("board-1", "yes", 1))).as("not a votes room").isEqualTo(400);
    assertThat(ann.code(Addresses.VOTES_CAST, vote("bad room", "yes", 1))).isEqualTo(400);
    assertThat(ann.code(Addresses.VOTES_CAST, "not an object")).isEqualTo(400);
    assertThat(code(Addresses.VOTES_CAST, vote(ROOM, "yes", 1))).as("no client").isEqualTo(401);

    assertThat(nextTick(ROOM)).isEqualTo(tickAt(clock.millis(), 0, 0, 1));
  }

  @Test
  void a_users_vote_goes_when_their_last_connection_leaves() {
    Tab ann = new Tab("ann");
    Tab annElsewhere = ann.anotherTab();
    Tab bob = new Tab("bob");
    ann.join(ROOM);
    annElsewhere.join(ROOM);
    bob.join(ROOM);
    ann.cast(ROOM, "yes", 1);
    bob.cast(ROOM, "no", 1);

    ann.leave(ROOM);
    assertThat(nextTick(ROOM)).as("one of ann's tabs is still there").isEqualTo(tickAt(clock.millis(), 1, 1, 2));
    annElsewhere.leave(ROOM);

    assertThat(awaitTick(ROOM, t -> t.getJsonObject("votes").getInteger("yes") == 0)).isEqualTo(tickAt(clock.millis(), 0, 1, 1));
    assertThat(ann.code(Addresses.VOTES_CAST, vote(ROOM, "yes", 2))).as("no longer a member").isEqualTo(403);
  }

  @Test
  void history_lists_every_tick_and_is_empty_before_the_first() {
    Tab ann = new Tab("ann");
    assertThat(ann.request(Addresses.VOTES_HISTORY, new JsonObject().put("room", ROOM)))
      .isEqualTo(new JsonObject().put("data", new JsonArray()));
    ann.join(ROOM);
    ann.cast(ROOM, "yes", 1);
    List<JsonObject> seen = List.of(nextTick(ROOM), nextTick(ROOM), nextTick(ROOM));

    Tab late = new Tab("late");
    late.join(ROOM);
    JsonObject history = late.request(Addresses.VOTES_HISTORY, new JsonObject().put("room", ROOM));
    JsonObject since = late.request(Addresses.VOTES_HISTORY, new JsonObject().put("room", ROOM).put("sinceTs", seen.get(0).getLong("ts")));

    assertThat(history).isEqualTo(new JsonObject().put("data", new JsonArray(seen)));
    assertThat(since.getJsonArray("data")).containsExactly(seen.get(1), seen.get(2));
  }

  @Test
  void a_room_with_neither_votes_nor_members_stops_ticking_after_a_last_zero_tick() {
    Tab ann = new Tab("ann");
    ann.join(ROOM);
    ann.cast(ROOM, "yes", 1);
    nextTick(ROOM);
    ann.leave(ROOM);

    JsonObject last = awaitTick(ROOM, t -> t.getInteger("connected") == 0 && t.getJsonObject("votes").getInteger("yes") == 0);
    assertThat(last).isEqualTo(tickAt(clock.millis(), 0, 0, 0));
    advanceAndSettle();
    assertThat(delivered.stream().filter(e -> e.event().equals(VotesVerticle.TICK)).toList()).as("no more ticks").isEmpty();

    ann.join(ROOM);
    assertThat(nextTick(ROOM).getInteger("connected")).as("joining brings it back").isEqualTo(1);
  }

  // ---------------------------------------------------------------- planning poker

  @Test
  void planning_poker_hides_values_until_the_task_is_finalized() {
    Tab ann = new Tab("ann");
    Tab bob = new Tab("bob");
    ann.join(POKER);
    assertThat(nextEvent(POKER, PlanningPoker.MEMBER_JOINED)).isEqualTo(new JsonObject().put("userId", "ann").put("name", "Name of ann"));
    bob.join(POKER);
    assertThat(nextEvent(POKER, PlanningPoker.MEMBER_JOINED).getString("userId")).isEqualTo("bob");

    assertThat(ann.code(Addresses.VOTES_CAST, vote(POKER, "5", 1))).as("no task yet").isEqualTo(409);
    assertThat(server(Addresses.POKER_START, new JsonObject().put("id", "7").put("taskId", "t1")))
      .isEqualTo(new JsonObject().put("id", "7").put("taskId", "t1"));
    assertThat(ann.cast(POKER, "5", 1)).isEqualTo(new JsonObject().put("accepted", true).put("taskId", "t1"));
    assertThat(nextEvent(POKER, PlanningPoker.VOTE)).isEqualTo(new JsonObject().put("userId", "ann").put("taskId", "t1"));
    assertThat(ann.code(Addresses.VOTES_CAST, vote(POKER, "yes", 2))).as("not a story point").isEqualTo(400);
    assertThat(bob.code(Addresses.VOTES_CAST, vote(POKER, "8", 1).put("taskId", "t0"))).as("another task").isEqualTo(409);
    bob.cast(POKER, "8", 1);
    nextEvent(POKER, PlanningPoker.VOTE);
    assertThat(bob.request(Addresses.VOTES_HISTORY, new JsonObject().put("room", POKER))).isEqualTo(new JsonObject()
      .put("data", new JsonArray()).put("taskId", "t1").put("voted", new JsonArray().add("ann").add("bob")));

    JsonObject finalized = server(Addresses.POKER_FINALIZE, new JsonObject().put("id", "7").put("taskId", "t1").put("nextTaskId", "t2"));

    JsonObject expected = new JsonObject().put("taskId", "t1").put("votes", new JsonObject().put("ann", "5").put("bob", "8"))
      .put("result", "8").put("nextTaskId", "t2");
    assertThat(finalized).isEqualTo(expected);
    assertThat(nextEvent(POKER, PlanningPoker.TASK_FINALIZED)).isEqualTo(expected);
    assertThat(serverCode(Addresses.POKER_FINALIZE, new JsonObject().put("id", "7").put("taskId", "t1"))).as("again").isEqualTo(409);
    assertThat(ann.cast(POKER, "3", 0).getString("taskId")).isEqualTo("t2");
    nextEvent(POKER, PlanningPoker.VOTE);

    assertThat(server(Addresses.POKER_END, new JsonObject().put("sessionId", "7"))).isEqualTo(new JsonObject());
    assertThat(nextEvent(POKER, PlanningPoker.SESSION_ENDED)).isEqualTo(new JsonObject());
    assertThat(ann.code(Addresses.VOTES_CAST, vote(POKER, "3", 5))).isEqualTo(409);
    advanceAndSettle();
    assertThat(delivered).as("no ticks in a poker room, no other events").isEmpty();
  }

  @Test
  void poker_addresses_refuse_clients_and_bad_input() {
    Tab ann = new Tab("ann");

    assertThat(ann.code(Addresses.POKER_START, new JsonObject().put("id", "7").put("taskId", "t1"))).isEqualTo(403);
    assertThat(serverCode(Addresses.POKER_START, new JsonObject().put("taskId", "t1"))).isEqualTo(400);
    assertThat(serverCode(Addresses.POKER_START, new JsonObject().put("id", "7"))).isEqualTo(400);
    assertThat(serverCode(Addresses.POKER_START, new JsonObject().put("id", "bad id").put("taskId", "t1"))).isEqualTo(400);
    assertThat(serverCode(Addresses.POKER_START, new JsonObject().put("id", "7").put("sessionId", "8").put("taskId", "t1"))).isEqualTo(400);
    assertThat(serverCode(Addresses.POKER_START, new JsonObject().put("id", "7").put("taskId", "t".repeat(129)))).isEqualTo(400);
    assertThat(serverCode(Addresses.POKER_FINALIZE, new JsonObject().put("id", "7").put("taskId", "never"))).isEqualTo(409);
  }

  @Test
  void a_poker_member_is_announced_once_per_session_and_keeps_their_vote_when_leaving() {
    Tab ann = new Tab("ann");
    ann.join(POKER);
    nextEvent(POKER, PlanningPoker.MEMBER_JOINED);
    server(Addresses.POKER_START, new JsonObject().put("id", "7").put("taskId", "t1"));
    ann.cast(POKER, "13", 1);
    nextEvent(POKER, PlanningPoker.VOTE);

    ann.leave(POKER);
    ann.join(POKER);
    JsonObject finalized = server(Addresses.POKER_FINALIZE, new JsonObject().put("id", "7").put("taskId", "t1"));

    assertThat(finalized.getJsonObject("votes")).isEqualTo(new JsonObject().put("ann", "13"));
    assertThat(nextEvent(POKER, PlanningPoker.TASK_FINALIZED).getString("result")).isEqualTo("13");
    assertThat(delivered).as("no second member-joined").isEmpty();
  }

  // ---------------------------------------------------------------- helpers

  /** A tab as the bridge forwards it: identity headers only. */
  private final class Tab {
    final String userId;
    final String sessionId = UUID.randomUUID().toString();
    final String connectionId = UUID.randomUUID().toString();

    Tab(String userId) {
      this.userId = userId;
    }

    Tab anotherTab() {
      return new Tab(userId);
    }

    DeliveryOptions headers() {
      return new DeliveryOptions().addHeader(Headers.USER_ID, userId).addHeader(Headers.SESSION_ID, sessionId)
        .addHeader(Headers.CONNECTION_ID, connectionId);
    }

    void join(String room) {
      request(Addresses.ROOMS_JOIN, new JsonObject().put("room", room).put("name", "Name of " + userId).put("node", "node-1"));
      drain(room, "presence.join");
    }

    void leave(String room) {
      request(Addresses.ROOMS_LEAVE, new JsonObject().put("room", room));
      drain(room, "presence.");
    }

    JsonObject cast(String room, String value, long ts) {
      return request(Addresses.VOTES_CAST, vote(room, value, ts));
    }

    JsonObject request(String address, Object body) {
      return Await.result(vertx.eventBus().<JsonObject>request(address, body, headers()).map(Message::body));
    }

    int code(String address, Object body) {
      Throwable failure = Await.failure(vertx.eventBus().request(address, body, headers()));
      return failure == null ? 0 : ((ReplyException) failure).failureCode();
    }
  }

  private JsonObject server(String address, JsonObject body) {
    return Await.result(vertx.eventBus().<JsonObject>request(address, body).map(Message::body));
  }

  private int serverCode(String address, JsonObject body) {
    return code(address, body);
  }

  private int code(String address, Object body) {
    Throwable failure = Await.failure(vertx.eventBus().request(address, body));
    return failure == null ? 0 : ((ReplyException) failure).failureCode();
  }

  private static JsonObject vote(String room, String value, long ts) {
    return new JsonObject().put("room", room).put("value", value).put("ts", ts);
  }

  private static JsonObject votes(int yes, int no) {
    return new JsonObject().put("yes", yes).put("no", no);
  }

  private static JsonObject tickAt(long ts, int yes, int no, int connected) {
    return new JsonObject().put("ts", ts).put("votes", votes(yes, no)).put("connected", connected);
  }

  /** Moves the clock one interval and returns the tick of that interval in {@code room}. */
  private JsonObject nextTick(String room) {
    clock.advanceMillis(TICK_MS);
    long ts = clock.millis();
    JsonObject tick = nextEvent(room, VotesVerticle.TICK).getJsonArray("data").getJsonObject(0);
    assertThat(tick.getLong("ts")).as("the tick of the interval the clock is in").isEqualTo(ts);
    return tick;
  }

  /** Ticks interval after interval until one satisfies {@code condition} (at most 20). */
  private JsonObject awaitTick(String room, Predicate<JsonObject> condition) {
    List<JsonObject> seen = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      JsonObject tick = nextTick(room);
      if (condition.test(tick)) {
        return tick;
      }
      seen.add(tick);
    }
    throw new AssertionError("no tick satisfied the condition; saw " + seen);
  }

  /**
   * Moves the clock one interval and gives the timers (every {@value #TICK_MS} ms) six chances to
   * tick it: for asserting that nothing is ticked.
   */
  private void advanceAndSettle() {
    clock.advanceMillis(TICK_MS);
    try {
      Thread.sleep(TICK_MS * 6);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** The next envelope, which must be {@code event} in {@code room} and a server event; its data. */
  private JsonObject nextEvent(String room, String event) {
    try {
      Envelope envelope = delivered.poll(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThat(envelope).as("an event " + event + " in " + room).isNotNull();
      assertThat(envelope.destination() + " " + envelope.event()).isEqualTo(room + " " + event);
      assertThat(envelope.from()).as("a server event").isNull();
      return (JsonObject) envelope.data();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** Takes the presence envelopes of a join or leave off the queue. */
  private void drain(String room, String eventPrefix) {
    while (true) {
      Envelope head = delivered.peek();
      if (head == null || !head.destination().equals(room) || !head.event().startsWith(eventPrefix)) {
        return;
      }
      delivered.poll();
    }
  }
}
