package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lock round trips: how many {@code locks.acquire} + {@code locks.release} pairs per second a
 * node answers through the bridge (DESIGN.md §5; the locks issue asks ≥ 5,000/s on Postgres).
 *
 * <p>Each tab is a browser tab editing its own resource: connect (SockJS websocket or the raw
 * endpoint), {@code auth.authenticate}, then, one request at a time, {@code locks.acquire
 * {resource}} (which must answer okToEdit true) and {@code locks.release {resource}} (holder
 * null), again and again. A round trip is the pair; its latency is from the acquire's send to
 * the release's reply. Every tab has its own {@code doc:} resource, so the figure is the
 * server's cost per lock operation, not contention (the test suite covers contention); a
 * {@code project-version:} resource would add one indexed join per acquire for its info. Counting starts after
 * {@code --warmup} seconds and runs {@code --duration} seconds; then every tab finishes its pair
 * and stops. Output: a summary for people, then one JSON line.
 *
 * <p>Exit status: 0 every reply was as expected; 1 some were not (errors counted and shown);
 * 64 a bad command line.
 */
public final class LockRoundTrips {

  private static final String USAGE = """
    usage: java -cp parley-bench.jar io.parley.bench.LockRoundTrips [options]
      --tabs N          tabs, each acquiring and releasing its own resource (default 100)
      --host H          node address, must be in 127.0.0.0/8 (default 127.0.0.1)
      --ports P1,P2     node HTTP ports, tabs spread round-robin (default 8080)
      --transport T     sockjs (default) or raw
      --path P          the bridge's base path (default /eventbus)
      --warmup S        seconds before counting starts (default 5)
      --duration S      seconds counted (default 20)
      --lanes N         event loops for the tabs (default: available processors)
      --conf FILE       read auth.jwt.secret from FILE (default conf/default.json)
      --secret S        the HS256 secret instead (PARLEY_AUTH_JWT_SECRET also works)
      --label TEXT      a label copied into the JSON line
    """;

  record Settings(int tabs, String host, List<Integer> ports, Transport transport, String path,
                  int warmupSeconds, int durationSeconds, int lanes, String secret, String label) {

    static Settings parse(String[] argv) {
      Args args = new Args(argv);
      int tabs = args.integer("tabs", 100, 1, 100_000);
      String host = args.loopbackHost("host", "127.0.0.1");
      List<Integer> ports = args.ports("ports", "8080");
      Transport transport = Transport.parse(args.string("transport", "sockjs"));
      String path = args.string("path", "/eventbus");
      int warmup = args.integer("warmup", 5, 0, 3600);
      int duration = args.integer("duration", 20, 1, 3600);
      int lanes = args.integer("lanes", Runtime.getRuntime().availableProcessors(), 1, 256);
      String conf = args.string("conf", "conf/default.json");
      String secret = args.string("secret", null);
      String label = args.string("label", "");
      args.rejectUnknown();
      if (secret == null) {
        secret = DevTokens.secret(java.nio.file.Path.of(conf), System.getenv());
      }
      return new Settings(tabs, host, ports, transport, path, warmup, duration, lanes, secret, label);
    }
  }

  /** What every lane adds to while counting. */
  static final class Totals {
    final AtomicLong roundTrips = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    volatile boolean counting;
    volatile boolean stopping;
  }

  public static void main(String[] argv) {
    if (List.of(argv).contains("--help") || List.of(argv).contains("-h")) {
      System.out.print(USAGE);
      return;
    }
    int status;
    try {
      status = run(Settings.parse(argv));
    } catch (Args.UsageException e) {
      System.err.println("lock-round-trips: " + e.getMessage());
      System.err.print(USAGE);
      status = 64;
    }
    System.exit(status);
  }

