package io.parley.bridge;

import io.parley.bridge.netty.SharedFrame;
import io.parley.pusher.PusherApp;
import io.parley.pusher.PusherChannel;
import io.parley.pusher.PusherFrames;
import io.parley.pusher.PusherSignature;
import io.parley.rooms.Member;
import io.parley.shared.Addresses;
import io.parley.shared.Envelope;
import io.parley.shared.Failure;
import io.parley.shared.RoomName;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One {@code pusher-js} socket on {@code /app/<key>} ({@code docs/pusher.md}): the Pusher
 * protocol on the bridge's machinery. Its channels are rooms: each subscription joins its room
 * in {@link LocalRooms} (deliveries arrive as {@link Delivery}s and go out as the one message
 * built per channel name, {@link Delivery#pusher}) and in the room store through the same
 * {@code rooms.join} and {@code rooms.leave} as a bridge connection ({@link StoreMembership}).
 * A client event goes into its room through the node's {@code RoomPublisher}. The bridge's rules
 * hold as for a {@link Connection}: every message takes a token of {@code bridge.ratePerSecond},
 * refusals are counted against {@code bridge.maxRefusalsPerMinute}, every write is bounded by
 * {@code bridge.maxQueuedBytes}, and the bridge's sweep closes a silent socket. Subscribe,
 * unsubscribe and sign-in are handled one after another in arrival order, and a client event
 * waits for them. Lives on its bridge instance's event loop.
 */
final class PusherConnection extends BridgeSocket {

  private static final Logger LOG = LoggerFactory.getLogger(PusherConnection.class);

  /** The protocol versions served; pusher-js 8 speaks 7. */
  private static final int MIN_PROTOCOL = 5;
  private static final int MAX_PROTOCOL = 7;
  /** Pusher's limit on client events per connection. */
  private static final int CLIENT_EVENTS_PER_SECOND = 10;
  /** Pusher's limit on a presence channel's members. */
  static final int MAX_PRESENCE_MEMBERS = 100;
  /** Joins again after the room store lost presence: tries, one per sweep (as {@link Connection} does). */
  private static final int REJOIN_ATTEMPTS = 30;
  /** The ids of sockets that subscribe without a user start with this (no signed-in or presence user may). */
  static final String ANONYMOUS_PREFIX = Member.ANONYMOUS_PREFIX;

  /** Pusher's close codes for what closes a socket ({@code docs/pusher.md}, close codes). */
  static final int UNKNOWN_APP = 4001;
  static final int APP_DISABLED = 4003;
  static final int OVER_QUOTA = 4004;
  static final int BAD_VERSION_FORMAT = 4006;
  static final int UNSUPPORTED_PROTOCOL = 4007;
  static final int NO_PROTOCOL = 4008;
  static final int UNAUTHORIZED = 4009;
  static final int OVER_CAPACITY = 4100;
  static final int RECONNECT = 4200;
  static final int PONG_NOT_RECEIVED = 4201;

  /** One channel this socket subscribed to: its room, and who it is there. */
  private static final class Subscription {
    final PusherChannel channel;
    /** Where a delivery keeps this channel's message ({@link Delivery#pusherSlot}). */
    final int slot;
    final StoreMembership.Identity member;
    /** A presence member's user_info, or null. */
    final JsonObject info;
    /** subscription_succeeded was sent: deliveries reach it from now on. */
    boolean live;

    Subscription(PusherChannel channel, StoreMembership.Identity member, JsonObject info) {
      this.channel = channel;
      this.slot = Delivery.pusherSlot(channel);
      this.member = member;
      this.info = info;
    }
  }

  /** The user this socket signed in as ({@code pusher:signin}). */
  private record User(String id, String userData, JsonObject info) {
  }

  private final ConnectionContext ctx;
  private final PusherWebSocket transport;
  private final PusherApp app;
  private final String socketId;
  /** Its hash, kept beside the socket's other fields: a delivery from another sender is told apart without reading the id. */
  private final int socketIdHash;
  private final RateLimiter rate;
  private final RateLimiter refusals;
  private final RateLimiter clientEvents;
  private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
  private final Map<RoomName, List<Subscription>> byRoom = new HashMap<>();
  /** The subscriptions of this socket's only room while it is in exactly one ({@link #roomsChanged}), else null. */
  private List<Subscription> soleRoom;
  /** Subscribe, unsubscribe, sign-in and close run one after another, in arrival order. */
  private Future<Void> membership = Future.succeededFuture();
  private long lastSeen;
  /** When the node pinged this silent socket, or -1: any message from it answers. */
  private long pingedAt = -1;
  private User user;
  private boolean closing;
  private boolean closed;
  private int rejoinsLeft;

  PusherConnection(ConnectionContext ctx, PusherWebSocket transport) {
    this.ctx = ctx;
    this.transport = transport;
    this.app = ctx.pusher().byKey(transport.key).orElse(null);
    ThreadLocalRandom random = ThreadLocalRandom.current();
    this.socketId = random.nextLong(1, 1_000_000_000_000L) + "." + random.nextLong(1, 1_000_000_000_000L);
    this.socketIdHash = socketId.hashCode();
    this.lastSeen = ctx.now();
    BridgeOptions options = ctx.options();
    long nanos = System.nanoTime();
    this.rate = new RateLimiter(options.ratePerSecond(), options.rateBurst(), nanos);
    this.refusals = new RateLimiter(options.maxRefusalsPerMinute() / 60.0, options.maxRefusalsPerMinute(), nanos);
    this.clientEvents = new RateLimiter(CLIENT_EVENTS_PER_SECOND, CLIENT_EVENTS_PER_SECOND, nanos);
  }

  void start() {
    ctx.connections().opened(this);
    transport.start(this::onMessage, failure -> LOG.debug("Pusher socket {} failed", socketId, failure), v -> onClose());
    if (servable()) {
      transport.send(PusherFrames.connectionEstablished(socketId, ctx.pusher().activityTimeoutSeconds()));
    }
  }

  /** Whether the app and protocol can be served; when not, the socket is closed with Pusher's code for why. */
  private boolean servable() {
    int code;
    String message;
    if (app == null) {
      code = UNKNOWN_APP;
      message = "Could not find app by key " + transport.key;
    } else if (!app.enabled()) {
      code = APP_DISABLED;
      message = "Application disabled";
    } else if (transport.protocol == null) {
      code = NO_PROTOCOL;
      message = "No protocol version supplied: connect with ?protocol=7";
    } else if (!transport.protocol.matches("\\d{1,3}")) {
      code = BAD_VERSION_FORMAT;
      message = "Invalid version string format: " + transport.protocol;
    } else if (Integer.parseInt(transport.protocol) < MIN_PROTOCOL || Integer.parseInt(transport.protocol) > MAX_PROTOCOL) {
      code = UNSUPPORTED_PROTOCOL;
      message = "Unsupported protocol version " + transport.protocol + ": " + MIN_PROTOCOL + " to " + MAX_PROTOCOL + " are served";
    } else {
      return true;
    }
    closeWith(code, message);
    return false;
  }

  // --- outbound -------------------------------------------------------------------------------

  /** The one write path for this socket's own messages, bounded like deliveries. */
  private void write(String message) {
    if (closing || closed) {
      return;
    }
    if (!transport.writable()) {
      close(CloseReason.SLOW_CONSUMER);
      return;
    }
    transport.send(message);
  }

  @Override
  public boolean deliver(Delivery delivery, long now) {
    // LocalRooms delivers only the rooms this socket is in: with one room (the usual), no lookup
    List<Subscription> here = soleRoom != null ? soleRoom : byRoom.get(delivery.room());
    if (closing || closed || here == null) {
      return true;
    }
    // what is the same for every member is read from the delivery, not worked out per member: the
    // fan-out touches as little of each socket as it can (bench/README.md, the Pusher fan-out)
    boolean presence = delivery.envelope().offset() == null;
    String sender = presence ? null : delivery.sender();
    if (sender != null && sender.hashCode() == socketIdHash && sender.equals(socketId)) {
      return true; // its own client event: Pusher never echoes one
    }
    for (Subscription subscription : here) {
      SharedFrame message = subscription.live && !(presence && ownPresence(delivery.envelope(), subscription))
        ? delivery.pusher(subscription.slot, subscription.channel) : null;
      if (message != null) {
        if (!transport.writable()) {
          return false;
        }
        transport.queue(message);
      }
    }
    return true;
  }

  /** A socket is not sent its own user's member_added and member_removed on a presence channel. */
  private static boolean ownPresence(Envelope envelope, Subscription subscription) {
    return envelope.data() instanceof JsonObject member && subscription.member.userId().equals(member.getString("userId"));
  }

  @Override
  void flushTransport() {
    if (!closed) {
      transport.flush();
    }
  }

  @Override
  public void close(CloseReason reason) {
    closeWith(switch (reason) {
      case PING_TIMEOUT -> PONG_NOT_RECEIVED;
      case NODE_EVICTED -> RECONNECT;
      case SLOW_CONSUMER -> OVER_CAPACITY;
      case TOO_MANY_REFUSALS -> OVER_QUOTA;
      default -> UNAUTHORIZED;
    }, reason == CloseReason.PING_TIMEOUT ? "Pong reply not received" : reason.message);
  }

  /** Closes this socket of a user whose connections the app terminated ({@code parley.pusher.terminate}). */
  void terminate() {
    closeWith(UNAUTHORIZED, "Connection terminated by the application");
  }

  /** {@code pusher:error} with the close code, then the close; the error is written whatever the socket is owed. */
  private void closeWith(int code, String message) {
    if (closing || closed) {
      return;
    }
    closing = true;
    transport.send(PusherFrames.error(code, message, null));
    transport.close(code, message);
  }

  @Override
  public void check(long now) {
    if (rejoinsLeft > 0) {
      int left = rejoinsLeft;
      rejoinsLeft = 0;
      rejoin(left);
    }
    // as Pusher's servers: a socket busy receiving never needs to ping (pusher-js resets its own
    // activity timer on every message), so the node asks one that was silent for the activity
    // timeout, and gives up on it a pong timeout after that ping. A shorter timeout costs a ping
    // and a pong per socket that often: 2,000 a second at 10,000 sockets and 5 s (bench/README.md).
    if (pingedAt >= 0) {
      if (now - pingedAt >= TimeUnit.SECONDS.toMillis(ctx.pusher().pongTimeoutSeconds())) {
        close(CloseReason.PING_TIMEOUT);
      }
    } else if (now - lastSeen >= TimeUnit.SECONDS.toMillis(ctx.pusher().activityTimeoutSeconds()) && !closing) {
      pingedAt = now;
      write(PusherFrames.ping());
    }
  }

  // --- inbound --------------------------------------------------------------------------------

  private void onMessage(Buffer data) {
    if (closing || closed) {
      return;
    }
    lastSeen = ctx.now();
    pingedAt = -1;
    ctx.metrics().frameIn();
    boolean withinRate = rate.tryAcquire(System.nanoTime());
    JsonObject message = parse(data);
    String event = message == null ? null : message.getValue("event") instanceof String name ? name : null;
    if (event == null) {
      refuse(PusherFrames.MALFORMED, "a message must be a JSON object with an event", null);
    } else if (!withinRate) {
      refuse(PusherFrames.OVER_RATE, "too many messages: slow down", null);
    } else {
      Object payload = message.getValue("data");
      switch (event) {
        case "pusher:ping" -> write(PusherFrames.pong());
        case "pusher:pong" -> {
          // lastSeen is all a pong is for
        }
        case "pusher:subscribe" -> membership = membership.transform(ar -> subscribe(object(payload)));
        case "pusher:unsubscribe" -> membership = membership.transform(ar -> unsubscribe(object(payload)));
        case "pusher:signin" -> membership = membership.transform(ar -> signin(object(payload)));
        default -> {
          if (event.startsWith("client-")) {
            String channel = message.getValue("channel") instanceof String name ? name : null;
            membership.onComplete(ar -> clientEvent(event, channel, payload));
          } else {
            refuse(PusherFrames.MALFORMED, "unknown event " + event, null);
          }
        }
      }
    }
  }

  private static JsonObject parse(Buffer data) {
    try {
      return new JsonObject(data);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** A message's data as an object: clients send it as one, or as a JSON-encoded string of one. */
  private static JsonObject object(Object data) {
    return PusherFrames.dataOf(data) instanceof JsonObject json ? json : new JsonObject();
  }

  private Future<Void> subscribe(JsonObject data) {
    String name = data.getValue("channel") instanceof String text ? text : null;
    if (closing || closed) {
      return Future.succeededFuture();
    }
    PusherChannel channel = PusherChannel.parse(name).orElse(null);
    if (channel == null) {
      refuse(PusherFrames.MALFORMED, "invalid channel name " + name + ": [A-Za-z0-9_.-] after the prefix, at most "
        + RoomName.MAX_LENGTH, name);
      return Future.succeededFuture();
    }
    if (subscriptions.containsKey(name)) {
      refuse(PusherFrames.MALFORMED, "already subscribed to " + name, name);
      return Future.succeededFuture();
    }
    if (subscriptions.size() >= ctx.options().maxRoomsPerSocket()) {
      refuse(PusherFrames.MALFORMED, "a socket may subscribe to at most " + ctx.options().maxRoomsPerSocket() + " channels", name);
      return Future.succeededFuture();
    }
    return switch (channel.kind()) {
      case PUBLIC -> {
        if (!ctx.pusher().isPublicRoom(channel.room().value())) {
          refuse(PusherFrames.CHANNEL_NOT_OPEN, "room " + channel.room() + " is not open to public channels: use private-"
            + channel.room(), name);
          yield Future.succeededFuture();
        }
        yield join(new Subscription(channel, anyone(channel), null));
      }
      case SERVER_TO_USER -> {
        if (user == null || !channel.room().value().equals("user-" + user.id())) {
          yield subscriptionError(channel, "AuthError", "only the socket signed in as this user may subscribe to " + name, 403);
        }
        yield join(new Subscription(channel, member(channel, user.id(), user.id()), user.info()));
      }
      case PRIVATE, PRIVATE_ENCRYPTED, PRESENCE -> subscribeSigned(channel, data);
    };
  }

  /** A private, encrypted or presence channel: the app's signature of {@code socket_id:channel[:channel_data]} decides. */
  private Future<Void> subscribeSigned(PusherChannel channel, JsonObject data) {
    String channelData = data.getValue("channel_data") instanceof String text ? text : null;
    String signed = socketId + ":" + channel.name() + (channel.isPresence() && channelData != null ? ":" + channelData : "");
    if (!PusherSignature.verifyAuth(app, signed, data.getValue("auth") instanceof String auth ? auth : null)) {
      return subscriptionError(channel, "AuthError", "Invalid signature: expected the app's HMAC-SHA256 of '" + signed
        + "' as <key>:<hex>", 401);
    }
    if (!channel.isPresence()) {
      return join(new Subscription(channel, anyone(channel), null));
    }
    Subscription subscription;
    if (channelData != null) {
      JsonObject presence;
      try {
        presence = new JsonObject(channelData);
      } catch (RuntimeException e) {
        return subscriptionError(channel, "AuthError", "channel_data must be a JSON object {user_id, user_info}", 400);
      }
      String userId = userIdOf(presence.getValue("user_id"));
      Object info = presence.getValue("user_info");
      String problem = problemWith(userId, info);
      if (problem != null) {
        return subscriptionError(channel, "AuthError", problem, 400);
      }
      JsonObject userInfo = (JsonObject) info;
      subscription = new Subscription(channel, member(channel, userId, nameOf(userId, userInfo)), userInfo);
    } else if (user != null) {
      subscription = new Subscription(channel, member(channel, user.id(), nameOf(user.id(), user.info())), user.info());
    } else {
      return subscriptionError(channel, "AuthError", "a presence channel needs channel_data {user_id, user_info} or a signed-in user", 400);
    }
    return members(channel.room()).compose(members -> {
      boolean present = members.stream().anyMatch(member -> member.userId().equals(subscription.member.userId()));
      if (!present && members.size() >= MAX_PRESENCE_MEMBERS) {
        return subscriptionError(channel, "LimitReached", "a presence channel has at most " + MAX_PRESENCE_MEMBERS + " members", 403);
      }
      return join(subscription);
    }, e -> subscriptionError(channel, "ServerError", Failure.messageOf(e), Failure.codeOf(e)));
  }

  /** Pusher's user ids are strings; a number is its decimal text, so 1 and "1" are one member. */
  private static String userIdOf(Object value) {
    if (value instanceof String text) {
      return text;
    }
    if (value instanceof Number number) {
      double exact = number.doubleValue();
      return exact == Math.rint(exact) && Math.abs(exact) < 1e15 ? Long.toString(number.longValue()) : number.toString();
    }
    return null;
  }

  /** What is wrong with a user, or null: an id of 1 to 128 characters (not Parley's anonymous ones) and user_info of at most 1 KB. */
  private static String problemWith(String userId, Object info) {
    if (userId == null || userId.isEmpty() || userId.length() > PusherFrames.MAX_USER_ID_LENGTH) {
      return "user_id must be a string or number of 1 to " + PusherFrames.MAX_USER_ID_LENGTH + " characters";
    }
    if (userId.startsWith(ANONYMOUS_PREFIX)) {
      return "user ids starting with '" + ANONYMOUS_PREFIX + "' are Parley's for sockets without a user";
    }
    if (info != null && !(info instanceof JsonObject)) {
      return "user_info must be a JSON object";
    }
    if (info != null && Json.encodeToBuffer(info).length() > PusherFrames.MAX_USER_INFO_BYTES) {
      return "user_info is over " + PusherFrames.MAX_USER_INFO_BYTES + " bytes";
    }
    return null;
  }

  private static String nameOf(String userId, JsonObject info) {
    return info != null && info.getValue("name") instanceof String name ? name : userId;
  }

  /** Who a subscriber without a presence user is: its signed-in user, or this socket ({@code pusher:<socket_id>}). */
  private StoreMembership.Identity anyone(PusherChannel channel) {
    String id = user != null ? user.id() : ANONYMOUS_PREFIX + socketId;
    return member(channel, id, user != null ? nameOf(user.id(), user.info()) : id);
  }

  /** One store connection per channel: a socket may be in one room under two channel names, as two members. */
  private StoreMembership.Identity member(PusherChannel channel, String userId, String name) {
    return new StoreMembership.Identity(userId, socketId, socketId + "/" + channel.name(), name);
  }

  private Future<Void> join(Subscription subscription) {
    PusherChannel channel = subscription.channel;
    subscriptions.put(channel.name(), subscription);
    List<Subscription> here = byRoom.computeIfAbsent(channel.room(), r -> new ArrayList<>());
    here.add(subscription);
    roomsChanged();
    Future<Void> local = here.size() == 1 ? ctx.rooms().join(channel.room(), this) : Future.succeededFuture();
    return local
      .compose(v -> StoreMembership.join(ctx, channel.room(), subscription.member, subscription.info, channel.name()))
      .compose(v -> channel.isPresence() ? members(channel.room()).map(PusherFrames::presence) : Future.<JsonObject>succeededFuture(null))
      .compose(presence -> cached(channel).map(cached -> new Welcome(presence, cached)))
      .transform(joined -> {
        if (closed || subscriptions.get(channel.name()) != subscription) {
          return Future.succeededFuture();
        }
        if (joined.failed()) {
          if (drop(subscription)) {
            ctx.rooms().leave(channel.room(), this);
          }
          return subscriptionError(channel, "ServerError", "could not join: " + Failure.messageOf(joined.cause()),
            Failure.codeOf(joined.cause()));
        }
        write(PusherFrames.subscriptionSucceeded(channel.name(), joined.result().presence()));
        if (joined.result().cached() != null) {
          write(joined.result().cached());
        }
        subscription.live = true;
        return Future.succeededFuture();
      });
  }

  /** What a subscriber is sent once it is in: the presence members (or null), and a cache channel's event or miss (or null). */
  private record Welcome(JsonObject presence, String cached) {
  }

  /**
   * A cache channel's last event, as its subscribers see it, or {@code pusher:cache_miss}: the
   * room's last server event of the last 30 minutes ({@code rooms.lastServerEvent}). Null for
   * other channels. A store that cannot answer is a miss, not a failed subscription.
   */
  private Future<String> cached(PusherChannel channel) {
    if (!channel.cache()) {
      return Future.succeededFuture();
    }
    return ctx.bus().<JsonObject>request(Addresses.ROOMS_LAST_SERVER_EVENT, new JsonObject().put("room", channel.room().value()),
        ctx.routing().route(Addresses.ROOMS_LAST_SERVER_EVENT, new DeliveryOptions().setSendTimeout(ctx.options().replyTimeoutMs())))
      .map(reply -> reply.body().getJsonObject("envelope"))
      .map(last -> {
        if (last != null) {
          return PusherFrames.delivery(Envelope.fromJson(last), channel);
        }
        webhook(new JsonObject().put("name", "cache_miss").put("channel", channel.name()));
        return PusherFrames.cacheMiss(channel.name());
      })
      .otherwise(e -> {
        ctx.failures().warn("reading a cache channel's last event", e, LOG);
        return PusherFrames.cacheMiss(channel.name());
      });
  }

  /** The room's members, cluster-wide, from the room store's state ({@code rooms.state}). */
  private Future<List<PusherFrames.Member>> members(RoomName room) {
    return ctx.bus().<JsonObject>request(Addresses.ROOMS_STATE, new JsonObject().put("room", room.value()),
        ctx.routing().route(Addresses.ROOMS_STATE, new DeliveryOptions().setSendTimeout(ctx.options().replyTimeoutMs())))
      .map(reply -> {
        JsonArray members = reply.body().getJsonArray("members", new JsonArray());
        List<PusherFrames.Member> listed = new ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) {
          JsonObject member = members.getJsonObject(i);
          if (Member.isAnonymous(member.getString("userId"))) {
            continue; // a socket without a user is in the room, but no presence member
          }
          listed.add(PusherFrames.Member.of(member.getString("userId"), member.getString("name"), member.getJsonObject("info")));
        }
        return listed;
      })
      .recover(e -> Failure.codeOf(e) == Failure.NOT_FOUND ? Future.succeededFuture(List.of()) : Future.failedFuture(e));
  }

  private Future<Void> subscriptionError(PusherChannel channel, String type, String error, int status) {
    ctx.metrics().refused(status == Failure.UNAVAILABLE ? "unavailable" : "forbidden");
    write(PusherFrames.subscriptionError(channel.name(), type, error, status));
    return Future.succeededFuture();
  }

  /** Takes a subscription out of this socket's channels and its room's list; true when it was the room's last here. */
  private boolean drop(Subscription subscription) {
    subscriptions.remove(subscription.channel.name(), subscription);
    List<Subscription> here = byRoom.get(subscription.channel.room());
    if (here != null && here.remove(subscription) && here.isEmpty()) {
      byRoom.remove(subscription.channel.room());
      roomsChanged();
      return true;
    }
    return false;
  }

  private void roomsChanged() {
    soleRoom = byRoom.size() == 1 ? byRoom.values().iterator().next() : null;
  }

  private Future<Void> unsubscribe(JsonObject data) {
    Subscription subscription = data.getValue("channel") instanceof String name ? subscriptions.get(name) : null;
    if (closed || subscription == null) {
      return Future.succeededFuture();
    }
    return leave(subscription);
  }

  private Future<Void> leave(Subscription subscription) {
    if (drop(subscription)) {
      ctx.rooms().leave(subscription.channel.room(), this);
    }
    return StoreMembership.leave(ctx, subscription.channel.room(), subscription.member);
  }

  /** {@code pusher:signin}: the app's signature of {@code socket_id::user::<user_data>}; a failed one closes with 4009. */
  private Future<Void> signin(JsonObject data) {
    if (closing || closed) {
      return Future.succeededFuture();
    }
    String userData = data.getValue("user_data") instanceof String text ? text : null;
    String auth = data.getValue("auth") instanceof String text ? text : null;
    if (userData == null || !PusherSignature.verifyAuth(app, socketId + "::user::" + userData, auth)) {
      closeWith(UNAUTHORIZED, "Invalid signature: expected the app's HMAC-SHA256 of '" + socketId + "::user::<user_data>'");
      return Future.succeededFuture();
    }
    JsonObject parsed = PusherFrames.dataOf(userData) instanceof JsonObject json ? json : null;
    String id = parsed == null ? null : userIdOf(parsed.getValue("id"));
    Object info = parsed == null ? null : parsed.getValue("user_info");
    String problem = parsed == null ? "user_data must be a JSON object with an id" : problemWith(id, info);
    if (problem != null) {
      closeWith(UNAUTHORIZED, "Invalid user_data: " + problem);
      return Future.succeededFuture();
    }
    if (user != null && !user.id().equals(id)) {
      refuse(PusherFrames.MALFORMED, "this socket is signed in as another user: open a new one", null);
      return Future.succeededFuture();
    }
    if (user == null) {
      ctx.connections().signedIn(this, app.id(), id);
    }
    user = new User(id, userData, (JsonObject) info);
    write(PusherFrames.signinSuccess(userData));
    return Future.succeededFuture();
  }

  /**
   * {@code client-*} on a channel: only a live subscriber of a private or presence channel of
   * an app with client events on, at most {@value #CLIENT_EVENTS_PER_SECOND} a second. It goes
   * into the room as a client's publish (from the subscriber's user, this socket as its
   * session), so bridge members get it as an envelope and it is in the room's history.
   */
  private void clientEvent(String event, String channelName, Object data) {
    if (closing || closed) {
      return;
    }
    Subscription subscription = channelName == null ? null : subscriptions.get(channelName);
    if (!app.clientEvents()) {
      refuse(PusherFrames.CLIENT_EVENT_REFUSED, "client events are not enabled for this app", channelName);
    } else if (subscription == null || !subscription.live) {
      refuse(PusherFrames.CLIENT_EVENT_REFUSED, "subscribe to " + channelName + " before triggering events on it", channelName);
    } else if (!subscription.channel.allowsClientEvents()) {
      refuse(PusherFrames.CLIENT_EVENT_REFUSED, "client events are only allowed on private and presence channels", channelName);
    } else if (!clientEvents.tryAcquire(System.nanoTime())) {
      refuse(PusherFrames.OVER_RATE, "client events are limited to " + CLIENT_EVENTS_PER_SECOND + " a second", channelName);
    } else if (data != null && Json.encodeToBuffer(data).length() > ctx.options().maxBodyBytes()) {
      refuse(PusherFrames.CLIENT_EVENT_REFUSED, "event data over " + ctx.options().maxBodyBytes() + " bytes", channelName);
    } else {
      ctx.publisher().publishAs(subscription.channel.room().value(), event, PusherFrames.dataOf(data),
          new Envelope.From(subscription.member.userId(), socketId))
        .onSuccess(published -> webhook(new JsonObject().put("name", "client_event").put("channel", channelName)
          .put("event", event).put("data", data instanceof String text ? text : Json.encode(data)).put("socket_id", socketId)
          .put("user_id", subscription.channel.isPresence() ? subscription.member.userId() : null)))
        .onFailure(e -> refuse(PusherFrames.CLIENT_EVENT_REFUSED, Failure.messageOf(e), channelName));
    }
  }

  /**
   * Hands a webhook only this socket's side decides ({@code client_event}, {@code cache_miss}) to
   * the node's webhooks ({@code parley.pusher.webhook}, {@code docs/pusher-webhooks.md}); nothing
   * when the app has no webhook. A failure to queue it is logged, once per kind.
   */
  private void webhook(JsonObject event) {
    if (app.webhooks().isEmpty()) {
      return;
    }
    ctx.bus().request(Addresses.PUSHER_WEBHOOK, new JsonObject().put("app", app.id()).put("event", event),
        new DeliveryOptions().setSendTimeout(ctx.options().replyTimeoutMs()))
      .onFailure(e -> ctx.failures().warn("queueing a Pusher webhook", e, LOG));
  }

  /** {@code pusher:error} with a 43xx code, the socket open; a socket refused too often is closed ({@link #OVER_QUOTA}). */
  private void refuse(int code, String message, String channel) {
    ctx.metrics().refused(code == PusherFrames.OVER_RATE ? "rate_limited" : "bad_request");
    write(PusherFrames.error(code, message, channel));
    if (!refusals.tryAcquire(System.nanoTime())) {
      close(CloseReason.TOO_MANY_REFUSALS);
    }
  }

  @Override
  public void rejoinAll() {
    rejoin(REJOIN_ATTEMPTS);
  }

  private void rejoin(int attempts) {
    membership = membership.transform(ar -> closed ? Future.succeededFuture()
      : Future.join(subscriptions.values().stream()
          .map(subscription -> StoreMembership.join(ctx, subscription.channel.room(), subscription.member, subscription.info,
            subscription.channel.name()))
          .toList())
        .<Void>mapEmpty()
        .onFailure(e -> rejoinsLeft = attempts - 1)
        .otherwiseEmpty());
  }

  private void onClose() {
    if (closed) {
      return;
    }
    closed = true;
    ctx.connections().closed(this, null, user == null ? null : app.id() + "/" + user.id());
    membership = membership.transform(ar -> {
      List<Subscription> all = List.copyOf(subscriptions.values());
      if (ctx.connections().stopping()) {
        // the node is going: another node evicts these members once the lease is handed back
        all.forEach(subscription -> {
          if (drop(subscription)) {
            ctx.rooms().leave(subscription.channel.room(), this);
          }
        });
        return Future.succeededFuture();
      }
      return Future.join(all.stream().map(this::leave).toList()).mapEmpty();
    });
  }
}
