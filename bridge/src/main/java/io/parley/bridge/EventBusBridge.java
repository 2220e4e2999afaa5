package io.parley.bridge;

import io.parley.bridge.netty.WebSocketFootprint;
import io.parley.pusher.PusherOptions;
import io.parley.rooms.RoomPolicy;
import io.parley.rooms.RoomPublisher;
import io.parley.shared.Addresses;
import io.parley.shared.FailureLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;

import java.time.Clock;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Parley's event-bus bridge: wire-compatible with {@code @vertx/eventbus-bridge-client.js} (and,
 * on the TCP endpoint, with the TCP event-bus bridge's clients), but
 * with per-room delivery ({@link LocalRooms}) and every connection rule in one transport-neutral
 * {@link Connection}. This class only wires: it accepts sockets from each {@link Transport}, builds
 * the {@link ConnectionContext} they share, and runs what applies to many connections at once
 * (the periodic deadline sweep, a user's revocation, the node's eviction, the room store's
 * return after it lost its presence). The path of a frame
 * and of a delivery is drawn in {@code docs/architecture.md}. One per HTTP server instance, used
 * from that instance's event loop.
 */
public final class EventBusBridge {

  private final Vertx vertx;
  private final BridgeOptions options;
  private final Connections connections;
  private final NotificationFanOut notifications;
  private final ServiceRequests services;
  private final ConnectionContext context;
  private MessageConsumer<JsonObject> revocations;
  private MessageConsumer<String> leaseLost;
  private MessageConsumer<String> storeRestored;
  private MessageConsumer<JsonObject> terminations;
  private long checkTimer = -1;

  public EventBusBridge(Vertx vertx, String nodeId, Set<String> localServices, BridgeOptions options, long authTimeoutMs,
                        ApiKeys apiKeys, RoomPolicy policy, PusherOptions pusher, RoomPublisher publisher, BridgeMetrics metrics,
                        FailureLog failures, Clock clock) {
    this.vertx = vertx;
    this.options = options;
    this.connections = new Connections(metrics);
    this.services = new ServiceRequests(vertx.eventBus(), localServices);
    LocalRooms rooms = new LocalRooms(vertx.eventBus(), metrics, clock, new PendingFlushes(vertx.getOrCreateContext()));
    this.notifications = rooms.notifications();
    this.context = new ConnectionContext(options, authTimeoutMs, apiKeys, policy, pusher, publisher, vertx.eventBus(), services,
      rooms, notifications, connections, metrics, failures, clock, nodeId);
  }

  /** The SockJS sub-router for {@code /eventbus/*} (its info and HTTP fallbacks); starts the periodic checks. */
  public Future<Router> start() {
    SockJSHandlerOptions sockJs = new SockJSHandlerOptions()
      .setRegisterWriteHandler(false)
      .setInsertJSESSIONID(false)
      .setOrigin(options.origin());
    for (io.vertx.ext.web.handler.sockjs.Transport transport : io.vertx.ext.web.handler.sockjs.Transport.values()) {
      if (!options.transports().contains(transport.name())) {
        sockJs.addDisabledTransport(transport.name());
      }
    }
    // one sweep instead of three timers per socket: auth deadline, token expiry, ping timeout
    long every = Math.max(50, Math.min(1000, Math.min(context.authTimeoutMs(), options.pingTimeoutMs()) / 4));
    checkTimer = vertx.setPeriodic(every, id -> {
      long now = context.now();
      connections.all().forEach(connection -> connection.check(now));
    });
    revocations = vertx.eventBus().consumer(Addresses.AUTH_REVOKED, message ->
      connections.ofUser(message.body().getString("userId")).forEach(connection -> connection.close(CloseReason.REVOKED)));
    leaseLost = vertx.eventBus().localConsumer(Addresses.NODE_LEASE_LOST, message ->
      connections.all().forEach(connection -> connection.close(CloseReason.NODE_EVICTED)));
    // a Redis that restarted empty forgot who is in which room; the sockets stay open
    storeRestored = vertx.eventBus().localConsumer(Addresses.ROOMS_STORE_RESTORED, message ->
      connections.all().forEach(BridgeSocket::rejoinAll));
    // the Pusher HTTP API's terminate_connections, from any node
    terminations = vertx.eventBus().consumer(Addresses.PUSHER_TERMINATE, message ->
      connections.ofPusherUser(message.body().getString("app"), message.body().getString("userId"))
        .forEach(PusherConnection::terminate));
    Router router = SockJSHandler.create(vertx, sockJs)
      .socketHandler(socket -> accept(new SockJsHttpSocket(socket, options.maxQueuedBytes())));
    return Future.all(revocations.completion(), terminations.completion(), notifications.start()).map(router);
  }

