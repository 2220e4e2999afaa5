package io.parley.bridge;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.parley.auth.Principal;
import io.parley.shared.Addresses;
import io.parley.shared.Failure;
import io.parley.shared.Headers;
import io.parley.shared.RoomName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;

/**
 * One socket: the security boundary between a browser and the bus (DESIGN.md §2).
 *
 * <ul>
 *   <li>Nothing but {@code auth.authenticate} (and pings) passes before authentication.</li>
 *   <li>Every forwarded frame carries identity headers written here, never the client's.</li>
 *   <li>Only the exact inbound addresses are reachable; only {@code room.<name>} can be
 *       registered, and only when the room policy allows it. A {@code room} named in a
 *       request body is checked by the same policy.</li>
 *   <li>A bad frame is answered with an {@code err} frame; the socket stays open.</li>
 * </ul>
 * Frames are handled in arrival order: a send after a register is forwarded only once the
 * register has been decided, so "register, then ask" behaves as a client expects. Lives on
 * its bridge instance's event loop.
 */
final class BridgeConnection {

  private static final Logger LOG = LoggerFactory.getLogger(BridgeConnection.class);

  /** Close codes, for raw websocket clients; SockJS clients also get an {@code err} naming the reason. */
  static final int CLOSE_AUTH_TIMEOUT = 4001;
  static final int CLOSE_TOKEN_EXPIRED = 4002;
  static final int CLOSE_REVOKED = 4003;
  static final int CLOSE_PING_TIMEOUT = 4004;
  static final int CLOSE_NODE_EVICTED = 4005;
  static final int CLOSE_SLOW_CONSUMER = 4006;
  /** SockJS clients expect a heartbeat frame when nothing else was sent for this long. */
  private static final long HEARTBEAT_MS = 25_000;
  private static final int MAX_REPLY_ADDRESS_LENGTH = 100;
  /** Joins again after the room store lost presence: tries, one per sweep (about a second apart). */
  private static final int REJOIN_ATTEMPTS = 30;

  /** What a client frame says, once parsed. */
  private record Inbound(String type, String address, String replyAddress, Object body) {
  }

  private final EventBusBridge bridge;
  private final ClientSocket socket;
  private final String connectionId = UUID.randomUUID().toString();
  private final long openedAt;
  private final RateLimiter rate;
  private final Set<RoomName> rooms = new LinkedHashSet<>();
  /** Rooms the policy allowed for this socket, so requests naming them skip the policy. */
  private final Set<RoomName> allowedRooms = new HashSet<>();
  /** Register, unregister and close run one after another, in arrival order. */
  private Future<Void> membership = Future.succeededFuture();
  private long lastSeen;
  private boolean flushQueued;
  private long lastSent;
  private Principal principal;
  private boolean authenticating;
  private boolean closed;
  /** Attempts left to join this connection's rooms again, once a rejoin failed (see {@link #rejoinAll}). */
  private int rejoinsLeft;

  BridgeConnection(EventBusBridge bridge, ClientSocket socket) {
    this.bridge = bridge;
    this.socket = socket;
    this.openedAt = bridge.now();
    this.lastSeen = openedAt;
    this.lastSent = openedAt;
    this.rate = new RateLimiter(bridge.options().ratePerSecond(), bridge.options().rateBurst(), System.nanoTime());
  }

  void start() {
    socket.start(this::onFrame, this::onTransportFailure, v -> onClose());
  }

  private void onTransportFailure(Throwable failure) {
    if (failure instanceof CorruptedWebSocketFrameException) {
      bridge.metrics().refused("too_large");
    }
    LOG.debug("Socket {} failed", connectionId, failure);
  }

  Principal principal() {
    return principal;
  }

  void write(Buffer frame) {
    if (!closed) {
      lastSent = bridge.now();
      socket.send(frame);
    }
  }

  /**
   * Queues a room delivery; false when this socket is too slow to take it ({@link #closeSlow} it).
   * {@code now} is read once per fan-out, not once per member.
   */
  boolean deliver(Delivery delivery, long now) {
    if (closed) {
      return true;
    }
    if (!socket.deliver(delivery)) {
      return false;
    }
    lastSent = now;
    return true;
  }

