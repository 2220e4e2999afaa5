package io.parley.votes;

import io.parley.rooms.RoomStore;
import io.parley.shared.Addresses;
import io.parley.shared.Caller;
import io.parley.shared.Failure;
import io.parley.shared.FailureLog;
import io.parley.shared.RealtimeService;
import io.parley.shared.Request;
import io.parley.shared.RoomName;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;

/**
 * Votes and planning poker (the poker flow is in {@link PlanningPoker}). The vote flow, all of it:
 *
 * <pre>
 * a client registers room.votes-&lt;room&gt;   → counted as connected (the rooms store), the room ticks
 * votes.history {room, sinceTs?}          → {data: [{ts, votes: {option: n}, connected}...]} ({data: []} when none)
 * votes.cast {room, value, ts}            → {accepted}; false when ts is older than the user's stored vote
 * every votes.tickMs, one node            → votes.tick {data: [{ts, votes, connected}]} in each active room
 * the user's last connection leaves       → their vote is withdrawn (rooms.left)
 * </pre>
 *
 * Who votes is the bridge's identity header, never the body; only a user joined to the room
 * may vote (403 otherwise); a value that is not one of the room's options is a 400 (default
 * yes/no, story points in {@code planning-poker-<id>}). Nothing is stored for a refused vote.
 * Registering has no reply in the bridge protocol, so a late joiner asks {@code votes.history}
 * after registering; ticks that arrive meanwhile are told apart by their {@code ts}.
 *
 * <p>Poker rooms never tick: their counts would show the distribution of hidden values. Their
 * {@code votes.history} answers {@code {data: [], taskId, voted}} instead (see
 * {@link PlanningPoker#state}).
 *
 * <p>Every instance on every node hears {@code rooms.joined} / {@code rooms.left}; what it
 * does with them (activate a room, withdraw a vote, announce a poker member once) is safe to
 * do more than once. The tally clock is {@link VoteTicker}.
 */
