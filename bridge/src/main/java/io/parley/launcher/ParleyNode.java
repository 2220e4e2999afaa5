package io.parley.launcher;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.micrometer.backends.BackendRegistries;
import io.parley.auth.AuthOptions;
import io.parley.auth.AuthVerticle;
import io.parley.auth.SessionStore;
import io.parley.bridge.BridgeMetrics;
import io.parley.bridge.BridgeOptions;
import io.parley.bridge.DemoResources;
import io.parley.bridge.HttpOptions;
import io.parley.bridge.HttpServerVerticle;
import io.parley.bridge.TcpOptions;
import io.parley.pusher.PusherOptions;
import io.parley.pusher.PusherWebhooks;
import io.parley.pusher.WebhookOptions;
import io.parley.bridge.netty.DedicatedEventLoop;
import io.parley.locks.LocksOptions;
import io.parley.locks.LocksVerticle;
import io.parley.notifications.NotificationsOptions;
import io.parley.notifications.NotificationsVerticle;
import io.parley.rooms.NodeLiveness;
import io.parley.rooms.RoomDelivery;
import io.parley.rooms.RoomPublisher;
import io.parley.rooms.RoomStore;
import io.parley.rooms.RoomsOptions;
import io.parley.rooms.RoomsVerticle;
import io.parley.shared.Addresses;
import io.parley.shared.FailureLog;
import io.parley.shared.RealtimeService;
import io.parley.votes.VotesOptions;
import io.parley.votes.VotesVerticle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * One Parley node: reads the configuration, builds the stores once, and deploys the
 * verticles the {@code deployment} section names, each with its instance count, then the
 * application's own it lists by class name ({@link ApplicationVerticles}). Stores and
 * options are handed to every Parley verticle through its constructor; none reads config.
 */