  /** A socket that stopped draining is closed rather than buffered for without bound. */
  void closeSlow() {
    close(CLOSE_SLOW_CONSUMER, "slow_consumer", "this socket did not keep up with its rooms: reconnect and catch up");
  }

  /**
   * Marks this connection as waiting for the bridge's next flush: true the first time in a
   * burst, so the bridge lists it once however many deliveries it gets before the flush.
   */
  boolean queueFlush() {
    if (flushQueued) {
      return false;
    }
    flushQueued = true;
    return true;
  }

  void flush() {
    flushQueued = false;
    if (!closed) {
      socket.flush();
    }
  }

  /** Closes with a reason the client can see: an {@code err} frame, then the close. */
  void close(int code, String reason, String message) {
    if (!closed) {
      int failureCode = switch (code) {
        case CLOSE_PING_TIMEOUT -> Failure.BAD_REQUEST;
        case CLOSE_NODE_EVICTED, CLOSE_SLOW_CONSUMER -> Failure.UNAVAILABLE;
        default -> Failure.UNAUTHENTICATED;
      };
      socket.send(Frames.error(reason, failureCode, message));
      socket.close(code, message);
    }
  }

  /** Periodic check from the bridge: auth deadline, token expiry, ping timeout. */
  void check(long now) {
    if (rejoinsLeft > 0) {
      int left = rejoinsLeft;
      rejoinsLeft = 0;
      rejoin(left);
    }
    // the deadline is for the client to ask, not for a busy server to answer: once an
    // authenticate request is on its way, its reply decides
    if (principal == null && !authenticating && now - openedAt >= bridge.authTimeoutMs()) {
      close(CLOSE_AUTH_TIMEOUT, "auth_timeout", "not authenticated in time: send auth.authenticate {token, sessionId} first");
    } else if (expired(now)) {
      closeExpired();
    } else if (now - lastSeen >= bridge.options().pingTimeoutMs()) {
      close(CLOSE_PING_TIMEOUT, "ping_timeout", "no frame or ping in time");
    } else if (now - lastSent >= HEARTBEAT_MS) {
      lastSent = now;
      socket.heartbeat();
    }
  }

  private boolean expired(long now) {
    return principal != null && now >= principal.expiresAt();
  }

  private void closeExpired() {
    close(CLOSE_TOKEN_EXPIRED, "token_expired", "token expired: reconnect with a fresh token");
  }

  private void onFrame(Buffer data) {
    if (closed) {
      return;
    }
    lastSeen = bridge.now();
    bridge.metrics().frameIn();
    Inbound frame;
    try {
      JsonObject json = new JsonObject(data);
      frame = new Inbound(text(json, "type"), text(json, "address"), text(json, "replyAddress"), json.getValue("body"));
    } catch (RuntimeException e) {
      refuse(null, Failure.BAD_REQUEST, Frames.INVALID_JSON, "a frame must be a JSON object");
      return;
    }
    if ("ping".equals(frame.type())) {
      if (expired(lastSeen)) {
        closeExpired();
      }
      return;
    }
    if (!rate.tryAcquire(System.nanoTime())) {
      refuse(frame, Failure.RATE_LIMITED, Frames.RATE_LIMITED, "too many frames: slow down");
      return;
    }
    if (data.length() > bridge.options().maxBodyBytes() && bodyBytes(frame) > bridge.options().maxBodyBytes()) {
      refuse(frame, Failure.TOO_LARGE, Frames.TOO_LARGE, "body over " + bridge.options().maxBodyBytes() + " bytes");
      return;
    }
    if (frame.replyAddress() != null && frame.replyAddress().length() > MAX_REPLY_ADDRESS_LENGTH) {
      refuse(null, Failure.BAD_REQUEST, Frames.INVALID_TYPE, "replyAddress too long");
      return;
    }
    switch (frame.type() == null ? "" : frame.type()) {
      case "send" -> membership.onComplete(ar -> onSend(frame));
      case "register" -> membership = membership.transform(ar -> register(frame));
      case "unregister" -> membership = membership.transform(ar -> unregister(frame));
      case "publish" -> refuse(frame, Failure.FORBIDDEN, Frames.ACCESS_DENIED, "clients may not publish on the bus: send to rooms.publish");
      default -> refuse(frame, Failure.BAD_REQUEST, Frames.INVALID_TYPE, "type must be send, register, unregister or ping");
    }
  }

