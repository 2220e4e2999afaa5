package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;

/**
 * Lock round trips: how many {@code locks.acquire} + {@code locks.release} pairs per second a
 * node answers through the bridge (the locks issue asks ≥ 5,000/s on Postgres).
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
 * <p>Exit status: 0 every reply was as expected; 1 some were not (errors counted and shown); 2
 * the run failed on its way (the tabs did not connect, ...); 64 a bad command line.
 */
public final class LockRoundTrips {

  private static final String USAGE = """
    usage: java -cp parley-bench.jar io.parley.bench.LockRoundTrips [options]
      --tabs N          tabs, each acquiring and releasing its own resource (default 100)
    """ + RequestLoop.OPTIONS;

  record Settings(int tabs, RequestLoop.Options loop) implements Generator.Options {

    static Settings parse(Args args) {
      int tabs = args.integer("tabs", 100, 1, 100_000);
      return new Settings(tabs, RequestLoop.Options.parse(args));
    }

    @Override
    public int lanes() {
      return loop.lanes();
    }
  }

  public static void main(String[] argv) {
    Generator.main("lock-round-trips", USAGE, argv, Settings::parse, LockRoundTrips::run);
  }

  private static int run(Vertx vertx, Settings settings) {
    BridgeTarget target = settings.loop().target();
    System.out.printf(Locale.ROOT, "lock round trips: %d tabs, %s, nodes %s:%s, warmup %d s, counted %d s, %d lane(s)%n",
      settings.tabs(), target.transportName(), target.host(), target.ports(),
      settings.loop().warmupSeconds(), settings.loop().durationSeconds(), settings.lanes());
    DevTokens tokens = DevTokens.create(vertx, settings.loop().secret(), 3600);
    String run = Generator.runId();
    Totals totals = new Totals();
    List<Lane> lanes = Lanes.deploy(vertx, settings.lanes(),
      l -> new Lane(target, Lanes.share(l, settings.lanes(), settings.tabs()), tokens, run, totals));
    RequestLoop.Window window = RequestLoop.run(lanes, totals, settings.loop().warmupSeconds(), settings.loop().durationSeconds(),
      String.format(Locale.ROOT, "%d tabs connected and authenticated; warming up", settings.tabs()), RequestLoop.NO_WATCH);
    long errors = totals.errors.get();
    double perSecond = window.perSecond();

    System.out.printf(Locale.ROOT, "%nlock round trips done%n");
    System.out.printf(Locale.ROOT, "  round trips   %d in %.1f s: %.0f per second (acquire + release, %.0f lock requests/s)%n",
      window.counted(), window.seconds(), perSecond, 2 * perSecond);
    System.out.printf(Locale.ROOT, "  latency       %s (acquire sent -> release answered)%n", window.latencies().summary());
    window.printErrors(totals);
    JsonObject result = window.json("lock-round-trips", settings.loop().label(), settings.tabs(), target)
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
