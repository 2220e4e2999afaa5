package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Tabs that each send one request at a time, again and again (lock round trips, vote casts):
 * counting starts after a warm-up and runs a fixed time; then every tab finishes the request
 * it is in and stops.
 */
final class RequestLoop {

  /** The options every looping generator takes, as its usage lists them after its own. */
  static final String OPTIONS = """
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

  /** What every looping generator's command line says besides its own options. */
  record Options(BridgeTarget target, int warmupSeconds, int durationSeconds, int lanes, String secret, String label) {

    /** Reads them, the last of a command line: any option not yet read is unknown. */
    static Options parse(Args args) {
      BridgeTarget target = BridgeTarget.parse(args);
      int warmup = args.integer("warmup", 5, 0, 3600);
      int duration = args.integer("duration", 20, 1, 3600);
      int lanes = args.lanes(256);
      Supplier<String> secret = args.tokenSecret();
      String label = args.string("label", "");
      args.rejectUnknown();
      return new Options(target, warmup, duration, lanes, secret.get(), label);
    }
  }

  /**
   * The tabs of one event loop, looping. The scenario says what one turn sends and whether its
   * answer was as expected; a turn's latency is from its start to that answer.
   */
  abstract static class Lane<T extends BridgeTab> extends TabLane<T> {

    private final Promise<Void> connected = Promise.promise();
    private final Promise<Void> stopped = Promise.promise();
    final Latencies latencies = new Latencies();
    private int running;

    Lane(BridgeTarget target, List<Integer> indexes, DevTokens tokens, String userPrefix, Totals totals) {
      super(target, indexes, tokens, userPrefix, totals);
    }

    /** One turn of {@code tab}: null when the answer was as expected, else what was not. */
    abstract Future<String> turn(T tab);

    /** A tab joins the scenario: by default it opens and authenticates. */
    Future<Void> join(T tab) {
      return open(tab);
    }

    /** Every tab stopped at the generator's request (on this lane's loop). */
    void stoppedAll() {
    }

    @Override
    void watch(T tab) {
      tab.socket.errorHandler(failure -> error(tab, "err: " + failure));
    }

    @Override
    public Future<?> start() {
      super.start();
      Future.all(tabs.stream().map(this::join).toList()).onComplete(ar -> {
        if (ar.succeeded()) {
          connected.complete();
        } else {
          connected.fail(ar.cause());
        }
      });
      return Future.succeededFuture();
    }

    /** Starts every tab's loop (on this lane's event loop). */
    void go() {
      context.runOnContext(v -> {
        running = tabs.size();
        tabs.forEach(this::next);
      });
    }

    private void next(T tab) {
      if (totals.stopping) {
        if (--running == 0) {
          stoppedAll();
          stopped.complete();
        }
        return;
      }
      long sent = System.nanoTime();
      turn(tab).onComplete(ar -> {
        if (ar.succeeded() && ar.result() == null) {
          totals.done.incrementAndGet();
          if (totals.counting) {
            latencies.add(System.nanoTime() - sent);
          }
        } else {
          error(tab, ar.succeeded() ? ar.result() : ar.cause().toString());
        }
        if (tab.socket.isClosed()) {
          error(tab, "socket closed");
          if (--running == 0) {
            stopped.complete();
          }
          return;
        }
        next(tab);
      });
    }
  }

  /** What the main thread reads at the counted window's edges, besides the totals. */
  interface WindowWatch {
    void opened();

    void closed();
  }

  /** The counted window: operations, how long it lasted, errors before it, every latency in it. */
  record Window(long counted, long elapsedNanos, long errorsBefore, Latencies latencies) {

    double seconds() {
      return elapsedNanos / 1e9;
    }

    double perSecond() {
      return counted / seconds();
    }

    /** The errors line of the summary, then the first few errors. */
    void printErrors(Totals totals) {
      long errors = totals.errors.get();
      System.out.printf(Locale.ROOT, "  errors        %d (%d while counting)%n", errors, errors - errorsBefore);
      totals.firstErrors.forEach(e -> System.out.println("    " + e));
    }

    /** The JSON line's first fields, the same for every looping generator. */
    JsonObject json(String benchmark, String label, int tabs, BridgeTarget target) {
      return new JsonObject()
        .put("benchmark", benchmark)
        .put("label", label)
        .put("tabs", tabs)
        .put("transport", target.transportName())
        .put("nodes", target.ports().size())
        .put("countedSeconds", Math.round(elapsedNanos / 1e8) / 10.0);
    }
  }

  /**
   * Waits for every lane's tabs to join, says {@code connectedLine}, loops {@code warmup}
   * seconds uncounted, then {@code duration} counted, stops every tab and gathers the latencies.
   */
  static Window run(List<? extends Lane<?>> lanes, Totals totals, int warmup, int duration, String connectedLine,
                    WindowWatch watch) {
    for (Lane<?> lane : lanes) {
      Futures.await(lane.connected.future(), 120, "connecting the tabs");
    }
    System.out.println(connectedLine);
    lanes.forEach(Lane::go);
    Generator.sleep(TimeUnit.SECONDS.toMillis(warmup));

    long errorsBefore = totals.errors.get();
    totals.counting = true;
    long began = System.nanoTime();
    long countBefore = totals.done.get();
    watch.opened();
    Generator.sleep(TimeUnit.SECONDS.toMillis(duration));
    long counted = totals.done.get() - countBefore;
    long elapsed = System.nanoTime() - began;
    watch.closed();
    totals.counting = false;
    totals.stopping = true;
    Latencies latencies = new Latencies();
    for (Lane<?> lane : lanes) {
      Futures.await(lane.stopped.future(), 60, "stopping the tabs");
      latencies.addAll(lane.latencies);
    }
    return new Window(counted, elapsed, errorsBefore, latencies);
  }

  static final WindowWatch NO_WATCH = new WindowWatch() {
    @Override
    public void opened() {
    }

    @Override
    public void closed() {
    }
  };

  private RequestLoop() {
  }
}
