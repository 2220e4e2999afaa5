package io.parley.bridge;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.parley.auth.Principal;
import io.parley.bridge.netty.WebSocketChannel;
import io.parley.shared.Addresses;
import io.parley.shared.Failure;
import io.parley.shared.Headers;
import io.parley.shared.RoomName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * One client connection, whatever its {@link Transport}: the security boundary between a client
 * and the bus, and every per-connection rule (the page {@code docs/protocol.md} lists them for
 * clients):
 * <ul>
 *   <li><b>Inbound.</b> Every frame, valid or not, takes a token from the connection's rate
 *   limit before anything else is done for it. Nothing but {@code auth.authenticate} (and pings)
 *   passes before authentication. One guard chain ({@link #admitted}) decides every SEND and
 *   REGISTER: address present, authenticated, token not expired; then the principal's kind
 *   decides which addresses apply. A <b>user</b> (a browser's token, on any transport) may send
 *   only to {@code Addresses.INBOUND} and register only {@code room.<name>} where the room policy
 *   allows it (a {@code room} named in a request body is checked the same way). A <b>service</b>
 *   (authenticated with an API key) may send only to {@code Addresses.SERVICE_INBOUND} and answer
 *   the requests it was handed on this connection, register only
 *   {@code Addresses.SERVICE_OUTBOUND} ({@link ServiceHooks}) and watch rooms, never as a
 *   member.</li>
 *   <li><b>Identity.</b> Every forwarded frame carries identity headers written here, never the
 *   client's: a user's {@code userId}, {@code sessionId}, {@code connectionId}, {@code userName};
 *   a service's {@code service} (its key id).</li>
 *   <li><b>Outbound.</b> Replies, refusals and room deliveries all go through one write path
 *   bounded by {@code bridge.maxQueuedBytes}: a client owed more than that is closed
 *   ({@link CloseReason#SLOW_CONSUMER}) instead of buffered for.</li>
 *   <li><b>Refusals.</b> A bad frame is answered with an {@code err} frame and the socket stays
 *   open, up to {@code bridge.maxRefusalsPerMinute}; a client refused more often than that is
 *   closed ({@link CloseReason#TOO_MANY_REFUSALS}).</li>
 *   <li><b>Order.</b> Frames are handled in arrival order: a send after a register is forwarded
 *   only once the register has been decided, so "register, then ask" behaves as a client
 *   expects.</li>
 * </ul>
 * Lives on its bridge instance's event loop.
 */
final class Connection extends BridgeSocket {

  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

  /** SockJS clients expect a heartbeat frame when nothing else was sent for this long. */
  private static final long HEARTBEAT_MS = 25_000;
  private static final int MAX_REPLY_ADDRESS_LENGTH = 100;
  /** Joins again after the room store lost presence: tries, one per sweep (about a second apart). */
  private static final int REJOIN_ATTEMPTS = 30;

  /** What a client frame says, once parsed; {@code failureCode} and {@code message} only a service's failed answer has. */
  private record Inbound(String type, String address, String replyAddress, Object body, Integer failureCode, String message) {
  }

  private final ConnectionContext ctx;
  private final Transport transport;
  private final Frames frames;
  private final String connectionId = UUID.randomUUID().toString();
  private final long openedAt;
  /** A user's rate; a service's once it authenticates ({@code bridge.serviceRatePerSecond}). */
  private RateLimiter rate;
  private final RateLimiter refusals;
  private final Set<RoomName> rooms = new LinkedHashSet<>();
  /** Rooms the policy allowed for this socket, so requests naming them skip the policy. */
  private final Set<RoomName> allowedRooms = new HashSet<>();
  /** Register, unregister and close run one after another, in arrival order. */
  private Future<Void> membership = Future.succeededFuture();
  private long lastSeen;
  private long lastSent;
  /** The user this connection authenticated as, or null. */
  private Principal principal;
  /** The service this connection authenticated as (with an API key), or null; never both. */
  private ApiKeys.ApiKey service;
  /** What the service consumes for the node; null until a service authenticates. */
  private ServiceHooks hooks;
  private boolean authenticating;
  /** This side decided to close: nothing more is read or written but the close itself. */
  private boolean closing;
  /** The transport closed. */
  private boolean closed;
  /** One of the node's warm-up sockets ({@link #watchForWarmUp}): no deadlines apply. */
  private boolean warmUp;
  /** Attempts left to join this connection's rooms again, once a rejoin failed (see {@link #rejoinAll}). */
  private int rejoinsLeft;

  Connection(ConnectionContext ctx, Transport transport) {
    this.ctx = ctx;
    this.transport = transport;
    this.frames = transport.frames();
    this.openedAt = ctx.now();
    this.lastSeen = openedAt;
    this.lastSent = openedAt;
    BridgeOptions options = ctx.options();
    long nanos = System.nanoTime();
    this.rate = new RateLimiter(options.ratePerSecond(), options.rateBurst(), nanos);
    this.refusals = new RateLimiter(options.maxRefusalsPerMinute() / 60.0, options.maxRefusalsPerMinute(), nanos);
  }

  void start() {
    ctx.connections().opened(this);
    transport.start(this::onFrame, this::onTransportFailure, v -> onClose());
  }

  private void onTransportFailure(Throwable failure) {
    int code = failure instanceof FramingFailure framing ? (framing.tooLarge ? 1009 : 1002) : WebSocketChannel.closeCodeOf(failure);
    if (code == 1009) {
      ctx.metrics().refused("too_large");
    } else if (code > 0) {
      ctx.metrics().refused("bad_framing");
    }
    LOG.debug("Socket {} failed", connectionId, failure);
  }

  Principal principal() {
    return principal;
  }

  // --- outbound -------------------------------------------------------------------------------

  /** The one write path for this socket's own frames: counted against the socket's bound like deliveries. */
  private void write(Buffer frame) {
    if (closing || closed) {
      return;
    }
    if (!transport.writable()) {
      close(CloseReason.SLOW_CONSUMER);
      return;
    }
    lastSent = ctx.now();
    transport.send(frame);
  }

  @Override
  public boolean deliver(Delivery delivery, long now) {
    if (closing || closed) {
      return true;
    }
    if (!transport.writable()) {
      return false;
    }
    transport.deliver(delivery);
    lastSent = now;
    return true;
  }

  @Override
  void flushTransport() {
    if (!closed) {
      transport.flush();
    }
  }

  /**
   * Closes with a reason the client can see: an {@code err} frame naming it, then the close. The
   * {@code err} frame is written whatever the socket is owed: one small frame more is the bound.
   */
  @Override
  public void close(CloseReason reason) {
    if (closing || closed) {
      return;
    }
    closing = true;
    transport.send(Frames.error(reason.tag, reason.failureCode, reason.message));
    transport.close(reason.code, reason.message);
  }

  /** Periodic check from the bridge: auth deadline, token expiry, ping timeout, heartbeat. */
  @Override
  public void check(long now) {
    if (warmUp) {
      return; // the node's own, closed by the warm-up when it is done
    }
    if (rejoinsLeft > 0) {
      int left = rejoinsLeft;
      rejoinsLeft = 0;
      rejoin(left);
    }
    if (hooks != null) {
      hooks.expire(now);
    }
    // the deadline is for the client to ask, not for a busy server to answer: once an
    // authenticate request is on its way, its reply decides
    if (principal == null && service == null && !authenticating && now - openedAt >= ctx.authTimeoutMs()) {
      close(CloseReason.AUTH_TIMEOUT);
    } else if (expired(now)) {
      close(CloseReason.TOKEN_EXPIRED);
    } else if (now - lastSeen >= ctx.options().pingTimeoutMs()) {
      close(CloseReason.PING_TIMEOUT);
    } else if (now - lastSent >= HEARTBEAT_MS && !closing) {
      lastSent = now;
      transport.heartbeat();
    }
  }

  private boolean expired(long now) {
    return principal != null && now >= principal.expiresAt();
  }

  // --- inbound --------------------------------------------------------------------------------

  private void onFrame(Buffer data) {
    if (closing || closed) {
      return;
    }
    lastSeen = ctx.now();
    ctx.metrics().frameIn();
    // the token is taken before anything else: garbage costs a client its rate like anything else
    boolean withinRate = rate.tryAcquire(System.nanoTime());
    Inbound frame = parse(data);
    if (frame == null) {
      refuse(null, Failure.BAD_REQUEST, Frames.INVALID_JSON, "a frame must be a JSON object");
    } else if (!withinRate) {
      refuse(frame, Failure.RATE_LIMITED, Frames.RATE_LIMITED, "too many frames: slow down");
    } else if ("ping".equals(frame.type())) {
      if (expired(lastSeen)) {
        close(CloseReason.TOKEN_EXPIRED);
      } else {
        Buffer pong = frames.pong();
        if (pong != null) {
          write(pong);
        }
      }
    } else if (data.length() > ctx.options().maxBodyBytes() && bodyBytes(frame) > ctx.options().maxBodyBytes()) {
      refuse(frame, Failure.TOO_LARGE, Frames.TOO_LARGE, "body over " + ctx.options().maxBodyBytes() + " bytes");
    } else if (frame.replyAddress() != null && frame.replyAddress().length() > MAX_REPLY_ADDRESS_LENGTH) {
      refuse(null, Failure.BAD_REQUEST, Frames.INVALID_TYPE, "replyAddress too long");
    } else {
      switch (frame.type() == null ? "" : frame.type()) {
        case "send" -> membership.onComplete(ar -> onSend(frame));
        case "register" -> membership = membership.transform(ar -> register(frame));
        case "unregister" -> membership = membership.transform(ar -> unregister(frame));
        case "publish" -> refuse(frame, Failure.FORBIDDEN, Frames.ACCESS_DENIED, "clients may not publish on the bus: send to rooms.publish");
        default -> refuse(frame, Failure.BAD_REQUEST, Frames.INVALID_TYPE, "type must be send, register, unregister or ping");
      }
    }
  }

  private static Inbound parse(Buffer data) {
    try {
      JsonObject json = new JsonObject(data);
      return new Inbound(text(json, "type"), text(json, "address"), text(json, "replyAddress"), json.getValue("body"),
        json.getValue("failureCode") instanceof Integer code ? code : null, text(json, "message"));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * The guard chain every SEND (but {@code auth.authenticate}) and REGISTER passes first: an
   * address, an authenticated socket, a token still valid. False when the frame was refused or
   * the socket closed.
   */
  private boolean admitted(Inbound frame) {
    if (closing || closed) {
      return false;
    }
    if (frame.address() == null) {
      refuse(frame, Failure.BAD_REQUEST, Frames.MISSING_ADDRESS, "address is required");
      return false;
    }
    if (principal == null && service == null) {
      refuse(frame, Failure.UNAUTHENTICATED, Frames.UNAUTHENTICATED,
        "authenticate first: send auth.authenticate {token, sessionId} (a user) or {apiKey} (a service)");
      return false;
    }
    if (expired(ctx.now())) {
      close(CloseReason.TOKEN_EXPIRED);
      return false;
    }
    return true;
  }

  private void onSend(Inbound frame) {
    if (Addresses.AUTH_AUTHENTICATE.equals(frame.address())) {
      if (!closing && !closed) {
        authenticate(frame);
      }
    } else if (!admitted(frame)) {
      return;
    } else if (service != null && hooks.awaits(frame.address())) {
      hooks.answer(frame.address(), frame.body(), frame.failureCode(), frame.message());
    } else if (!(service != null ? Addresses.SERVICE_INBOUND : Addresses.INBOUND).contains(frame.address())) {
      refuse(frame, Failure.FORBIDDEN, Frames.ACCESS_DENIED, "address " + frame.address() + " is not open to "
        + (service != null ? "services (nor a request this connection was handed and has not answered)" : "clients"));
    } else if (service != null) {
      // server code: the room policy is about users
      forward(frame);
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
    return ctx.policy().mayJoin(principal, room).compose(allowed -> {
      if (!allowed) {
        return Future.failedFuture(Failure.forbidden("you may not use room " + room));
      }
      remember(room);
      return Future.succeededFuture();
    });
  }

  private void forward(Inbound frame) {
    DeliveryOptions delivery = ctx.routing().route(frame.address(), identity().setSendTimeout(ctx.options().replyTimeoutMs()));
    if (frame.replyAddress() == null) {
      ctx.bus().send(frame.address(), frame.body(), delivery);
      return;
    }
    ctx.bus().request(frame.address(), frame.body(), delivery).onComplete(ar -> {
      if (ar.succeeded() && principal != null) {
        ctx.notifications().answered(frame.address(), principal.sessionId(), ar.result().body());
      }
      // a verticle's failure is an answer, not a refusal by the bridge: not counted as one
      write(ar.succeeded()
        ? frames.reply(frame.replyAddress(), ar.result().body())
        : Frames.failedReply(frame.replyAddress(), Failure.codeOf(ar.cause()), Failure.messageOf(ar.cause())));
    });
  }

  private void authenticate(Inbound frame) {
    if (authenticating) {
      refuse(frame, Failure.CONFLICT, Frames.ACCESS_DENIED, "authentication already in progress");
      return;
    }
    if (frame.body() instanceof JsonObject body && body.containsKey("apiKey")) {
      authenticateService(frame, body.getValue("apiKey") instanceof String key ? key : null);
      return;
    }
    if (service != null) {
      refuse(frame, Failure.CONFLICT, Frames.ACCESS_DENIED, "this connection is authenticated as a service: open a new one");
      return;
    }
    authenticating = true;
    DeliveryOptions delivery = ctx.routing().route(Addresses.AUTH_AUTHENTICATE, new DeliveryOptions()
      .addHeader(Headers.CONNECTION_ID, connectionId).setSendTimeout(ctx.options().replyTimeoutMs()));
    ctx.bus().<JsonObject>request(Addresses.AUTH_AUTHENTICATE, frame.body(), delivery).onComplete(ar -> {
      authenticating = false;
      if (closing || closed) {
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
        ctx.connections().authenticated(this, principal.userId());
      }
      if (frame.replyAddress() != null) {
        write(frames.reply(frame.replyAddress(), authenticated.toClientReply()));
      }
    });
  }

  /**
   * A service presents one of {@code api.keys}; the node decides, in constant time, without a
   * bus round trip. Answers {@code {service, connectionId}}: the key's id, never the key.
   */
  private void authenticateService(Inbound frame, String apiKey) {
    Optional<ApiKeys.ApiKey> key = ctx.apiKeys().match(apiKey);
    if (key.isEmpty()) {
      refuse(frame, Failure.UNAUTHENTICATED, Frames.UNAUTHENTICATED, "unknown API key");
      return;
    }
    if (principal != null || (service != null && !service.id().equals(key.get().id()))) {
      refuse(frame, Failure.CONFLICT, Frames.ACCESS_DENIED, "this connection is authenticated as someone else: open a new one");
      return;
    }
    if (service == null) {
      service = key.get();
      rate = new RateLimiter(ctx.options().serviceRatePerSecond(), ctx.options().serviceRateBurst(), System.nanoTime());
      hooks = new ServiceHooks(ctx.bus(), service.id(), ctx.options(), ctx.clock(),
        (address, body, replyId) -> write(frames.consumed(address, body, replyId)));
      LOG.info("Service {} connected ({})", service.id(), connectionId);
    }
    if (frame.replyAddress() != null) {
      write(frames.reply(frame.replyAddress(), new JsonObject().put("service", service.id()).put("connectionId", connectionId)));
    }
  }

  private Future<Void> register(Inbound frame) {
    if (!admitted(frame)) {
      return Future.succeededFuture();
    }
    if (service != null && Addresses.SERVICE_OUTBOUND.contains(frame.address())) {
      return consume(frame);
    }
    if (!frame.address().startsWith(Addresses.ROOM_PREFIX)) {
      refuse(frame, Failure.FORBIDDEN, Frames.ACCESS_DENIED, service != null
        ? "a service may register only room.<name> and " + String.join(", ", Addresses.SERVICE_OUTBOUND.stream().sorted().toList())
        : "only room.<name> addresses can be registered");
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
    if (rooms.size() >= ctx.options().maxRoomsPerSocket()) {
      refuse(frame, Failure.RATE_LIMITED, Frames.RATE_LIMITED, "a socket may join at most " + ctx.options().maxRoomsPerSocket() + " rooms");
      return Future.succeededFuture();
    }
    if (service != null) {
      // a service watches: it hears the room's deliveries but is never a member (no rooms.join,
      // so no presence, no place in rooms.state or a vote's count), and trusted server code
      // needs no room policy
      rooms.add(room);
      return ctx.rooms().join(room, this);
    }
    return ctx.policy().mayJoin(principal, room).transform(decision -> {
      if (closing || closed) {
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
      return ctx.rooms().join(room, this)
        .compose(v -> joinInStore(room))
        .transform(joined -> {
          if (joined.failed()) {
            rooms.remove(room);
            ctx.rooms().leave(room, this);
            refuse(frame, Failure.codeOf(joined.cause()), Frames.ACCESS_DENIED, "could not join: " + Failure.messageOf(joined.cause()));
          }
          return Future.succeededFuture();
        });
    });
  }

  /**
   * Hears {@code room}'s deliveries on this node, as a service watches a room, with no identity
   * and no membership in the store: for the node's own warm-up sockets ({@link FanOutWarmUp})
   * only; no frame leads here. No deadline applies to it ({@link #check}): the warm-up closes it.
   */
  Future<Void> watchForWarmUp(RoomName room) {
    membership = membership.transform(ar -> {
      if (closing || closed) {
        return Future.succeededFuture();
      }
      warmUp = true;
      rooms.add(room);
      return ctx.rooms().join(room, this);
    });
    return membership;
  }

  /**
   * Joins every room this connection is in again (the same {@code rooms.join} as a register,
   * idempotent per connection), after the room store lost its presence: a Redis restarted
   * empty. In turn with registers and unregisters, so a room left meanwhile is not joined
   * again. If a join fails (the store went away again), all are asked again at the bridge's
   * next sweeps, {@value #REJOIN_ATTEMPTS} times at most. A service watching rooms was never a
   * member, so it has nothing to rejoin.
   */
  @Override
  public void rejoinAll() {
    if (principal != null) {
      rejoin(REJOIN_ATTEMPTS);
    }
  }

  private void rejoin(int attempts) {
    membership = membership.transform(ar -> closed ? Future.succeededFuture()
      : Future.join(rooms.stream().map(this::joinInStore).toList())
        .<Void>mapEmpty()
        .onFailure(e -> rejoinsLeft = attempts - 1)
        .otherwiseEmpty());
  }

  /** Records this connection in the room's presence ({@code rooms.join}: idempotent per connection). */
  private Future<Void> joinInStore(RoomName room) {
    return StoreMembership.join(ctx, room, member(), null, null);
  }

  /** A service registers a hook or a server event: one clustered consumer, decided before the next frame. */
  private Future<Void> consume(Inbound frame) {
    if (hooks.registered(frame.address())) {
      refuse(frame, Failure.CONFLICT, Frames.ACCESS_DENIED, "already registered on " + frame.address());
      return Future.succeededFuture();
    }
    return hooks.register(frame.address()).recover(e -> {
      hooks.unregister(frame.address());
      refuse(frame, Failure.UNAVAILABLE, Frames.ACCESS_DENIED, "could not register " + frame.address() + ": " + e.getMessage());
      return Future.succeededFuture();
    });
  }

  private Future<Void> unregister(Inbound frame) {
    if (service != null && frame.address() != null && Addresses.SERVICE_OUTBOUND.contains(frame.address())) {
      hooks.unregister(frame.address());
      return Future.succeededFuture();
    }
    RoomName room = RoomName.fromAddress(frame.address()).orElse(null);
    if (closed || room == null || !rooms.remove(room)) {
      return Future.succeededFuture();
    }
    return leave(room);
  }

  private Future<Void> leave(RoomName room) {
    ctx.rooms().leave(room, this);
    if (principal == null) {
      return Future.succeededFuture(); // a service or the node's warm-up: it watched, it was never a member
    }
    return StoreMembership.leave(ctx, room, member());
  }

  private void onClose() {
    if (closed) {
      return;
    }
    closed = true;
    ctx.connections().closed(this, principal == null ? null : principal.userId(), null);
    if (hooks != null) {
      hooks.close();
      LOG.info("Service {} disconnected ({})", service.id(), connectionId);
    }
    membership = membership.transform(ar -> {
      Set<RoomName> joined = Set.copyOf(rooms);
      rooms.clear();
      if (ctx.connections().stopping()) {
        // the node is going: another node evicts this connection once the lease is handed back
        joined.forEach(room -> ctx.rooms().leave(room, this));
        return Future.succeededFuture();
      }
      return Future.join(joined.stream().map(this::leave).toList()).mapEmpty();
    });
  }

  /** The headers every forwarded frame carries; whatever the client sent is dropped. */
  private DeliveryOptions identity() {
    if (service != null) {
      // server code to the verticles: no user identity, only which key
      return new DeliveryOptions().addHeader(Headers.SERVICE, service.id());
    }
    return member().headers();
  }

  /** This connection as a room member: its user, tab and connection. */
  private StoreMembership.Identity member() {
    return new StoreMembership.Identity(principal.userId(), principal.sessionId(), connectionId, principal.name());
  }

  private void remember(RoomName room) {
    if (allowedRooms.size() >= 2 * ctx.options().maxRoomsPerSocket()) {
      allowedRooms.clear();
    }
    allowedRooms.add(room);
  }

  /**
   * Sends a refusal where the client will route it, and counts it; a client refused more often
   * than {@code bridge.maxRefusalsPerMinute} is closed after it.
   */
  private void refuse(Inbound frame, int code, String reason, String message) {
    ctx.metrics().refused(reasonTag(code));
    if (frame != null && "send".equals(frame.type()) && frame.replyAddress() != null) {
      write(Frames.failedReply(frame.replyAddress(), code, message));
    } else if (frame != null && "register".equals(frame.type()) && frame.address() != null) {
      write(Frames.refusedRegister(frame.address(), code, message));
    } else {
      write(Frames.error(reason, code, message));
    }
    if (!refusals.tryAcquire(System.nanoTime())) {
      close(CloseReason.TOO_MANY_REFUSALS);
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
    return frame.body() == null ? 0 : Json.encodeToBuffer(frame.body()).length();
  }

  private static String text(JsonObject json, String field) {
    return json.getValue(field) instanceof String s ? s : null;
  }
}
