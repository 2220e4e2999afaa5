package io.parley.bridge;

import io.parley.bridge.netty.WebSocketFootprint;
import io.parley.rooms.EncodedEnvelope;
import io.parley.rooms.RoomDelivery;
import io.parley.shared.Envelope;
import io.parley.shared.RoomName;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs a bridge instance's fan-out before the node reports ready, so that the first users of a
 * freshly started node meet compiled code: {@code messages} envelopes, one at a time, to
 * {@code sockets} websockets that the node opens to itself on loopback, half of them raw and
 * half SockJS, through the same connections, rooms, frames and flushes as a user's
 * ({@code docs/architecture.md}, the warm-up). Without it, a node whose event loop is busy from
 * its start (a restart while every tab reconnects) leaves its JIT compilers, which run at nice
 * 19 ({@code conf/jvm.options}), almost no CPU, and delivers from interpreted code for tens of
 * seconds.
 *
 * <p>It stays off everything shared: the sockets come in on a server of its own (127.0.0.1, a
 * port of the system's choosing, a path with a random part, closed afterwards), watch a room
 * named at random as a service watches one (no identity, no presence, nothing in the room
 * store), and the envelopes go straight to this node's consumers ({@link RoomDelivery}, local
 * only), never through {@code rooms.publish} or a store. Each message is published once every
 * socket has the one before, after a pause: the idle time is the compilers'. Once the last is
 * received it waits until the JIT has compiled nothing for {@value #QUIET_MS} ms (bounded), closes
 * the sockets and the server. It never fails the node's start: whatever goes wrong is logged
 * and the node serves without it.
 */
final class FanOutWarmUp {

  private static final Logger LOG = LoggerFactory.getLogger(FanOutWarmUp.class);

  private static final long JOIN_TIMEOUT_MS = 10_000;
  /** Between one message's last receipt and the next publish: time the compilers get. */
  private static final long PAUSE_MS = 1;
  /** The messages are sent for this long at most (a slow machine, a busy one): then the warm-up ends. */
  private static final long MAX_PUBLISH_MS = 20_000;
  /** A message not received by every socket in this long is given up on, and the next sent. */
  private static final long MESSAGE_TIMEOUT_MS = 2_000;
  /** The JIT counts as done with the warm-up once it compiled nothing for this long ... */
  static final long QUIET_MS = 200;
  /** ... or after this long, whichever comes first. */
  private static final long MAX_QUIET_WAIT_MS = 3_000;

  private final Vertx vertx;
  private final BridgeOptions.WarmUp options;
  /** How the bridge makes a connection of a transport (the same as for a user's socket). */
  private final Function<Transport, Connection> accept;
  private final int maxQueuedBytes;
  private final RoomDelivery delivery;
  private final RoomName room = RoomName.of("parley-warm-up-" + UUID.randomUUID());
  private final String base = "/warm-up/" + UUID.randomUUID();
  private final List<WebSocket> clients = new ArrayList<>();
  private final Promise<Void> allJoined = Promise.promise();
  private HttpServer server;
  private WebSocketClient client;
  private int joined;
  private long received;
  /** Receipts of the message in flight, and how many open sockets it waits for. */
  private int receivedOfCurrent;
  private int open;
  private Promise<Void> current;

  FanOutWarmUp(Vertx vertx, BridgeOptions.WarmUp options, int maxQueuedBytes, Function<Transport, Connection> accept) {
    this.vertx = vertx;
    this.options = options;
    this.maxQueuedBytes = maxQueuedBytes;
    this.accept = accept;
    this.delivery = new RoomDelivery(vertx.eventBus());
  }

  /** Runs the warm-up on the calling bridge instance's context; never fails. */
  Future<Void> run() {
    long started = System.nanoTime();
    return listen()
      .compose(v -> connectAll())
      .compose(v -> joined())
      .compose(v -> publish(0, System.nanoTime() + MAX_PUBLISH_MS * 1_000_000))
      .compose(v -> jitQuiet())
      .onSuccess(v -> LOG.info("Warm-up: {} messages to {} sockets of this node ({} deliveries received) in {} ms",
        options.messages(), options.sockets(), received, (System.nanoTime() - started) / 1_000_000))
      .recover(failure -> {
        LOG.warn("Warm-up not done, the node serves without it: {}", String.valueOf(failure.getMessage()));
        return Future.succeededFuture();
      })
      .transform(ar -> closeAll());
  }

  private Future<Void> listen() {
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false))
      .webSocketHandshakeHandler(handshake -> {
        if (handshake.path().startsWith(base + "/")) {
          handshake.accept();
        } else {
          handshake.reject(404);
        }
      })
      .webSocketHandler(socket -> {
        // made as EventBusBridge makes a user's websocket into a connection
        WebSocketFootprint.trim(socket);
        BiFunction<ServerWebSocket, Integer, Transport> transport = EventBusBridge.transportFor(base, socket.path());
        if (transport == null) {
          socket.close();
          return;
        }
        accept.apply(transport.apply(socket, maxQueuedBytes)).watchForWarmUp(room).onComplete(ar -> {
          if (++joined == options.sockets()) {
            allJoined.tryComplete();
          }
        });
      });
    return server.listen().mapEmpty();
  }

  private Future<Void> connectAll() {
    // every socket at once: a client holds back websockets to one server beyond 50 by default
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(options.sockets()));
    List<Future<WebSocket>> connected = new ArrayList<>();
    for (int i = 0; i < options.sockets(); i++) {
      // as many raw sockets as SockJS ones: a user's fan-out reaches both
      String path = i % 2 == 0 ? base + "/websocket" : base + "/0/" + i + "/websocket";
      connected.add(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(server.actualPort()).setURI(path))
        .onSuccess(this::opened));
    }
    return Future.all(connected).mapEmpty();
  }

  private Future<Void> joined() {
    long timer = vertx.setTimer(JOIN_TIMEOUT_MS, id ->
      allJoined.tryFail(joined + " of " + options.sockets() + " sockets joined in " + JOIN_TIMEOUT_MS + " ms"));
    return allJoined.future().onComplete(ar -> vertx.cancelTimer(timer));
  }

  private void opened(WebSocket socket) {
    clients.add(socket);
    open++;
    socket.handler(message -> {
      // a delivery: a raw frame ({"type":"rec",...}) or a SockJS array (a[...]); not SockJS's open frame
      byte first = message.length() == 0 ? 0 : message.getByte(0);
      if (first == '{' || first == 'a') {
        received++;
        receivedOfCurrent++;
        checkCurrent();
      }
    });
    socket.closeHandler(v -> {
      open--;
      checkCurrent();
    });
  }

  private void checkCurrent() {
    if (current != null && receivedOfCurrent >= open) {
      current.tryComplete();
    }
  }

  /**
   * Publishes message {@code n}, then, once every open socket has it and after a pause, the next;
   * stops early (with what it has done) past {@code deadline}, a {@link System#nanoTime} value.
   */
  private Future<Void> publish(int n, long deadline) {
    if (n == options.messages()) {
      return Future.succeededFuture();
    }
    if (System.nanoTime() > deadline) {
      LOG.warn("Warm-up stopped after {} of {} messages: {} s is its limit", n, options.messages(), MAX_PUBLISH_MS / 1000);
      return Future.succeededFuture();
    }
    current = Promise.promise();
    receivedOfCurrent = 0;
    Promise<Void> thisOne = current;
    long timeout = vertx.setTimer(MESSAGE_TIMEOUT_MS, id -> thisOne.tryComplete());
    Envelope envelope = new Envelope(room.value(), "warm-up.message", new JsonObject().put("n", n),
      System.currentTimeMillis(), "warm-up", (long) n + 1, null);
    delivery.deliver(EncodedEnvelope.of(envelope));
    checkCurrent();
    return thisOne.future()
      .compose(v -> {
        vertx.cancelTimer(timeout);
        Promise<Void> paused = Promise.promise();
        vertx.setTimer(PAUSE_MS, id -> paused.complete());
        return paused.future();
      })
      .compose(v -> publish(n + 1, deadline));
  }

  /** Completes once the JIT compiled nothing for {@value #QUIET_MS} ms, or after {@value #MAX_QUIET_WAIT_MS} ms. */
  private Future<Void> jitQuiet() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return Future.succeededFuture();
    }
    Promise<Void> quiet = Promise.promise();
    long deadline = System.nanoTime() + MAX_QUIET_WAIT_MS * 1_000_000;
    long[] last = {jit.getTotalCompilationTime(), System.nanoTime()};
    vertx.setPeriodic(QUIET_MS / 4, id -> {
      long total = jit.getTotalCompilationTime();
      long now = System.nanoTime();
      if (total != last[0]) {
        last[0] = total;
        last[1] = now;
      }
      if (now - last[1] >= QUIET_MS * 1_000_000 || now >= deadline) {
        vertx.cancelTimer(id);
        quiet.complete();
      }
    });
    return quiet.future();
  }

  private Future<Void> closeAll() {
    List<Future<Void>> closed = new ArrayList<>();
    clients.forEach(socket -> closed.add(socket.close()));
    return Future.join(closed)
      .transform(ar -> client == null ? Future.<Void>succeededFuture() : client.close())
      .transform(ar -> server == null ? Future.<Void>succeededFuture() : server.close())
      .otherwiseEmpty();
  }
}