public final class ParleyNode extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ParleyNode.class);

  private final Clock clock;
  private final Map<String, String> env;
  private final String nodeId = UUID.randomUUID().toString();
  private volatile int httpPort = -1;
  private volatile int tcpPort = -1;
  private volatile RealtimeService realtime;
  /** The HTTP servers started, their warm-up done: /health may say UP. */
  private volatile boolean warmedUp;
  private Stores stores;
  private PrometheusMeterRegistry scrape;
  private FailureLog failures;
  private NodeLiveness liveness;
  private PusherWebhooks pusherWebhooks;
  private DedicatedEventLoop livenessLoop;

  public ParleyNode() {
    this(Clock.systemUTC(), System.getenv());
  }

  /** For embedding and tests: an explicit clock and environment. */
  public ParleyNode(Clock clock, Map<String, String> env) {
    this.clock = clock;
    this.env = Map.copyOf(env);
  }

  /** The port the HTTP server listens on, once started (useful with {@code http.port: 0}). */
  public int httpPort() {
    return httpPort;
  }

  /** The TCP event-bus bridge's port once listening, -1 when {@code tcp.port} is not set (or no HTTP server runs here). */
  public int tcpPort() {
    return tcpPort;
  }

  /** The server-side API for code running beside this node. */
  public RealtimeService realtime() {
    return realtime;
  }

  @Override
  public Future<?> start() {
    return ParleyConfig.load(vertx, config(), env).compose(this::startWith);
  }

  private Future<?> startWith(JsonObject config) {
    AuthOptions auth = AuthOptions.fromConfig(config.getJsonObject("auth"));
    RoomsOptions roomsOptions = RoomsOptions.fromConfig(config.getJsonObject("rooms"));
    LocksOptions locksOptions = LocksOptions.fromConfig(config.getJsonObject("locks"));
    VotesOptions votesOptions = VotesOptions.fromConfig(config.getJsonObject("votes"));
    NotificationsOptions notificationsOptions = NotificationsOptions.fromConfig(config.getJsonObject("notifications"));
    BridgeOptions bridge = BridgeOptions.fromConfig(config.getJsonObject("bridge"));
    HttpOptions http = HttpOptions.fromConfig(config.getJsonObject("http"), config.getJsonObject("api"));
    DemoResources demoResources = DemoResources.fromConfig(config.getJsonObject("demo"));
    TcpOptions tcp = TcpOptions.fromConfig(config.getJsonObject("tcp"));
    PusherOptions pusher = PusherOptions.fromConfig(config.getJsonObject("pusher"));
    WebhookOptions webhooks = WebhookOptions.fromConfig(config.getJsonObject("pusher", new JsonObject()).getJsonObject("webhookDelivery"));
    JsonObject deployment = config.getJsonObject("deployment", new JsonObject());
    // checked before any store is connected: a misspelt class name fails the start at once
    ApplicationVerticles applications = ApplicationVerticles.fromConfig(deployment);
    refuseUnsafeProduction(auth, http, pusher);

    MeterRegistry registry = BackendRegistries.getDefaultNow();
    scrape = registry instanceof PrometheusMeterRegistry prometheus ? prometheus : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    failures = new FailureLog(failureInterval(config.getJsonObject("logging")), new StoreFailureCounter(scrape));

    RoomDelivery delivery = new RoomDelivery(vertx.eventBus());
    return Stores.create(vertx, config, clock, auth, roomsOptions, votesOptions, locksOptions, notificationsOptions,
      delivery::deliver, failures).compose(created -> {
      stores = created;
      // on every node, before its lease (the departures of a dead node this node evicts, from its
      // first check on, need their webhooks), and the node's own, not a verticle: it must outlive
      // the verticles, whose shutdown decides leaves too (see stop)
      pusherWebhooks = new PusherWebhooks(vertx, pusher, webhooks, stores.webhooks(), clock, failures);
      return pusherWebhooks.start();
    }).compose(v -> startLiveness(roomsOptions))
      .compose(v -> deployVerticles(auth, roomsOptions, votesOptions, locksOptions, notificationsOptions, bridge, http, tcp,
        pusher, demoResources, deployment, applications));
  }

  private Future<?> deployVerticles(AuthOptions auth, RoomsOptions roomsOptions, VotesOptions votesOptions,
                                    LocksOptions locksOptions, NotificationsOptions notificationsOptions,
                                    BridgeOptions bridge, HttpOptions http, TcpOptions tcp, PusherOptions pusher,
                                    DemoResources demoResources, JsonObject deployment, ApplicationVerticles applications) {
    SessionStore sessions = stores.sessions();
    RoomStore rooms = stores.rooms();

    JsonObject clientConfig = new JsonObject()
      .put("url", http.publicUrl() + "/eventbus")
      .put("authAddress", Addresses.AUTH_AUTHENTICATE)
      .put("roomPrefix", Addresses.ROOM_PREFIX)
      .put("transports", new JsonArray(bridge.transports()))
      .put("pingIntervalMs", 5000)
      .put("authTimeoutMs", auth.timeoutMs())
      .put("lockHeartbeatMs", locksOptions.heartbeatMs())
      .put("votes", new JsonObject()
        .put("castAddress", Addresses.VOTES_CAST)
        .put("historyAddress", Addresses.VOTES_HISTORY)
        .put("tickEvent", VotesVerticle.TICK)
        .put("tickMs", votesOptions.tickMs())
        .put("options", new JsonArray(votesOptions.options()))
        .put("pokerOptions", new JsonArray(votesOptions.pokerOptions())));
    // the node's one way into a room: every publish made on this node goes through it
    RoomPublisher publisher = new RoomPublisher(rooms, roomsOptions.clientEvents());
    realtime = RealtimeService.create(vertx, publisher, clientConfig);

    HealthChecks health = HealthChecks.create(vertx);
    health.register("node", promise -> promise.complete(Status.OK()));
    // the shared stores this node uses: a load balancer should not send tabs to a node that
    // cannot reach them
    if (stores.redis() != null) {
      health.register("redis", STORE_CHECK_TIMEOUT_MS, promise -> stores.redis().send(Request.cmd(Command.PING))
        .onComplete(ar -> promise.complete(checked("redis", ar))));
    }
    if (stores.pg() != null) {
      health.register("postgres", STORE_CHECK_TIMEOUT_MS, promise -> stores.pg().query("SELECT 1").execute()
        .onComplete(ar -> promise.complete(checked("postgres", ar))));
    }
    // until the HTTP servers' warm-up is done (FanOutWarmUp, docs/architecture.md): a load
    // balancer sends no tabs to a node whose delivery path is not compiled yet
    if (bridge.warmUp().enabled() && instances(deployment, "http") > 0) {
      health.register("warm-up", promise -> promise.complete(warmedUp ? Status.OK()
        : Status.KO(new JsonObject().put("warmingUp", "the node is running its fan-out once before it takes traffic"))));
    }
    // the services deployed here: the bridge asks them locally (see ServiceRequests)
    Set<String> localServices = SERVICES.stream().filter(name -> instances(deployment, name) > 0).collect(Collectors.toSet());
    HttpServerVerticle.Setup httpSetup = new HttpServerVerticle.Setup(nodeId, localServices, http, tcp, pusher, publisher, rooms, bridge, auth.timeoutMs(),
      auth.devTokens(), roomsOptions, new BridgeMetrics(scrape), failures, scrape, health, clientConfig, realtime,
      demoResources, clock, port -> httpPort = port, port -> tcpPort = port);

    // the application's verticles after Parley's (the addresses they use answer) and the HTTP
    // server last: once /health answers, every verticle of the node is up
    return deploy("auth", deployment, () -> new AuthVerticle(auth, sessions, clock))
      .compose(v -> deploy("rooms", deployment, () -> new RoomsVerticle(rooms, publisher, roomsOptions, clock)))
      .compose(v -> deploy("locks", deployment, () -> new LocksVerticle(stores.locks(), locksOptions, realtime, failures)))
      .compose(v -> deploy("votes", deployment, () -> new VotesVerticle(stores.votes(), rooms, realtime, votesOptions, clock, failures)))
      .compose(v -> deploy("notifications", deployment, () -> new NotificationsVerticle(stores.notifications(), notificationsOptions)))
      .compose(v -> applications.deploy(vertx))
      .compose(v -> deploy("http", deployment, () -> new HttpServerVerticle(httpSetup)))
      .onSuccess(v -> warmedUp = true)
      .onSuccess(v -> LOG.info("Parley node up{}, {} transport", httpPort >= 0 ? " on port " + httpPort : " (no HTTP server here)",
        vertx.isNativeTransportEnabled() ? "native (epoll)" : "NIO"));
  }

  /**
   * The node's lease is renewed on a thread of its own, not on an event loop: a node whose event
   * loops are saturated by deliveries must not miss its renewals and be evicted by the others
   * (its presence removed, its sockets closed) while it is merely busy. The bench run that
   * found this had two nodes on one core; a GC pause still counts against the lease.
   */
  private Future<Void> startLiveness(RoomsOptions roomsOptions) {
    livenessLoop = new DedicatedEventLoop(vertx, "parley-liveness");
    Context livenessContext = livenessLoop.context();
    liveness = new NodeLiveness(vertx, stores.rooms(), nodeId, roomsOptions, clock);
    Promise<Void> started = Promise.promise();
    // back on this verticle's context before answering: what is composed on the answer (the
    // verticles' deployment) must run here, or they would not be this node's children and would
    // not be undeployed before its stop closes the stores
    Context own = context;
    livenessContext.runOnContext(v -> liveness.start().onComplete(ar -> own.runOnContext(x -> started.handle(ar))));
    return started.future();
  }

  @Override
  public Future<?> stop() {
    Future<Void> released = Future.succeededFuture();
    if (liveness != null) {
      liveness.stop();
      released = liveness.release();
    }
    // the webhooks of what the verticles' shutdown decided are queued before the stores close
    Future<Void> queued = released.compose(v -> pusherWebhooks == null ? Future.succeededFuture() : pusherWebhooks.stop());
    Future<Void> closed = queued.compose(v -> stores == null ? Future.succeededFuture() : stores.close());
    // the liveness thread goes last: the lease connection lives on it, and closing that
    // connection needs the thread (shut down first, the close never completed)
    return closed.eventually(() -> {
      if (livenessLoop != null) {
        livenessLoop.close();
      }
      return Future.succeededFuture();
    });
  }

  private static final long STORE_CHECK_TIMEOUT_MS = 2_000;

  /** UP, or DOWN with the reason in words: {@code {"error": "postgres unreachable: Connection refused: ..."}}. */
  private static Status checked(String store, AsyncResult<?> answer) {
    if (answer.succeeded()) {
      return Status.OK();
    }
    Throwable failure = answer.cause();
    String reason = failure.getMessage() == null || failure.getMessage().isBlank() ? failure.getClass().getSimpleName() : failure.getMessage();
    return Status.KO(new JsonObject().put("error", store + " unreachable: " + reason));
  }

  /**
   * {@code logging.failureIntervalMs}: how often the log summarizes failures that repeat per
   * request (a store outage), one line per kind (see {@link FailureLog}).
   */
  static Duration failureInterval(JsonObject logging) {
    long ms = logging == null ? FailureLog.DEFAULT_INTERVAL.toMillis()
      : logging.getLong("failureIntervalMs", FailureLog.DEFAULT_INTERVAL.toMillis());
    if (ms <= 0) {
      throw new IllegalArgumentException("logging.failureIntervalMs must be positive, not " + ms);
    }
    return Duration.ofMillis(ms);
  }

  /** The bus services a node may run, named as in the deployment section and their addresses. */
  private static final List<String> SERVICES = List.of("auth", "rooms", "locks", "votes", "notifications");

  private static int instances(JsonObject deployment, String name) {
    return deployment.getInteger(name, 1);
  }

  private Future<Void> deploy(String name, JsonObject deployment, Supplier<VerticleBase> verticle) {
    int instances = instances(deployment, name);
    if (instances <= 0) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances)).mapEmpty();
  }

  /** A node with dev tokens off needs a real API key and a real JWT key. */
  static void refuseUnsafeProduction(AuthOptions auth, HttpOptions http, PusherOptions pusher) {
    if (auth.devTokens()) {
      if (!auth.jwt().usesDevSecret() && auth.jwt().secret() == null) {
        throw new IllegalStateException("auth.devTokens needs an HS256 secret (auth.jwt.secret) to sign with; "
          + "turn dev tokens off (PARLEY_AUTH_DEV_TOKENS=false) when verifying RS256/ES256 tokens");
      }
      return;
    }
    if (auth.jwt().usesDevSecret()) {
      throw new IllegalStateException("refusing to start: dev tokens are off but the JWT key is the development secret; "
        + "set auth.jwt.publicKeyFile or auth.jwt.jwksFile (RS256/ES256), or PARLEY_AUTH_JWT_SECRET");
    }
    if (http.apiKeys().isEmpty() || http.apiKeys().contains(HttpOptions.DEV_API_KEY)) {
      throw new IllegalStateException("refusing to start: dev tokens are off but api.keys is empty or holds the dev key; "
        + "set PARLEY_API_KEYS to your own keys");
    }
    if (pusher.usesDevSecret()) {
      throw new IllegalStateException("refusing to start: dev tokens are off but a Pusher app has the development secret; "
        + "set pusher.apps with your own secrets (or PARLEY_PUSHER_APPS='[]' to serve no Pusher app)");
    }
  }
}
