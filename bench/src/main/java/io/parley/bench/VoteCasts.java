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
import java.util.concurrent.atomic.AtomicReference;

/**
 * Vote casts: how many {@code votes.cast} a node answers per second through the bridge
 * (DESIGN.md §6, the votes issue), with the votes in Redis when the node has {@code redis.uri}.
 *
 * <p>Each tab is a browser tab in one shared votes room, as in a live poll: connect (SockJS
 * websocket or the raw endpoint), {@code auth.authenticate} as its own user, {@code register
 * room.<room>} and {@code rooms.state} (after which it is a member: only members may vote),
 * then, one request at a time, {@code votes.cast {room, value, ts}} with yes and no in turn
 * and an increasing {@code ts}, which must answer {@code accepted: true}. Counting starts after
 * {@code --warmup} seconds and runs {@code --duration} seconds; then every tab finishes its
 * cast and stops. Every tab receives the room's {@code votes.tick} each {@code votes.tickMs}
 * while it votes (that fan-out is part of the load); at the end the generator waits for a tick
 * whose counts are exactly the tabs' last votes, which checks that no cast was lost or counted
 * twice. Output: a summary for people, then one JSON line.
 *
 * <p>Exit status: 0 every reply was as expected and the final tick matched; 1 otherwise; 64 a
 * bad command line.
 */
public final class VoteCasts {