public final class VotesVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(VotesVerticle.class);

  public static final String TICK = "votes.tick";
  public static final String VOTES_ROOM_PREFIX = "votes-";
  /** Client timestamps are kept exact by Redis's Lua (doubles) and by JavaScript up to this. */
  public static final long MAX_TS = 9_007_199_254_740_991L;
  /** How far apart the nodes' clocks may be when a leave is compared with when a vote was stored. */
  static final long CLOCK_TOLERANCE_MS = 1_000;

  private final VoteStore votes;
  private final RoomStore rooms;
  private final RealtimeService realtime;
  private final VotesOptions options;
  private final Clock clock;
  private final FailureLog failures;
  private PlanningPoker poker;
  private VoteTicker ticker;

  /**
   * @param rooms    who is in a room (votes only from members, {@code connected} in ticks)
   * @param realtime where ticks and planning-poker events are published (server events, through
   *                 the node's room publisher)
   */
  public VotesVerticle(VoteStore votes, RoomStore rooms, RealtimeService realtime, VotesOptions options, Clock clock,
                       FailureLog failures) {
    this.votes = votes;
    this.rooms = rooms;
    this.realtime = realtime;
    this.options = options;
    this.clock = clock;
    this.failures = failures;
  }

  @Override
  public Future<?> start() {
    poker = new PlanningPoker(votes, realtime, options.pokerOptions(), failures);
    ticker = new VoteTicker(vertx, votes, rooms, realtime, options, clock, failures);
    EventBus bus = vertx.eventBus();
    return Future.all(List.of(
        bus.consumer(Addresses.VOTES_CAST, m -> Request.reply(m, this::cast)).completion(),
        bus.consumer(Addresses.VOTES_HISTORY, m -> Request.reply(m, this::history)).completion(),
        bus.<JsonObject>consumer(Addresses.ROOMS_JOINED, this::joined).completion(),
        bus.<JsonObject>consumer(Addresses.ROOMS_LEFT, this::left).completion(),
        bus.consumer(Addresses.POKER_START, m -> Request.reply(m, this::pokerStart)).completion(),
        bus.consumer(Addresses.POKER_FINALIZE, m -> Request.reply(m, this::pokerFinalize)).completion(),
        bus.consumer(Addresses.POKER_END, m -> Request.reply(m, this::pokerEnd)).completion()))
      .onSuccess(v -> ticker.start());
  }

  @Override
  public Future<?> stop() {
    if (ticker != null) {
      ticker.stop();
    }
    return Future.succeededFuture();
  }

  // ---- votes

  /** {@code {room, value, ts, taskId?}} from a member → {@code {accepted}} (poker rooms: and {@code taskId}). */
  private Future<JsonObject> cast(Message<Object> message) {
    Caller caller = Caller.required(message);
    Request request = Request.of(message);
    RoomName room = RoomName.of(request.string("room"));
    boolean isPoker = isPoker(room);
    String value = value(request, isPoker ? options.pokerOptions() : options.options(), room);
    long ts = request.nonNegativeLong("ts");
    if (ts > MAX_TS) {
      throw Failure.badRequest("ts must be at most " + MAX_TS + " (e.g. Date.now())");
    }
    String taskId = isPoker ? request.optionalString("taskId") : null;
    return member(room, caller).compose(v -> isPoker
      ? poker.vote(room, caller.userId(), value, ts, taskId)
      : votes.cast(room, new VoteStore.Ballot(caller.userId(), value, ts)).compose(cast -> afterCast(room, caller, cast)));
  }

  /**
   * The voter may have left while the vote was on its way: their {@code rooms.left} may have
   * been handled before the vote was stored, so look again and withdraw it (a vote never
   * outlives its voter's membership).
   */
  private Future<JsonObject> afterCast(RoomName room, Caller caller, VoteStore.Cast cast) {
    boolean accepted = cast.outcome() == VoteStore.Outcome.ACCEPTED;
    if (!accepted) {
      return Future.succeededFuture(new JsonObject().put("accepted", false));
    }
    return rooms.hasMember(room, caller.userId()).compose(still -> still
      ? Future.succeededFuture(new JsonObject().put("accepted", true))
      : votes.withdraw(room, caller.userId(), clock.millis()).compose(w ->
        Future.failedFuture(Failure.forbidden("you left " + room + " while voting: the vote was not kept"))));
  }

  /** {@code {room, sinceTs?}} → {@code {data: [tick...]}}, oldest first (poker rooms: see {@link PlanningPoker#state}). */
  private Future<JsonObject> history(Message<Object> message) {
    Request request = Request.of(message);
    RoomName room = RoomName.of(request.string("room"));
    if (isPoker(room)) {
      return poker.state(room);
    }
    long sinceTs = request.has("sinceTs") ? request.nonNegativeLong("sinceTs") : 0;
    return votes.history(room, sinceTs).map(entries -> new JsonObject().put("data", new JsonArray(entries)));
  }

  // ---- membership, from the rooms verticle

  /** {@code rooms.joined {room, userId, name}}: a votes room starts ticking; a poker member is announced once. */
  private void joined(Message<JsonObject> message) {
    RoomName room = roomOfEvent(message);
    if (room == null) {
      return;
    }
    String userId = message.body().getString("userId");
    Future<?> done;
    if (room.suffixAfter(VOTES_ROOM_PREFIX).isPresent()) {
      done = votes.activate(room);
    } else if (PlanningPoker.isPokerRoom(room) && userId != null && !message.body().getBoolean("anonymous", false)) {
      // a connection without a user (a Pusher socket on the public channel) watches; it is no player
      String name = message.body().getString("name");
      done = poker.joined(room, userId, name == null ? userId : name);
    } else {
      return;
    }
    done.onFailure(e -> failures.warn("handling a member joining a votes or poker room", e, LOG));
  }

  /**
   * {@code rooms.left {room, userId, at}}: the user's vote in a votes room goes (poker votes stay
   * for the round). {@code at} is the leaving node's clock and the vote's "stored at" the clock
   * of the node that stored it: votes stored up to {@link #CLOCK_TOLERANCE_MS} after {@code at}
   * go too, so that clocks a little apart cannot keep a leaver's vote, while a late or repeated
   * {@code rooms.left} still cannot take the vote of a user who came back and voted again later.
   */
  private void left(Message<JsonObject> message) {
    RoomName room = roomOfEvent(message);
    String userId = message.body() == null ? null : message.body().getString("userId");
    if (room == null || userId == null || room.suffixAfter(VOTES_ROOM_PREFIX).isEmpty()) {
      return;
    }
    long at = message.body().getLong("at", clock.millis());
    votes.withdraw(room, userId, at + CLOCK_TOLERANCE_MS)
      .onFailure(e -> failures.warn("withdrawing the vote of a member who left", e, LOG));
  }

  /** The room of a rooms.joined/left event, when it is one this verticle keeps state for. */
  private static RoomName roomOfEvent(Message<JsonObject> message) {
    if (Caller.of(message) != null || message.body() == null) {
      return null; // these events come from the rooms verticle only
    }
    String name = message.body().getString("room");
    return RoomName.isValid(name) ? RoomName.of(name) : null;
  }

  // ---- planning poker, server side

  private Future<JsonObject> pokerStart(Message<Object> message) {
    Request request = serverSide(message);
    return poker.start(pokerId(request), request.string("taskId"));
  }

  private Future<JsonObject> pokerFinalize(Message<Object> message) {
    Request request = serverSide(message);
    return poker.finalizeTask(pokerId(request), request.string("taskId"), request.optionalString("nextTaskId"));
  }

  private Future<JsonObject> pokerEnd(Message<Object> message) {
    return poker.end(pokerId(serverSide(message)));
  }

  /** poker.* are for the host application's server code; the bridge never forwards them, and this says no too. */
  private static Request serverSide(Message<Object> message) {
    if (Caller.of(message) != null) {
      throw Failure.forbidden("poker.* addresses are for server-side code");
    }
    return Request.of(message);
  }

  /** {@code id}, or the older name for it, {@code sessionId}. */
  private static String pokerId(Request request) {
    String id = request.optionalString("id");
    String sessionId = request.optionalString("sessionId");
    if (id != null && sessionId != null && !id.equals(sessionId)) {
      throw Failure.badRequest("id and sessionId name the same poker session: give one");
    }
    if (id == null && sessionId == null) {
      throw Failure.badRequest("id is required (the poker session: room planning-poker-<id>)");
    }
    return id != null ? id : sessionId;
  }

  // ---- input

  /** True for a poker room, false for a votes room; a 400 for any other room. */
  private static boolean isPoker(RoomName room) {
    if (PlanningPoker.isPokerRoom(room)) {
      return true;
    }
    if (room.suffixAfter(VOTES_ROOM_PREFIX).isPresent()) {
      return false;
    }
    throw Failure.badRequest("votes are cast in votes-<name> and planning-poker-<id> rooms, not in " + room);
  }

  private static String value(Request request, List<String> allowed, RoomName room) {
    Object value = request.body().getValue("value");
    if (!(value instanceof String s) || !allowed.contains(s)) {
      String got = value == null ? "nothing" : value instanceof String text ? "'" + text + "'" : String.valueOf(value);
      throw Failure.badRequest("value must be one of " + String.join(", ", allowed) + " in " + room
        + "; got " + (got.length() > 40 ? got.substring(0, 40) + "..." : got));
    }
    return s;
  }

  /** Only a user joined to the room (registered to {@code room.<name>}) votes in it. */
  private Future<Void> member(RoomName room, Caller caller) {
    return rooms.hasMember(room, caller.userId()).compose(member -> member
      ? Future.succeededFuture()
      : Future.failedFuture(Failure.forbidden("join " + room + " (register room." + room + ") before voting in it")));
  }
}