  private void onSend(Inbound frame) {
    if (closed) {
      return;
    }
    if (frame.address() == null) {
      refuse(frame, Failure.BAD_REQUEST, Frames.MISSING_ADDRESS, "address is required");
    } else if (Addresses.AUTH_AUTHENTICATE.equals(frame.address())) {
      authenticate(frame);
    } else if (principal == null) {
      refuse(frame, Failure.UNAUTHENTICATED, Frames.UNAUTHENTICATED, "authenticate first: send auth.authenticate {token, sessionId}");
    } else if (expired(bridge.now())) {
      closeExpired();
    } else if (!Addresses.INBOUND.contains(frame.address())) {
      refuse(frame, Failure.FORBIDDEN, Frames.ACCESS_DENIED, "address " + frame.address() + " is not open to clients");
    } else {
      authorizeNamedRoom(frame.body()).onComplete(ar -> {
        if (ar.failed()) {
          refuse(frame, Failure.codeOf(ar.cause()), Frames.ACCESS_DENIED, Failure.messageOf(ar.cause()));
        } else {
          forward(frame);
        }
      });
    }
  }

  /** A request that names a room is allowed only where its sender may join. */
  private Future<Void> authorizeNamedRoom(Object body) {
    if (!(body instanceof JsonObject json) || !json.containsKey("room")) {
      return Future.succeededFuture();
    }
    if (!(json.getValue("room") instanceof String name) || !RoomName.isValid(name)) {
      return Future.failedFuture(Failure.badRequest("invalid room name: it must match [A-Za-z0-9_:.-]{1,128}"));
    }
    RoomName room = RoomName.of(name);
    if (allowedRooms.contains(room)) {
      return Future.succeededFuture();
    }
    return bridge.policy().mayJoin(principal, room).compose(allowed -> {
      if (!allowed) {
        return Future.failedFuture(Failure.forbidden("you may not use room " + room));
      }
      remember(room);
      return Future.succeededFuture();
    });
  }

  private void forward(Inbound frame) {
    DeliveryOptions delivery = bridge.route(frame.address(), identity().setSendTimeout(bridge.options().replyTimeoutMs()));
    if (frame.replyAddress() == null) {
      bridge.bus().send(frame.address(), frame.body(), delivery);
      return;
    }
    bridge.bus().request(frame.address(), frame.body(), delivery).onComplete(ar -> {
      if (ar.succeeded()) {
        bridge.answered(frame.address(), principal.sessionId(), ar.result().body());
      }
      // a verticle's failure is an answer, not a refusal by the bridge: not counted as one
      write(ar.succeeded()
        ? Frames.reply(frame.replyAddress(), ar.result().body())
        : Frames.failedReply(frame.replyAddress(), Failure.codeOf(ar.cause()), Failure.messageOf(ar.cause())));
    });
  }