  private static final String USAGE = """
    usage: java -cp parley-bench.jar io.parley.bench.VoteCasts [options]
      --tabs N          tabs, each its own user, all in one votes room (default 100)
      --room NAME       the room (default votes-bench-<run>)
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

  record Settings(int tabs, String room, String host, List<Integer> ports, Transport transport, String path,
                  int warmupSeconds, int durationSeconds, int lanes, String secret, String label) {

    static Settings parse(String[] argv) {
      Args args = new Args(argv);
      int tabs = args.integer("tabs", 100, 1, 100_000);
      String room = args.string("room", "votes-bench-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36));
      if (!room.matches("votes-[A-Za-z0-9_:.-]{1,120}")) {
        throw new Args.UsageException("--room must be votes-<name>, the name of [A-Za-z0-9_:.-]");
      }
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
      return new Settings(tabs, room, host, ports, transport, path, warmup, duration, lanes, secret, label);
    }
  }

  /** What every lane adds to while counting. */
  static final class Totals {
    final AtomicLong casts = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong ticksSeen = new AtomicLong();
    /** The last tick tab 0 received: {@code {ts, votes, connected}}. */
    final AtomicReference<JsonObject> lastTick = new AtomicReference<>();
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
      System.err.println("vote-casts: " + e.getMessage());
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
        System.err.println("vote-casts: closing: " + e);
      }
    }
  }

  private static int measure(Vertx vertx, Settings settings) {
    System.out.printf(Locale.ROOT, "vote casts: %d tabs in %s, %s, nodes %s:%s, warmup %d s, counted %d s, %d lane(s)%n",
      settings.tabs(), settings.room(), settings.transport().name().toLowerCase(Locale.ROOT), settings.host(), settings.ports(),
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
    System.out.printf(Locale.ROOT, "%d tabs connected, authenticated and in %s; warming up%n", settings.tabs(), settings.room());
    lanes.forEach(Lane::go);
    sleep(TimeUnit.SECONDS.toMillis(settings.warmupSeconds()));

    long errorsBefore = totals.errors.get();
    totals.counting = true;
    long began = System.nanoTime();
    long countBefore = totals.casts.get();
    long ticksBefore = totals.ticksSeen.get();
    sleep(TimeUnit.SECONDS.toMillis(settings.durationSeconds()));
    long counted = totals.casts.get() - countBefore;
    long elapsed = System.nanoTime() - began;
    long ticks = totals.ticksSeen.get() - ticksBefore;
    totals.counting = false;
    totals.stopping = true;
    Latencies latencies = new Latencies();
    List<String> firstErrors = new ArrayList<>();
    int yes = 0;
    int no = 0;
    for (Lane lane : lanes) {
      Futures.await(lane.stopped(), 60, "stopping the tabs");
      latencies.addAll(lane.latencies);
      lane.errors.stream().limit(5 - Math.min(5, firstErrors.size())).forEach(firstErrors::add);
      yes += lane.lastYes;
      no += lane.lastNo;
    }
    // every tab has its last answer: the next ticks must count exactly those votes
    JsonObject expected = new JsonObject().put("yes", yes).put("no", no);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    boolean tallyMatches = false;
    while (System.nanoTime() < deadline && !tallyMatches) {
      JsonObject tick = totals.lastTick.get();
      tallyMatches = tick != null && expected.equals(tick.getJsonObject("votes")) && tick.getInteger("connected") == settings.tabs();
      if (!tallyMatches) {
        sleep(100);
      }
    }
    lanes.forEach(Lane::closeAll);
    long errors = totals.errors.get();
    double perSecond = counted / (elapsed / 1e9);

    System.out.printf(Locale.ROOT, "%nvote casts done%n");
    System.out.printf(Locale.ROOT, "  casts         %d in %.1f s: %.0f per second (each answered accepted: true)%n",
      counted, elapsed / 1e9, perSecond);
    System.out.printf(Locale.ROOT, "  latency       %s (cast sent -> answered)%n", latencies.summary());
    System.out.printf(Locale.ROOT, "  ticks         %d received by tab 0 while counting (every tab gets each)%n", ticks);
    System.out.printf(Locale.ROOT, "  final tally   %s: expected %s with %d connected, last tick %s%n",
      tallyMatches ? "matches" : "MISMATCH", expected.encode(), settings.tabs(), totals.lastTick.get());
    System.out.printf(Locale.ROOT, "  errors        %d (%d while counting)%n", errors, errors - errorsBefore);
    firstErrors.forEach(e -> System.out.println("    " + e));
    JsonObject result = new JsonObject()
      .put("benchmark", "vote-casts")
      .put("label", settings.label())
      .put("tabs", settings.tabs())
      .put("transport", settings.transport().name().toLowerCase(Locale.ROOT))
      .put("nodes", settings.ports().size())
      .put("countedSeconds", Math.round(elapsed / 1e8) / 10.0)
      .put("casts", counted)
      .put("castsPerSecond", Math.round(perSecond))
      .put("latency", latencies.toJson())
      .put("ticksReceived", ticks)
      .put("finalTallyMatches", tallyMatches)
      .put("errors", errors);
    System.out.println(result.encode());
    return errors == 0 && counted > 0 && tallyMatches ? 0 : 1;
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
    /** How many of this lane's tabs last had yes / no accepted. */
    volatile int lastYes;
    volatile int lastNo;
    private int running;
    private WebSocketClient client;

    Lane(Settings settings, List<Integer> tabIndexes, DevTokens tokens, String run, Totals totals) {
      this.settings = settings;
      this.tabIndexes = tabIndexes;
      this.tokens = tokens;
      this.run = run;
      this.totals = totals;
    }

    private static final class Tab {
      final int index;
      final String sessionId = UUID.randomUUID().toString();
      BridgeSocket socket;
      long ts;
      String accepted;

      Tab(int index) {
        this.index = index;
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
      // the bridge closes sockets silent for bridge.pingTimeoutMs: ping as the client does
      vertx.setPeriodic(5_000, id -> tabs.forEach(tab -> {
        if (tab.socket != null && !tab.socket.isClosed()) {
          tab.socket.ping();
        }
      }));
      return Future.succeededFuture();
    }

    Future<Void> connected() {
      return connected.future();
    }

    Future<Void> stopped() {
      return stopped.future();
    }

    void closeAll() {
      context.runOnContext(v -> tabs.forEach(tab -> tab.socket.close()));
    }

    private Future<Void> connect(Tab tab) {
      int port = settings.ports().get(tab.index % settings.ports().size());
      String user = "bench-" + run + "-" + tab.index;
      String address = "room." + settings.room();
      return client.connect(new WebSocketConnectOptions().setHost(settings.host()).setPort(port)
          .setURI(settings.transport().path(settings.path())))
        .compose(ws -> {
          tab.socket = BridgeSocket.wrap(ws, settings.transport());
          tab.socket.errorHandler(failure -> error(tab, "err: " + failure));
          return tab.socket.opened();
        })
        .compose(v -> tab.socket.request("auth.authenticate", new JsonObject()
          .put("token", tokens.sign(user, "Bench " + tab.index)).put("sessionId", tab.sessionId)))
        .compose(v -> {
          tab.socket.register(address, delivery -> {
            if (tab.index == 0) {
              JsonObject envelope = delivery.json().getJsonObject("body");
              if ("votes.tick".equals(envelope.getString("event"))) {
                totals.ticksSeen.incrementAndGet();
                totals.lastTick.set(envelope.getJsonObject("data").getJsonArray("data").getJsonObject(0));
              }
            }
          }, refused -> error(tab, "register refused: " + refused));
          // answered after the register was decided: a member from here on
          return tab.socket.request("rooms.state", new JsonObject().put("room", settings.room()));
        })
        .mapEmpty();
    }

    /** Starts every tab's loop (on this lane's event loop). */
    void go() {
      context.runOnContext(v -> {
        running = tabs.size();
        tabs.forEach(this::cast);
      });
    }

    private void cast(Tab tab) {
      if (totals.stopping) {
        if (--running == 0) {
          int yes = 0;
          int no = 0;
          for (Tab t : tabs) {
            yes += "yes".equals(t.accepted) ? 1 : 0;
            no += "no".equals(t.accepted) ? 1 : 0;
          }
          lastYes = yes;
          lastNo = no;
          stopped.complete();
        }
        return;
      }
      long sent = System.nanoTime();
      String value = ++tab.ts % 2 == 0 ? "yes" : "no";
      JsonObject body = new JsonObject().put("room", settings.room()).put("value", value).put("ts", tab.ts);
      tab.socket.request("votes.cast", body).onComplete(ar -> {
        if (ar.succeeded() && ar.result().json().getJsonObject("body").getBoolean("accepted", false)) {
          tab.accepted = value;
          totals.casts.incrementAndGet();
          if (totals.counting) {
            latencies.add(System.nanoTime() - sent);
          }
        } else {
          error(tab, ar.succeeded() ? "not accepted: " + ar.result().json().getValue("body") : ar.cause().toString());
        }
        if (tab.socket.isClosed()) {
          error(tab, "socket closed");
          if (--running == 0) {
            stopped.complete();
          }
          return;
        }
        cast(tab);
      });
    }

    private void error(Tab tab, String what) {
      totals.errors.incrementAndGet();
      synchronized (errors) {
        if (errors.size() < 5) {
          errors.add("tab " + tab.index + ": " + what);
        }
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
