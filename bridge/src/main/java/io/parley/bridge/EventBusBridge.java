package io.parley.bridge;

import io.vertx.core.Future;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.HttpServer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.Transport;
import io.parley.notifications.NotificationFanOut;
import io.parley.rooms.RoomPolicy;
import io.parley.shared.Addresses;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Parley's event-bus bridge on Vert.x's SockJS server: wire-compatible with
 * {@code @vertx/eventbus-bridge-client.js}, but with per-room delivery ({@link LocalRooms})
 * and identity checked on every frame ({@link BridgeConnection}). One per HTTP server
 * instance, used from that instance's event loop.
 */
public final class EventBusBridge {

  private final Vertx vertx;
  private final String nodeId;
  private final ServiceRequests services;
  private final BridgeOptions options;
  private final long authTimeoutMs;
  private final RoomPolicy policy;
  private final BridgeMetrics metrics;
  private final Clock clock;
  private final LocalRooms localRooms;
  private final NotificationFanOut notifications;
  private final Set<BridgeConnection> connections = new LinkedHashSet<>();
  private final Map<String, Set<BridgeConnection>> connectionsByUser = new HashMap<>();
  /** Connections with deliveries queued since the last flush, each listed once (see {@link BridgeConnection#queueFlush}). */
  private final List<BridgeConnection> unflushed = new ArrayList<>();
  private Context context;
  private MessageConsumer<JsonObject> revocations;
  private MessageConsumer<String> leaseLost;
  private MessageConsumer<String> storeRestored;
  private long checkTimer = -1;
  private boolean stopping;