  private void authenticate(Inbound frame) {
    if (authenticating) {
      refuse(frame, Failure.CONFLICT, Frames.ACCESS_DENIED, "authentication already in progress");
      return;
    }
    authenticating = true;
    DeliveryOptions delivery = bridge.route(Addresses.AUTH_AUTHENTICATE, new DeliveryOptions()
      .addHeader(Headers.CONNECTION_ID, connectionId).setSendTimeout(bridge.options().replyTimeoutMs()));
    bridge.bus().<JsonObject>request(Addresses.AUTH_AUTHENTICATE, frame.body(), delivery).onComplete(ar -> {
      authenticating = false;
      if (closed) {
        return;
      }
      if (ar.failed()) {
        refuse(frame, Failure.codeOf(ar.cause()), Frames.UNAUTHENTICATED, Failure.messageOf(ar.cause()));
        return;
      }
      Principal authenticated = Principal.fromJson(ar.result().body());
      if (principal != null && !(principal.userId().equals(authenticated.userId())
        && principal.sessionId().equals(authenticated.sessionId()))) {
        // a fresh token may extend this socket's session, never switch it to another user or tab
        refuse(frame, Failure.CONFLICT, Frames.ACCESS_DENIED, "this socket is authenticated as another user or tab: open a new socket");
        return;
      }
      boolean first = principal == null;
      principal = authenticated;
      if (first) {
        bridge.authenticated(this);
      }
      if (frame.replyAddress() != null) {
        write(Frames.reply(frame.replyAddress(), authenticated.toClientReply()));
      }
    });
  }

  private Future<Void> register(Inbound frame) {
    if (closed) {
      return Future.succeededFuture();
    }
    if (frame.address() == null) {
      refuse(frame, Failure.BAD_REQUEST, Frames.MISSING_ADDRESS, "address is required");
      return Future.succeededFuture();
    }
    if (principal == null) {
      refuse(frame, Failure.UNAUTHENTICATED, Frames.UNAUTHENTICATED, "authenticate first: send auth.authenticate {token, sessionId}");
      return Future.succeededFuture();
    }
    if (expired(bridge.now())) {
      closeExpired();
      return Future.succeededFuture();
    }
    if (!frame.address().startsWith(Addresses.ROOM_PREFIX)) {
      refuse(frame, Failure.FORBIDDEN, Frames.ACCESS_DENIED, "only room.<name> addresses can be registered");
      return Future.succeededFuture();
    }
    RoomName room = RoomName.fromAddress(frame.address()).orElse(null);
    if (room == null) {
      refuse(frame, Failure.BAD_REQUEST, Frames.ACCESS_DENIED, "invalid room name: it must match [A-Za-z0-9_:.-]{1,128}");
      return Future.succeededFuture();
    }
    if (rooms.contains(room)) {
      refuse(frame, Failure.CONFLICT, Frames.ACCESS_DENIED, "already registered on " + frame.address());
      return Future.succeededFuture();
    }
    if (rooms.size() >= bridge.options().maxRoomsPerSocket()) {
      refuse(frame, Failure.RATE_LIMITED, Frames.RATE_LIMITED, "a socket may join at most " + bridge.options().maxRoomsPerSocket() + " rooms");
      return Future.succeededFuture();
    }
    return bridge.policy().mayJoin(principal, room).transform(decision -> {
      if (closed) {
        return Future.succeededFuture();
      }
      if (decision.failed()) {
        refuse(frame, Failure.codeOf(decision.cause()), Frames.ACCESS_DENIED, Failure.messageOf(decision.cause()));
        return Future.succeededFuture();
      }
      if (!decision.result()) {
        refuse(frame, Failure.FORBIDDEN, Frames.ACCESS_DENIED, "you may not join room " + room);
        return Future.succeededFuture();
      }
      remember(room);
      rooms.add(room);
      return bridge.localRooms().join(room, this)
        .compose(v -> bridge.bus().request(Addresses.ROOMS_JOIN,
          new JsonObject().put("room", room.value()).put("name", principal.name()).put("node", bridge.nodeId()),
          bridge.route(Addresses.ROOMS_JOIN, identity())))
        .transform(joined -> {
          if (joined.failed()) {
            rooms.remove(room);
            bridge.localRooms().leave(room, this);
            refuse(frame, Failure.codeOf(joined.cause()), Frames.ACCESS_DENIED, "could not join: " + Failure.messageOf(joined.cause()));
          }
          return Future.succeededFuture();
        });
    });
  }

  /**
   * Joins every room this connection is in again (the same {@code rooms.join} as a register,
   * idempotent per connection), after the room store lost its presence: a Redis restarted
   * empty. In turn with registers and unregisters, so a room left meanwhile is not joined
   * again. If a join fails (the store went away again), all are asked again at the bridge's
   * next sweeps, {@value #REJOIN_ATTEMPTS} times at most.
   */
  void rejoinAll() {
    rejoin(REJOIN_ATTEMPTS);
  }