  /**
   * Serves the websocket transports itself, on the HTTP server (so it gets Vert.x's own
   * websocket, whose channel it writes to): {@code <base>/<server>/<session>/websocket} with
   * SockJS framing and {@code <base>/websocket} raw, when {@code bridge.transports} has
   * {@code WEBSOCKET}; and the Pusher protocol at {@code /app/<key>} ({@code docs/pusher.md}),
   * always. The SockJS server in the router keeps {@code <base>/info} and the HTTP fallbacks.
   * Other upgrade paths are refused (404), as is an Origin other than {@code bridge.origin} when
   * that is set (403).
   */
  public HttpServer attach(HttpServer server, String base) {
    boolean webSockets = options.transports().contains(io.vertx.ext.web.handler.sockjs.Transport.WEBSOCKET.name());
    BiFunction<String, String, BiFunction<ServerWebSocket, Integer, Transport>> bridgeTransport =
      (b, path) -> webSockets ? transportFor(b, path) : null;
    return server
      .webSocketHandshakeHandler(handshake -> {
        String origin = handshake.headers().get("Origin");
        if (bridgeTransport.apply(base, handshake.path()) == null && !PusherWebSocket.serves(handshake.path())) {
          handshake.reject(404);
        } else if (options.origin() != null && origin != null && !options.origin().equals(origin)) {
          handshake.reject(403);
        } else {
          handshake.accept();
        }
      })
      .webSocketHandler(socket -> {
        WebSocketFootprint.trim(socket);
        if (PusherWebSocket.serves(socket.path())) {
          new PusherConnection(context, new PusherWebSocket(socket, options.maxQueuedBytes())).start();
        } else {
          accept(bridgeTransport.apply(base, socket.path()).apply(socket, options.maxQueuedBytes()));
        }
      });
  }

  static BiFunction<ServerWebSocket, Integer, Transport> transportFor(String base, String path) {
    if (path.equals(base + "/websocket")) {
      return RawWebSocket::new;
    }
    if (path.startsWith(base + "/") && path.endsWith("/websocket")) {
      String[] serverAndSession = path.substring(base.length() + 1, path.length() - "/websocket".length()).split("/", -1);
      if (serverAndSession.length == 2 && !serverAndSession[0].isEmpty() && !serverAndSession[1].isEmpty()) {
        return SockJsWebSocket::new;
      }
    }
    return null;
  }

  /** A connection to the TCP endpoint ({@code tcp.port}): the same connection rules, the TCP bridge's framing. */
  public void accept(NetSocket socket) {
    accept(new TcpSocket(socket, options.maxQueuedBytes(), options.maxFrameBytes()));
  }

  private Connection accept(Transport transport) {
    Connection connection = new Connection(context, transport);
    connection.start();
    return connection;
  }

  /**
   * Runs this instance's fan-out once before the node reports ready ({@link FanOutWarmUp}), when
   * {@code bridge.warmUp} asks for it; on this instance's context. Never fails.
   */
  public Future<Void> warmUp() {
    if (!options.warmUp().enabled()) {
      return Future.succeededFuture();
    }
    return new FanOutWarmUp(vertx, options.warmUp(), options.maxQueuedBytes(), this::accept).run();
  }

  /**
   * Stops the checks; the sockets close next. Their rooms are not left one by one: the node is
   * going, it hands its lease back, and a node that stays up evicts its connections and
   * announces each departure (a leave announced by a node that is closing its event bus could
   * be lost, and a vote with it).
   */
  public void stop() {
    connections.stop();
    vertx.cancelTimer(checkTimer);
    if (revocations != null) {
      revocations.unregister();
      leaseLost.unregister();
      storeRestored.unregister();
      terminations.unregister();
      notifications.stop();
    }
  }

  /** Server-side requests from this node's HTTP routes, kept on this node where it runs the service. */
  ServiceRequests services() {
    return services;
  }
}