  public EventBusBridge(Vertx vertx, String nodeId, Set<String> localServices, BridgeOptions options, long authTimeoutMs,
                        RoomPolicy policy, BridgeMetrics metrics, Clock clock) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.services = new ServiceRequests(vertx.eventBus(), localServices);
    this.options = options;
    this.authTimeoutMs = authTimeoutMs;
    this.policy = policy;
    this.metrics = metrics;
    this.clock = clock;
    this.localRooms = new LocalRooms(vertx.eventBus(), metrics, clock, this::flushSoon,
      this::clientRoomOpened, this::clientRoomClosed);
    this.notifications = new NotificationFanOut(vertx.eventBus(), localRooms::deliverHere);
  }

  /** The SockJS sub-router for {@code /eventbus/*}; starts the periodic deadline checks. */
  public Future<Router> start() {
    context = vertx.getOrCreateContext();
    SockJSHandlerOptions sockJs = new SockJSHandlerOptions()
      .setRegisterWriteHandler(false)
      .setInsertJSESSIONID(false)
      .setOrigin(options.origin());
    for (Transport transport : Transport.values()) {
      if (!options.transports().contains(transport.name())) {
        sockJs.addDisabledTransport(transport.name());
      }
    }
    // one sweep instead of three timers per socket: auth deadline, token expiry, ping timeout
    long every = Math.max(50, Math.min(1000, Math.min(authTimeoutMs, options.pingTimeoutMs()) / 4));
    checkTimer = vertx.setPeriodic(every, id -> {
      long now = now();
      for (BridgeConnection connection : List.copyOf(connections)) {
        connection.check(now);
      }
    });
    revocations = vertx.eventBus().consumer(Addresses.AUTH_REVOKED, message -> {
      String userId = message.body().getString("userId");
      for (BridgeConnection connection : List.copyOf(connectionsByUser.getOrDefault(userId, Set.of()))) {
        connection.close(BridgeConnection.CLOSE_REVOKED, "revoked", "session revoked: sign in again");
      }
    });
    leaseLost = vertx.eventBus().localConsumer(Addresses.NODE_LEASE_LOST, message -> {
      for (BridgeConnection connection : List.copyOf(connections)) {
        connection.close(BridgeConnection.CLOSE_NODE_EVICTED, "node_evicted", "this node was out of touch with the cluster: reconnect");
      }
    });
    // a Redis that restarted empty forgot who is in which room; the sockets stay open
    storeRestored = vertx.eventBus().localConsumer(Addresses.ROOMS_STORE_RESTORED, message -> {
      for (BridgeConnection connection : List.copyOf(connections)) {
        connection.rejoinAll();
      }
    });
    Router router = SockJSHandler.create(vertx, sockJs).socketHandler(socket -> accept(new SockJsHttpSocket(socket)));
    return Future.all(revocations.completion(), notifications.start()).map(router);
  }

  /**
   * Serves the websocket transports itself, on the HTTP server (so it gets Vert.x's own
   * websocket, whose channel it writes to): {@code <base>/<server>/<session>/websocket} with
   * SockJS framing and {@code <base>/websocket} raw. The SockJS server in the router keeps
   * {@code <base>/info} and the HTTP fallbacks. Other upgrade paths are refused (404), as is an
   * Origin other than {@code bridge.origin} when that is set (403).
   */
  public HttpServer attach(HttpServer server, String base) {
    if (!options.transports().contains(Transport.WEBSOCKET.name())) {
      return server;
    }
    return server
      .webSocketHandshakeHandler(handshake -> {
        String origin = handshake.headers().get("Origin");
        if (transportFor(base, handshake.path()) == null) {
          handshake.reject(404);
        } else if (options.origin() != null && origin != null && !options.origin().equals(origin)) {
          handshake.reject(403);
        } else {
          handshake.accept();
        }
      })
      .webSocketHandler(socket -> {
        WebSocketFootprint.trim(socket);
        accept(transportFor(base, socket.path()).apply(socket, options.maxQueuedBytes()));
      });
  }

  private static BiFunction<ServerWebSocket, Integer, ClientSocket> transportFor(String base, String path) {
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

  private void accept(ClientSocket socket) {
    BridgeConnection connection = new BridgeConnection(this, socket);
    connections.add(connection);
    metrics.socketOpened();
    connection.start();
  }

  /** Flushes a socket once, after everything already queued on this event loop has run. */
  private void flushSoon(BridgeConnection connection) {
    if (!connection.queueFlush()) {
      return;
    }
    if (unflushed.isEmpty()) {
      context.runOnContext(v -> {
        for (BridgeConnection queued : unflushed) {
          queued.flush();
        }
        unflushed.clear();
      });
    }
    unflushed.add(connection);
  }

  /**
   * Stops the checks; the sockets close next. Their rooms are not left one by one: the node is
   * going, it hands its lease back, and a node that stays up evicts its connections and
   * announces each departure (a leave announced by a node that is closing its event bus could
   * be lost, and a vote with it).
   */
  public void stop() {
    stopping = true;
    vertx.cancelTimer(checkTimer);
    if (revocations != null) {
      revocations.unregister();
      leaseLost.unregister();
      storeRestored.unregister();
      notifications.stop();
    }
  }

  /** A session's tab joined its client room here: its notifications come to this instance. */
  private Future<Void> clientRoomOpened(String sessionId) {
    return notifications.attach(sessionId);
  }

  /**
   * A service answered one of this instance's sockets, before the answer is written to it. A
   * changed topic set applies here at once: the tab that is told it subscribed gets what is
   * published next, without waiting for {@code notifications.changed}, whose cluster-wide
   * publish may arrive after the next {@code notifications.deliver}.
   */
  void answered(String address, String sessionId, Object reply) {
    if ((Addresses.NOTIFICATIONS_SUBSCRIBE.equals(address) || Addresses.NOTIFICATIONS_UNSUBSCRIBE.equals(address))
      && reply instanceof JsonObject topics) {
      notifications.changed(sessionId, topics);
    }
  }

  private void clientRoomClosed(String sessionId) {
    notifications.detach(sessionId);
  }

  void authenticated(BridgeConnection connection) {
    connectionsByUser.computeIfAbsent(connection.principal().userId(), u -> new HashSet<>()).add(connection);
  }

  /** True once the node is shutting this bridge down (see {@link #stop}). */
  boolean stopping() {
    return stopping;
  }

  void closed(BridgeConnection connection) {
    if (connections.remove(connection)) {
      metrics.socketClosed();
    }
    if (connection.principal() != null) {
      Set<BridgeConnection> same = connectionsByUser.get(connection.principal().userId());
      if (same != null && same.remove(connection) && same.isEmpty()) {
        connectionsByUser.remove(connection.principal().userId());
      }
    }
  }

  /** Requests for a service this node runs stay on this node (see {@link ServiceRequests}). */
  DeliveryOptions route(String address, DeliveryOptions options) {
    return services.route(address, options);
  }

  /** This node, as rooms know it: its connections leave their rooms if it dies. */
  String nodeId() {
    return nodeId;
  }

  long now() {
    return clock.millis();
  }

  BridgeOptions options() {
    return options;
  }

  long authTimeoutMs() {
    return authTimeoutMs;
  }

  RoomPolicy policy() {
    return policy;
  }

  BridgeMetrics metrics() {
    return metrics;
  }

  ServiceRequests services() {
    return services;
  }

  LocalRooms localRooms() {
    return localRooms;
  }

  EventBus bus() {
    return vertx.eventBus();
  }
}
