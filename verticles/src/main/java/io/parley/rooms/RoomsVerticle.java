package io.parley.rooms;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.parley.shared.Addresses;
import io.parley.shared.Caller;
import io.parley.shared.Envelope;
import io.parley.shared.EventNames;
import io.parley.shared.Failure;
import io.parley.shared.Request;
import io.parley.shared.RoomName;

import java.time.Clock;
import java.util.List;

/**
 * Rooms: publish with offsets, state, catch-up history, presence.
 *
 * <p>Authorization happens before a message gets here: the bridge checks every room a client
 * names against the {@link RoomPolicy}, and server-side code is trusted. What this verticle
 * still decides is what only it knows: which events a client may publish (checked, with every
 * other publish on the node, by the {@link RoomPublisher}).
 *
 * <p>Membership changes are also told to the rest of the server: {@code rooms.joined} and
 * {@code rooms.left} ({@link Addresses#ROOMS_JOINED}) are published on the bus when a user's
 * first connection joins a room and when their last one leaves it, for features that keep
 * per-member state (votes withdraw a leaver's vote), saying too whether that made the room
 * occupied or vacated (Pusher's webhooks). They are published from the node that decided them,
 * so a local consumer hears each transition once in the whole cluster.
 */
public final class RoomsVerticle extends VerticleBase {

  private final RoomStore store;
  private final RoomPublisher publisher;
  private final RoomsOptions options;
  private final Clock clock;

  /** @param publisher the node's one way into a room ({@code rooms.publish} is a client's door to it) */
  public RoomsVerticle(RoomStore store, RoomPublisher publisher, RoomsOptions options, Clock clock) {
    this.store = store;
    this.publisher = publisher;
    this.options = options;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    return Future.all(List.of(
      bus.consumer(Addresses.ROOMS_PUBLISH, m -> Request.reply(m, this::publish)).completion(),
      bus.consumer(Addresses.ROOMS_STATE, m -> Request.reply(m, this::state)).completion(),
      bus.consumer(Addresses.ROOMS_HISTORY, m -> Request.reply(m, this::history)).completion(),
      bus.consumer(Addresses.ROOMS_LAST_SERVER_EVENT, m -> Request.reply(m, this::lastServerEvent)).completion(),
      bus.consumer(Addresses.ROOMS_ACTIVITY, m -> Request.reply(m, this::activity)).completion(),
      bus.consumer(Addresses.ROOMS_JOIN, m -> Request.reply(m, this::join)).completion(),
      bus.consumer(Addresses.ROOMS_LEAVE, m -> Request.reply(m, this::leave)).completion()));
  }

  /**
   * {@code {room, event, data}} → {@code {offset, ts}}: a client's publish (or server code's, on
   * the bus), through the node's {@link RoomPublisher}, which checks it.
   */
  private Future<JsonObject> publish(Message<Object> message) {
    Request request = Request.of(message);
    String room = request.string("room");
    String event = request.string("event");
    Caller caller = Caller.of(message);
    Envelope.From from = caller == null ? null : new Envelope.From(caller.userId(), caller.sessionId());
    return publisher.publish(room, event, request.body().getValue("data"), from)
      .map(envelope -> new JsonObject().put("offset", envelope.offset()).put("ts", envelope.ts()));
  }

  /** {@code {room}} → the room's state; 404 when it has neither members nor history. */
  private Future<JsonObject> state(Message<Object> message) {
    RoomName room = RoomName.of(Request.of(message).string("room"));
    return store.state(room).compose(state -> state == null
      ? Future.failedFuture(Failure.notFound("room " + room + " has no members and no history"))
      : Future.succeededFuture(state.toJson()));
  }

  /** {@code {room, epoch?, sinceOffset}} → every envelope after sinceOffset, or recovered:false. */
  private Future<JsonObject> history(Message<Object> message) {
    Request request = Request.of(message);
    RoomName room = RoomName.of(request.string("room"));
    return store.history(room, request.optionalString("epoch"), request.nonNegativeLong("sinceOffset"))
      .map(HistoryPage::toJson);
  }

  /** {@code {room}} → {@code {envelope}}: the room's last server event of the last 30 minutes, or null (Pusher cache channels). */
  private Future<JsonObject> lastServerEvent(Message<Object> message) {
    RoomName room = RoomName.of(Request.of(message).string("room"));
    return store.lastServerEvent(room).map(last -> new JsonObject().put("envelope", last == null ? null : last.toJson()));
  }