  private void rejoin(int attempts) {
    membership = membership.transform(ar -> closed ? Future.succeededFuture()
      : Future.join(rooms.stream().map(room -> bridge.bus().request(Addresses.ROOMS_JOIN,
          new JsonObject().put("room", room.value()).put("name", principal.name()).put("node", bridge.nodeId()),
          bridge.route(Addresses.ROOMS_JOIN, identity()))).toList())
        .<Void>mapEmpty()
        .onFailure(e -> rejoinsLeft = attempts - 1)
        .otherwiseEmpty());
  }

  private Future<Void> unregister(Inbound frame) {
    RoomName room = RoomName.fromAddress(frame.address()).orElse(null);
    if (closed || room == null || !rooms.remove(room)) {
      return Future.succeededFuture();
    }
    return leave(room);
  }

  private Future<Void> leave(RoomName room) {
    bridge.localRooms().leave(room, this);
    return bridge.bus().request(Addresses.ROOMS_LEAVE, new JsonObject().put("room", room.value()),
        bridge.route(Addresses.ROOMS_LEAVE, identity()))
      .<Void>mapEmpty()
      .recover(e -> {
        LOG.warn("Leaving room {} for connection {} failed: {}", room, connectionId, e.getMessage());
        return Future.succeededFuture();
      });
  }

  private void onClose() {
    if (closed) {
      return;
    }
    closed = true;
    bridge.closed(this);
    membership = membership.transform(ar -> {
      Set<RoomName> joined = Set.copyOf(rooms);
      rooms.clear();
      if (bridge.stopping()) {
        // the node is going: another node evicts this connection once the lease is handed back
        joined.forEach(room -> bridge.localRooms().leave(room, this));
        return Future.succeededFuture();
      }
      return Future.join(joined.stream().map(this::leave).toList()).mapEmpty();
    });
  }

  /** The headers every forwarded frame carries; whatever the client sent is dropped. */
  private DeliveryOptions identity() {
    return new DeliveryOptions()
      .addHeader(Headers.USER_ID, principal.userId())
      .addHeader(Headers.SESSION_ID, principal.sessionId())
      .addHeader(Headers.CONNECTION_ID, connectionId)
      .addHeader(Headers.USER_NAME, principal.name());
  }

  private void remember(RoomName room) {
    if (allowedRooms.size() >= 2 * bridge.options().maxRoomsPerSocket()) {
      allowedRooms.clear();
    }
    allowedRooms.add(room);
  }

  /** Sends a refusal where the client will route it, and counts it. */
  private void refuse(Inbound frame, int code, String reason, String message) {
    bridge.metrics().refused(reasonTag(code));
    if (frame != null && "send".equals(frame.type()) && frame.replyAddress() != null) {
      write(Frames.failedReply(frame.replyAddress(), code, message));
    } else if (frame != null && "register".equals(frame.type()) && frame.address() != null) {
      write(Frames.refusedRegister(frame.address(), code, message));
    } else {
      write(Frames.error(reason, code, message));
    }
  }

  private static String reasonTag(int code) {
    return switch (code) {
      case Failure.BAD_REQUEST -> "bad_request";
      case Failure.UNAUTHENTICATED -> "unauthenticated";
      case Failure.FORBIDDEN -> "forbidden";
      case Failure.NOT_FOUND -> "not_found";
      case Failure.CONFLICT -> "conflict";
      case Failure.TOO_LARGE -> "too_large";
      case Failure.RATE_LIMITED -> "rate_limited";
      case Failure.UNAVAILABLE -> "unavailable";
      default -> "other";
    };
  }

  private static int bodyBytes(Inbound frame) {
    return frame.body() == null ? 0 : io.vertx.core.json.Json.encodeToBuffer(frame.body()).length();
  }

  private static String text(JsonObject json, String field) {
    return json.getValue(field) instanceof String s ? s : null;
  }
}
