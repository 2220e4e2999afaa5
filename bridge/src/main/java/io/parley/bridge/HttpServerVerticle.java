package io.parley.bridge;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.parley.pusher.PusherApiRoutes;
import io.parley.pusher.PusherOptions;
import io.parley.rooms.RoomPolicy;
import io.parley.rooms.RoomPublisher;
import io.parley.rooms.RoomStore;
import io.parley.rooms.RoomsOptions;
import io.parley.shared.Addresses;
import io.parley.shared.Failure;
import io.parley.shared.FailureLog;
import io.parley.shared.RealtimeService;

import java.time.Clock;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * The node's HTTP face: the SockJS bridge at {@code /eventbus}, dev tokens, the server API, Pusher's HTTP API ({@code /apps/<id>/...}),
 * {@code /health}, {@code /metrics}, and the web demo (with its {@code /demo/...} routes and its
 * answers on {@code locks.resourceInfo}, {@link DemoResources}, when dev tokens are on); and the
 * TCP event-bus bridge when {@code tcp.port} is set. Stateless apart from its sockets, so several
 * instances share the ports.
 */
public final class HttpServerVerticle extends VerticleBase {

  /** Everything an HTTP server instance needs, built once per node. */
  public record Setup(String nodeId, Set<String> localServices, HttpOptions http, TcpOptions tcp, PusherOptions pusher,
                      RoomPublisher publisher, RoomStore roomStore, BridgeOptions bridge, long authTimeoutMs,
                      boolean devTokens, RoomsOptions rooms, BridgeMetrics metrics, FailureLog failures, PrometheusMeterRegistry scrape,
                      HealthChecks health, JsonObject clientConfig, RealtimeService realtime, DemoResources demoResources,
                      Clock clock, IntConsumer listening, IntConsumer tcpListening) {
  }

  private final Setup setup;
  private EventBusBridge bridge;
  private HttpServer server;
  private NetServer tcpServer;

  public HttpServerVerticle(Setup setup) {
    this.setup = setup;
  }

  @Override
  public Future<?> start() {
    bridge = new EventBusBridge(vertx, setup.nodeId(), setup.localServices(), setup.bridge(), setup.authTimeoutMs(),
      setup.http().apiKeys(), RoomPolicy.fromOptions(vertx, setup.rooms()), setup.pusher(), setup.publisher(), setup.metrics(),
      setup.failures(), setup.clock());
    // the web demo's stand-in for a host application: what a lock shows of its resource
    Future<Void> demoAnswers = setup.devTokens() ? setup.demoResources().answer(vertx.eventBus()) : Future.succeededFuture();
    return demoAnswers.compose(v -> bridge.start()).compose(eventBusRouter -> {
      Router router = Router.router(vertx);
      // SockJS's XHR transports need the body read first; over maxFrameBytes it is a 413
      router.post("/eventbus/*").handler(BodyHandler.create().setBodyLimit(setup.bridge().maxFrameBytes()));
      router.route("/eventbus/*").subRouter(eventBusRouter);
      // Pusher's HTTP API reads its own bodies: a batch of events may be larger than maxBodyBytes
      new PusherApiRoutes(setup.pusher(), setup.publisher(), setup.roomStore(), vertx.eventBus(), setup.clock(), setup.failures())
        .mount(router);
      router.route().handler(BodyHandler.create().setBodyLimit(setup.bridge().maxBodyBytes()));
      router.post("/auth/dev-token").handler(setup.devTokens()
        ? this::devToken
        : ctx -> HttpReplies.error(ctx, Failure.NOT_FOUND, "dev tokens are off on this node (auth.devTokens)"));
      new ApiRoutes(setup.realtime(), bridge.services(), setup.http().apiKeys()).mount(router);
      if (setup.devTokens()) {
        // the web demo's stand-in for a host application's server code; never on a production node
        new DemoRoutes(setup.realtime(), bridge.services()).mount(router);
      } else {
        router.route("/demo/*").handler(ctx -> HttpReplies.error(ctx, Failure.NOT_FOUND,
          "the web demo's /demo routes are off on this node (auth.devTokens)"));
      }
      router.get("/health").handler(this::health);
      router.get("/metrics").handler(this::metrics);
      router.get("/client-config").handler(ctx -> HttpReplies.json(ctx, 200, setup.clientConfig()));
      router.route().method(HttpMethod.GET).handler(StaticHandler.create("webroot").setCachingEnabled(false));
      HttpServerOptions options = new HttpServerOptions()
        .setPort(setup.http().port())
        .setHost(setup.http().host())
        // a websocket frame or message over this closes that socket with 1009, nothing else
        .setMaxWebSocketFrameSize(setup.bridge().maxFrameBytes())
        .setMaxWebSocketMessageSize(setup.bridge().maxFrameBytes())
        // small frames to many sockets: deflate would cost CPU per socket per frame (Socket.IO 4 has it off too)
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false);
      return bridge.attach(vertx.createHttpServer(options), "/eventbus").requestHandler(router).listen();
    }).compose(listening -> {
      server = listening;
      setup.listening().accept(listening.actualPort());
      return startTcp();
    }).compose(v -> bridge.warmUp());
  }

  /**
   * The TCP event-bus bridge, when {@code tcp.port} is set: on this instance's bridge, so its
   * connections share this instance's rooms and rules; instances share the port as they share
   * the HTTP one.
   */
  private Future<?> startTcp() {
    if (!setup.tcp().enabled()) {
      return Future.succeededFuture();
    }
    return vertx.createNetServer(setup.tcp().serverOptions()).connectHandler(bridge::accept).listen()
      .onSuccess(listening -> {
        tcpServer = listening;
        setup.tcpListening().accept(listening.actualPort());
      });
  }

  @Override
  public Future<?> stop() {
    bridge.stop();
    return Future.all(server == null ? Future.succeededFuture() : server.close(),
      tcpServer == null ? Future.succeededFuture() : tcpServer.close());
  }

  private void devToken(RoutingContext ctx) {
    JsonObject body = HttpReplies.body(ctx);
    if (body != null) {
      HttpReplies.answer(ctx, 200, bridge.services().request(Addresses.AUTH_DEV_TOKEN, body));
    }
  }

  /** 200 with the checks when every one is up, 503 otherwise (vertx-web-healthchecks is not published for 5.0.8). */
  private void health(RoutingContext ctx) {
    setup.health().checkStatus().onComplete(ar -> {
      if (ar.failed()) {
        HttpReplies.error(ctx, Failure.UNAVAILABLE, "health check failed: " + ar.cause().getMessage());
      } else {
        HttpReplies.json(ctx, ar.result().getUp() ? 200 : Failure.UNAVAILABLE, ar.result().toJson());
      }
    });
  }

  private void metrics(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(setup.scrape().scrape());
  }
}