  /** {@code {active}} from a tab: shown on its user's presence entries. */
  private Future<JsonObject> activity(Message<Object> message) {
    Caller caller = Caller.required(message);
    boolean active = Request.of(message).bool("active");
    return store.setActive(caller.connectionId(), active).map(v -> new JsonObject());
  }

  /**
   * From the bridge: {@code {room, name, node, info?, channel?}} for an authorized REGISTER or a
   * Pusher subscription: {@code info} is a presence member's user_info, {@code channel} the
   * Pusher channel name the subscription joined with.
   */
  private Future<JsonObject> join(Message<Object> message) {
    Caller caller = Caller.required(message);
    Request request = Request.of(message);
    RoomName room = RoomName.of(request.string("room"));
    String name = request.string("name");
    JsonObject info = request.body().getValue("info") instanceof JsonObject object ? object : null;
    String channel = request.optionalString("channel");
    Member member = new Member(caller.userId(), name, caller.sessionId(), caller.connectionId(), request.string("node"), info, channel);
    return store.join(room, member)
      .compose(joined -> {
        if (!joined.first()) {
          return Future.succeededFuture();
        }
        long now = clock.millis();
        // presence first, so that a member sees presence.join before what features say about the join
        return announce(store, options, Envelope.presence(room.value(), EventNames.PRESENCE_JOIN, caller.userId(), name, info, now), 0)
          .eventually(() -> {
            vertx.eventBus().publish(Addresses.ROOMS_JOINED, userEvent(room, caller.userId(), name, now)
              .put("occupied", joined.occupied()).put("channel", channel));
            return Future.succeededFuture();
          });
      })
      .map(v -> new JsonObject());
  }

  /** From the bridge: {@code {room}} on UNREGISTER or socket close. */
  private Future<JsonObject> leave(Message<Object> message) {
    Caller caller = Caller.required(message);
    RoomName room = RoomName.of(Request.of(message).string("room"));
    return store.leave(room, caller.connectionId())
      .compose(last -> last == null ? Future.succeededFuture()
        : userLeft(vertx.eventBus(), store, options, room, last.member(), last.vacated(), clock))
      .map(v -> new JsonObject());
  }

  /**
   * What follows a user's last connection leaving a room, by socket close or node death (the
   * one place both use): {@code presence.leave} in the room, then {@code rooms.left} on the bus
   * for the features that keep per-member state (votes).
   *
   * @param vacated no member is left in the room
   */
  public static Future<Void> userLeft(EventBus bus, RoomStore store, RoomsOptions options, RoomName room, Member member,
                                      boolean vacated, Clock clock) {
    long now = clock.millis();
    return announce(store, options, Envelope.presence(room.value(), EventNames.PRESENCE_LEAVE, member.userId(), member.name(), now), 1)
      .eventually(() -> {
        bus.publish(Addresses.ROOMS_LEFT, userEvent(room, member.userId(), member.name(), now)
          .put("vacated", vacated).put("channel", member.channel()));
        return Future.succeededFuture();
      });
  }

  /**
   * The body of {@code rooms.joined} and {@code rooms.left}; {@code anonymous} for a connection
   * without a user ({@link Member#ANONYMOUS_PREFIX}), which features do not count as a member.
   */
  private static JsonObject userEvent(RoomName room, String userId, String name, long at) {
    JsonObject event = new JsonObject().put("room", room.value()).put("userId", userId).put("name", name).put("at", at);
    return Member.isAnonymous(userId) ? event.put("anonymous", true) : event;
  }

  /**
   * Presence events go to every member, so in a room of n users each join costs n deliveries
   * and filling it costs n²/2. Past {@code rooms.presenceEventsUpTo} users a room announces no
   * more joins and leaves (rooms.state stays exact), as Pusher caps presence channels and
   * Centrifugo leaves join/leave messages off by default. A leave is announced exactly when the
   * join was: the room's size counting that user decides both.
   *
   * @param gone users who already left and still count (1 for a leave, 0 for a join)
   */
  private static Future<Void> announce(RoomStore store, RoomsOptions options, Envelope presence, int gone) {
    if (presence.data() instanceof JsonObject who && Member.isAnonymous(who.getString("userId"))) {
      return Future.succeededFuture(); // a connection without a user is no one to announce
    }
    return store.memberCount(RoomName.of(presence.destination()))
      .compose(members -> members + gone <= options.presenceEventsUpTo() ? store.announce(presence) : Future.succeededFuture());
  }
}