  static int run(Settings settings) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(settings.lanes()));
    try {
      return measure(vertx, settings);
    } finally {
      try {
        vertx.close().await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("lock-round-trips: closing: " + e);
      }
    }
  }

  private static int measure(Vertx vertx, Settings settings) {
    System.out.printf(Locale.ROOT, "lock round trips: %d tabs, %s, nodes %s:%s, warmup %d s, counted %d s, %d lane(s)%n",
      settings.tabs(), settings.transport().name().toLowerCase(Locale.ROOT), settings.host(), settings.ports(),
      settings.warmupSeconds(), settings.durationSeconds(), settings.lanes());
    DevTokens tokens = DevTokens.create(vertx, settings.secret(), 3600);
    String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    Totals totals = new Totals();
    List<Lane> lanes = new ArrayList<>();
    for (int l = 0; l < settings.lanes(); l++) {
      List<Integer> tabs = new ArrayList<>();
      for (int i = l; i < settings.tabs(); i += settings.lanes()) {
        tabs.add(i);
      }
      Lane lane = new Lane(settings, tabs, tokens, run, totals);
      lanes.add(lane);
      Futures.await(vertx.deployVerticle(lane), 30, "starting lane " + l);
    }
    for (Lane lane : lanes) {
      Futures.await(lane.connected(), 120, "connecting the tabs");
    }
    System.out.printf(Locale.ROOT, "%d tabs connected and authenticated; warming up%n", settings.tabs());
    lanes.forEach(Lane::go);
    sleep(TimeUnit.SECONDS.toMillis(settings.warmupSeconds()));

    long errorsBefore = totals.errors.get();
    totals.counting = true;
    long began = System.nanoTime();
    long countBefore = totals.roundTrips.get();
    sleep(TimeUnit.SECONDS.toMillis(settings.durationSeconds()));
    long counted = totals.roundTrips.get() - countBefore;
    long elapsed = System.nanoTime() - began;
    totals.counting = false;
    totals.stopping = true;
    Latencies latencies = new Latencies();
    List<String> firstErrors = new ArrayList<>();
    for (Lane lane : lanes) {
      Futures.await(lane.stopped(), 60, "stopping the tabs");
      latencies.addAll(lane.latencies);
      lane.errors.stream().limit(5 - Math.min(5, firstErrors.size())).forEach(firstErrors::add);
    }
    long errors = totals.errors.get();
    double perSecond = counted / (elapsed / 1e9);

    System.out.printf(Locale.ROOT, "%nlock round trips done%n");
    System.out.printf(Locale.ROOT, "  round trips   %d in %.1f s: %.0f per second (acquire + release, %.0f lock requests/s)%n",
      counted, elapsed / 1e9, perSecond, 2 * perSecond);
    System.out.printf(Locale.ROOT, "  latency       %s (acquire sent -> release answered)%n", latencies.summary());
    System.out.printf(Locale.ROOT, "  errors        %d (%d while counting)%n", errors, errors - errorsBefore);
    firstErrors.forEach(e -> System.out.println("    " + e));
    JsonObject result = new JsonObject()
      .put("benchmark", "lock-round-trips")
      .put("label", settings.label())
      .put("tabs", settings.tabs())
      .put("transport", settings.transport().name().toLowerCase(Locale.ROOT))
      .put("nodes", settings.ports().size())
      .put("countedSeconds", Math.round(elapsed / 1e8) / 10.0)
      .put("roundTrips", counted)
      .put("roundTripsPerSecond", Math.round(perSecond))
      .put("latency", latencies.toJson())
      .put("errors", errors);
    System.out.println(result.encode());
    return errors == 0 && counted > 0 ? 0 : 1;
  }

  /** The tabs of one event loop; a tab's socket is used only from here. */
  static final class Lane extends VerticleBase {

    private final Settings settings;
    private final List<Integer> tabIndexes;
    private final DevTokens tokens;
    private final String run;
    private final Totals totals;
    private final Promise<Void> connected = Promise.promise();
    private final Promise<Void> stopped = Promise.promise();
    private final List<Tab> tabs = new ArrayList<>();
    final Latencies latencies = new Latencies();
    final List<String> errors = new ArrayList<>();
    private int running;
    private WebSocketClient client;

    Lane(Settings settings, List<Integer> tabIndexes, DevTokens tokens, String run, Totals totals) {
      this.settings = settings;
      this.tabIndexes = tabIndexes;
      this.tokens = tokens;
      this.run = run;
      this.totals = totals;
    }

    private final class Tab {
      final int index;
      final String resource;
      final String sessionId = UUID.randomUUID().toString();
      BridgeSocket socket;

      Tab(int index) {
        this.index = index;
        this.resource = "doc:bench-" + run + "-" + index;
      }
    }

    @Override
    public Future<?> start() {
      client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(tabIndexes.size() + 8));
      List<Future<Void>> all = new ArrayList<>();
      for (int index : tabIndexes) {
        Tab tab = new Tab(index);
        tabs.add(tab);
        all.add(connect(tab));
      }
      Future.all(all).onComplete(ar -> {
        if (ar.succeeded()) {
          connected.complete();
        } else {
          connected.fail(ar.cause());
        }
      });
      return Future.succeededFuture();
    }

    Future<Void> connected() {
      return connected.future();
    }

    Future<Void> stopped() {
      return stopped.future();
    }

    private Future<Void> connect(Tab tab) {
      int port = settings.ports().get(tab.index % settings.ports().size());
      String user = "bench-" + run + "-" + tab.index;
      return client.connect(new WebSocketConnectOptions().setHost(settings.host()).setPort(port)
          .setURI(settings.transport().path(settings.path())))
        .compose(ws -> {
          tab.socket = BridgeSocket.wrap(ws, settings.transport());
          tab.socket.errorHandler(failure -> error(tab, "err: " + failure));
          return tab.socket.opened();
        })
        .compose(v -> tab.socket.request("auth.authenticate", new JsonObject()
          .put("token", tokens.sign(user, "Bench " + tab.index)).put("sessionId", tab.sessionId)))
        .mapEmpty();
    }

    /** Starts every tab's loop (on this lane's event loop). */
    void go() {
      context.runOnContext(v -> {
        running = tabs.size();
        tabs.forEach(this::roundTrip);
      });
    }

    private void roundTrip(Tab tab) {
      if (totals.stopping) {
        if (--running == 0) {
          tabs.forEach(t -> t.socket.close());
          stopped.complete();
        }
        return;
      }
      long sent = System.nanoTime();
      JsonObject body = new JsonObject().put("resource", tab.resource);
      tab.socket.request("locks.acquire", body).compose(acquired -> {
        if (!acquired.json().getJsonObject("body").getBoolean("okToEdit", false)) {
          return Future.failedFuture("acquire answered okToEdit false: " + acquired.json().getValue("body"));
        }
        return tab.socket.request("locks.release", body);
      }).onComplete(ar -> {
        if (ar.succeeded()) {
          if (ar.result().json().getJsonObject("body").getValue("holder") == null) {
            totals.roundTrips.incrementAndGet();
            if (totals.counting) {
              latencies.add(System.nanoTime() - sent);
            }
          } else {
            error(tab, "release left a holder: " + ar.result().json().getValue("body"));
          }
        } else {
          error(tab, ar.cause().toString());
        }
        if (tab.socket.isClosed()) {
          error(tab, "socket closed");
          if (--running == 0) {
            stopped.complete();
          }
          return;
        }
        roundTrip(tab);
      });
    }

    private void error(Tab tab, String what) {
      totals.errors.incrementAndGet();
      if (errors.size() < 5) {
        errors.add("tab " + tab.index + ": " + what);
      }
    }
  }


  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
