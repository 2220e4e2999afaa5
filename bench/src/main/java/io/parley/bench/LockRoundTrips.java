package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

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
public final class LockRoundTrips implements Generator.Scenario {

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

  record Settings(int tabs, BridgeTarget target, int warmupSeconds, int durationSeconds, int lanes, String secret,
                  String label) {

    static Settings parse(Args args) {
      int tabs = args.integer("tabs", 100, 1, 100_000);
      BridgeTarget target = BridgeTarget.parse(args);
      int warmup = args.integer("warmup", 5, 0, 3600);
      int duration = args.integer("duration", 20, 1, 3600);
      int lanes = args.lanes(256);
      Supplier<String> secret = args.tokenSecret();
      String label = args.string("label", "");
      args.rejectUnknown();
      return new Settings(tabs, target, warmup, duration, lanes, secret.get(), label);
    }
  }

  private final Settings settings;

  private LockRoundTrips(Settings settings) {
    this.settings = settings;
  }

  public static void main(String[] argv) {
    Generator.main("lock-round-trips", USAGE, argv, args -> new LockRoundTrips(Settings.parse(args)));
  }

  @Override
  public int lanes() {
    return settings.lanes();
  }

  @Override
  public int run(Vertx vertx) {
    BridgeTarget target = settings.target();
    System.out.printf(Locale.ROOT, "lock round trips: %d tabs, %s, nodes %s:%s, warmup %d s, counted %d s, %d lane(s)%n",
      settings.tabs(), target.transportName(), target.host(), target.ports(),
      settings.warmupSeconds(), settings.durationSeconds(), settings.lanes());
    DevTokens tokens = DevTokens.create(vertx, settings.secret(), 3600);
    String run = Generator.runId();
    Totals totals = new Totals();
    List<Lane> lanes = Lanes.deploy(vertx, settings.lanes(),
      l -> new Lane(target, Lanes.share(l, settings.lanes(), settings.tabs()), tokens, run, totals));
    RequestLoop.Window window = RequestLoop.run(lanes, totals, settings.warmupSeconds(), settings.durationSeconds(),
      String.format(Locale.ROOT, "%d tabs connected and authenticated; warming up", settings.tabs()), RequestLoop.NO_WATCH);
    long errors = totals.errors.get();
    double perSecond = window.perSecond();

    System.out.printf(Locale.ROOT, "%nlock round trips done%n");
    System.out.printf(Locale.ROOT, "  round trips   %d in %.1f s: %.0f per second (acquire + release, %.0f lock requests/s)%n",
      window.counted(), window.seconds(), perSecond, 2 * perSecond);
    System.out.printf(Locale.ROOT, "  latency       %s (acquire sent -> release answered)%n", window.latencies().summary());
    window.printErrors(totals);
    JsonObject result = window.json("lock-round-trips", settings.label(), settings.tabs(), target)
      .put("roundTrips", window.counted())
      .put("roundTripsPerSecond", Math.round(perSecond))
      .put("latency", window.latencies().toJson())
      .put("errors", errors);
    System.out.println(result.encode());
    return errors == 0 && window.counted() > 0 ? 0 : 1;
  }

  /** A tab editing its own resource. */
  static final class Tab extends BridgeTab {
    final String resource;

    Tab(int index, String run) {
      super(index);
      this.resource = "doc:bench-" + run + "-" + index;
    }
  }

  /** The tabs of one event loop, each acquiring and releasing its own resource. */
  static final class Lane extends RequestLoop.Lane<Tab> {

    private final String run;

    Lane(BridgeTarget target, List<Integer> indexes, DevTokens tokens, String run, Totals totals) {
      super(target, indexes, tokens, "bench-" + run + "-", totals);
      this.run = run;
    }

    @Override
    Tab newTab(int index) {
      return new Tab(index, run);
    }

    @Override
    Future<String> turn(Tab tab) {
      JsonObject body = new JsonObject().put("resource", tab.resource);
      return tab.socket.request("locks.acquire", body).compose(acquired -> {
        if (!acquired.json().getJsonObject("body").getBoolean("okToEdit", false)) {
          return Future.failedFuture("acquire answered okToEdit false: " + acquired.json().getValue("body"));
        }
        return tab.socket.request("locks.release", body);
      }).map(released -> released.json().getJsonObject("body").getValue("holder") == null ? null
        : "release left a holder: " + released.json().getValue("body"));
    }

    @Override
    void stoppedAll() {
      tabs.forEach(t -> t.socket.close());
    }
  }
}
