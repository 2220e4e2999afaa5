package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Notification fan-out (issue 7): publish → deliver throughput to N tabs subscribed to one
 * topic, with every notification stored (one {@code INSERT} per publish).
 *
 * <p>Each tab does what a page does: connect (SockJS websocket or the raw endpoint),
 * {@code auth.authenticate {token, sessionId}}, {@code register room.client-<sessionId>}, then
 * {@code notifications.subscribe {topics: [topic]}} (forwarded only once the register is
 * decided, so its reply means the tab receives everything published after it). Probes are
 * published until every tab has received one.
 *
 * <p>The publisher is a backend: {@code POST /api/notifications {topic, data}} with the API key,
 * over {@code --connections} keep-alive HTTP connections, in a closed loop of at most
 * {@code --window} notifications not yet delivered to every tab. {@code data} is a string of
 * {@code --payload} characters, {@code nf#<seq>,<send nanoTime>,xxx…}, found by the tabs in the
 * frame's characters (no JSON parsing per delivery). Latency = receive − send for every delivery
 * of a publish sent in the counted window.
 *
 * <p>Phases: warm-up; quiet (drained, {@code --settle} s, then {@code --stats-command before});
 * counted ({@code --duration} s); quiet again ({@code --stats-command after}). So the database
 * statistics the command reads bracket exactly the counted phase's publishes, with nothing in
 * flight. At the end every tab must have received every accepted notification exactly once.
 *
 * <p>Exit status: 0 all delivered exactly once and no errors; 1 otherwise; 2 setup failed or
 * the timeout struck; 64 a bad command line.
 */
public final class NotifyFanOut {

  private static final String USAGE = """
    usage: java -cp parley-bench.jar io.parley.bench.NotifyFanOut [options]
      --tabs N            tabs (sessions) subscribed to the topic (default 1000)
      --host H            node address, must be in 127.0.0.0/8 (default 127.0.0.1)
      --port P            node HTTP port (default 8080)
      --transport T       sockjs (default) or raw
      --path P            the bridge's base path (default /eventbus)
      --topic T           (default bench)
      --window W          publishes not yet delivered to every tab (default 16)
      --connections N     HTTP connections the publisher uses (default: the window)
      --payload N         characters of data per notification (default 100)
      --api-key K         (default dev-api-key, conf/default.json's api.keys)
      --warmup S          seconds of publishing before the counted phase (default 5)
      --duration S        counted seconds (default 20)
      --drain S           how long the last publishes of a phase may take to arrive (default 10)
      --settle S          quiet seconds before each stats command (default 0; Postgres flushes an
                          idle backend's statistics within 10 s)
      --stats-command C   run `sh -c 'C before'` and `C after` at the quiet points around the counted phase
      --concurrency N     tabs connecting at once (default 100)
      --lanes N           event loops for the tabs (default: available processors)
      --ping-ms MS        client ping interval (default 5000)
      --conf FILE         read auth.jwt.secret from FILE (default conf/default.json); --secret S
      --server-pid PID    report this process's CPU over the counted phase (/proc/PID/stat)
      --timeout S         give up on setup or a drain after S seconds in all (default 300)
      --label TEXT        a label copied into the JSON line
    """;

  static final String MARK = "nf#";
  static final int RING = 1 << 16;

  record Settings(int tabs, BridgeTarget target, String topic, int window, int connections, int payload, String apiKey,
                  int warmup, int duration, int drain, int settle, String statsCommand, int concurrency, int lanes,
                  int pingMs, String secret, ServerProcess server, int timeout, String label) implements Generator.Options {

    static Settings parse(Args args) {
      int tabs = args.integer("tabs", 1000, 1, 100_000);
      BridgeTarget target = BridgeTarget.parseOneNode(args);
      String topic = args.string("topic", "bench");
      int window = args.integer("window", 16, 1, RING / 4);
      int connections = args.integer("connections", window, 1, 1000);
      int payload = args.integer("payload", 100, 40, 16_000);
      String apiKey = args.string("api-key", "dev-api-key");
      int warmup = args.integer("warmup", 5, 0, 3600);
      int duration = args.integer("duration", 20, 1, 3600);
      int drain = args.integer("drain", 10, 1, 600);
      int settle = args.integer("settle", 0, 0, 600);
      String statsCommand = args.string("stats-command", null);
      int concurrency = args.integer("concurrency", 100, 1, 10_000);
      int lanes = args.lanes(256);
      int pingMs = args.integer("ping-ms", 5000, 100, 60_000);
      Supplier<String> secret = args.tokenSecret();
      long serverPid = args.integer("server-pid", 0, 0, Integer.MAX_VALUE);
      int timeout = args.integer("timeout", 300, 10, 36_000);
      String label = args.string("label", "");
      args.rejectUnknown();
      return new Settings(tabs, target, topic, window, connections, payload, apiKey, warmup, duration, drain, settle,
        statsCommand, concurrency, lanes, pingMs, secret.get(), new ServerProcess(serverPid), timeout, label);
    }

    String host() {
      return target.host();
    }

    int port() {
      return target.port(0);
    }
  }

  // ---- shared state (the lanes and the publisher each touch it from their own event loop) ----
  private final Settings settings;
  /** Per in-flight publish (seq mod RING): tabs that received it, and whether it completed. */
  private final AtomicIntegerArray counts = new AtomicIntegerArray(RING);
  private final AtomicIntegerArray done = new AtomicIntegerArray(RING);
  private final AtomicLong completed = new AtomicLong();
  private final LongAdder delivered = new LongAdder();
  private final AtomicInteger live = new AtomicInteger();
  private final AtomicInteger probed = new AtomicInteger();
  private final AtomicInteger dropped = new AtomicInteger();
  private final Totals totals = new Totals();
  /** Send stamps (nanoTime) in [windowStart, windowEnd) are the counted publishes. */
  private volatile long windowStart = Long.MAX_VALUE;
  private volatile long windowEnd = Long.MAX_VALUE;
  private volatile Runnable onComplete = () -> { };

  private NotifyFanOut(Settings settings) {
    this.settings = settings;
  }

  public static void main(String[] argv) {
    Generator.main("notify-fan-out", USAGE, argv, Settings::parse, (vertx, settings) -> new NotifyFanOut(settings).run(vertx));
  }

  private void error(String what) {
    totals.error(what);
  }

  /** Marks a publish delivered to every live tab (or failed); true the first time. */
  private boolean complete(int slot) {
    if (done.compareAndSet(slot, 0, 1)) {
      completed.incrementAndGet();
      onComplete.run();
      return true;
    }
    return false;
  }

  private int run(Vertx vertx) throws Exception {
    Settings s = settings;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(s.timeout());
    System.out.printf(Locale.ROOT, "notify fan-out: %d tabs on topic %s, %s, node %s:%d, window %d, %d HTTP connection(s), "
        + "%d-character data, warm-up %d s, counted %d s, %d lane(s)%n", s.tabs(), s.topic(),
      s.target().transportName(), s.host(), s.port(), s.window(), s.connections(), s.payload(),
      s.warmup(), s.duration(), s.lanes());
    DevTokens tokens = DevTokens.create(vertx, s.secret(), 3600);
    String run = Generator.runId();

    long t0 = System.nanoTime();
    List<Lane> lanes = Lanes.deploy(vertx, s.lanes(),
      l -> new Lane(Lanes.share(l, s.lanes(), s.tabs()), tokens, run, Math.max(1, s.concurrency() / s.lanes())));
    for (Lane lane : lanes) {
      Futures.await(lane.subscribed, Futures.secondsLeft(deadline), "connecting and subscribing the tabs");
    }
    System.out.printf(Locale.ROOT, "%d tabs connected, authenticated and subscribed in %.1f s%n",
      live.get(), (System.nanoTime() - t0) / 1e9);
    if (live.get() < s.tabs()) {
      System.out.printf(Locale.ROOT, "  %d tabs failed: %s%n", s.tabs() - live.get(), totals.firstErrors);
      return 2;
    }

    Publisher publisher = new Publisher();
    Futures.await(vertx.deployVerticle(publisher), 30, "starting the publisher");
    // probes until every tab has received one: from then on each receives everything
    long probeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (probed.get() < s.tabs() && System.nanoTime() < probeDeadline) {
      publisher.probe();
      Thread.sleep(250);
    }
    if (probed.get() < s.tabs()) {
      System.out.printf(Locale.ROOT, "only %d of %d tabs received a probe in 30 s%n", probed.get(), s.tabs());
      return 2;
    }
    System.out.printf(Locale.ROOT, "every tab received a probe (%d probes published); warming up%n", publisher.probes);

    onComplete = publisher::wake;
    publisher.setRunning(true);
    Thread.sleep(TimeUnit.SECONDS.toMillis(s.warmup()));
    publisher.setRunning(false);
    long warmupPublishes = drain(publisher, deadline, "the warm-up");
    stats("before");

    long issuedBefore = publisher.issued.get();
    long acceptedBefore = publisher.accepted.get();
    long cpuGen0 = Generator.processCpu();
    long cpuSrv0 = s.server().ticks();
    long w0 = System.nanoTime();
    windowStart = w0;
    long d0 = delivered.sum();
    long a0 = publisher.accepted.get();
    long c0 = completed.get();
    publisher.setRunning(true);
    Thread.sleep(TimeUnit.SECONDS.toMillis(s.duration()));
    long w1 = System.nanoTime();
    windowEnd = w1;
    long d1 = delivered.sum();
    long a1 = publisher.accepted.get();
    long c1 = completed.get();
    long cpuGen1 = Generator.processCpu();
    long cpuSrv1 = s.server().ticks();
    publisher.setRunning(false);
    drain(publisher, deadline, "the counted phase");
    long phaseIssued = publisher.issued.get() - issuedBefore;
    long phaseAccepted = publisher.accepted.get() - acceptedBefore;
    stats("after");

    // exactly once: every tab against every accepted publish (warm-up and counted phase)
    BitSet accepted = Futures.await(publisher.acceptedSeqs(), 30, "reading the accepted publishes");
    long missing = 0;
    long duplicates = 0;
    long unexpected = 0;
    int tabsWithAll = 0;
    Latencies latency = new Latencies();
    Latencies allDelivered = new Latencies();
    for (Lane lane : lanes) {
      long[] check = Futures.await(lane.check(accepted), 60, "checking the deliveries");
      missing += check[0];
      duplicates += check[1];
      unexpected += check[2];
      tabsWithAll += (int) check[3];
      latency.addAll(lane.latency);
      allDelivered.addAll(lane.allDelivered);
    }
    Latencies acceptLatency = Futures.await(publisher.acceptLatency(), 30, "reading the publisher's latencies");
    for (Lane lane : lanes) {
      Futures.await(lane.closeAll(), 30, "closing the tabs");
    }

    double seconds = (w1 - w0) / 1e9;
    double publishesPerSecond = (a1 - a0) / seconds;
    double deliveriesPerSecond = (d1 - d0) / seconds;
    double completedPerSecond = (c1 - c0) / seconds;
    double genCpu = cpuGen0 < 0 ? Double.NaN : 100.0 * (cpuGen1 - cpuGen0) / (w1 - w0);
    double srvCpu = ServerProcess.cpuPercent(cpuSrv0, cpuSrv1, seconds);
    long publishErrors = publisher.errors;

    System.out.printf(Locale.ROOT, "%nnotify fan-out done (%d tabs, window %d)%n", s.tabs(), s.window());
    System.out.printf(Locale.ROOT, "  publishes     %,d accepted (202) in %.1f s: %,.0f/s (%,.0f/s delivered to every tab)%n",
      a1 - a0, seconds, publishesPerSecond, completedPerSecond);
    System.out.printf(Locale.ROOT, "  deliveries    %,d in %.1f s: %,.0f/s (%.1f per publish)%n",
      d1 - d0, seconds, deliveriesPerSecond, publishesPerSecond > 0 ? deliveriesPerSecond / publishesPerSecond : Double.NaN);
    System.out.printf(Locale.ROOT, "  latency       %s (publish sent -> a tab received it)%n", latency.summary());
    System.out.printf(Locale.ROOT, "  all tabs      %s (publish sent -> the last tab received it)%n", allDelivered.summary());
    System.out.printf(Locale.ROOT, "  202           %s (publish sent -> HTTP answer)%n", acceptLatency.summary());
    System.out.printf(Locale.ROOT, "  exactly once  %d accepted publishes (%d warm-up, %d counted phase) x %d tabs: "
        + "%d missing, %d duplicates, %d unexpected; %d tabs got all%n", accepted.cardinality(), warmupPublishes,
      phaseAccepted, s.tabs(), missing, duplicates, unexpected, tabsWithAll);
    System.out.printf(Locale.ROOT, "  errors        %d failed publishes, %d tabs dropped, %d other%n",
      publishErrors, dropped.get(), totals.errors.get());
    totals.firstErrors.forEach(e -> System.out.println("    " + e));
    System.out.printf(Locale.ROOT, "  CPU           generator %.0f %%, node %s over the counted phase%n", genCpu,
      Double.isNaN(srvCpu) ? "-" : String.format(Locale.ROOT, "%.0f %%", srvCpu));

    JsonObject result = new JsonObject()
      .put("benchmark", "notify-fan-out")
      .put("label", s.label())
      .put("tabs", s.tabs())
      .put("transport", s.target().transportName())
      .put("window", s.window())
      .put("connections", s.connections())
      .put("payload", s.payload())
      .put("countedSeconds", Latencies.round(seconds))
      .put("publishes", a1 - a0)
      .put("publishesPerSecond", Math.round(publishesPerSecond))
      .put("deliveries", d1 - d0)
      .put("deliveriesPerSecond", Math.round(deliveriesPerSecond))
      .put("latency", latency.toJson())
      .put("allDelivered", allDelivered.toJson())
      .put("accepted", acceptLatency.toJson())
      .put("phasePublishes", phaseIssued)
      .put("phaseAccepted", phaseAccepted)
      .put("checkedPublishes", accepted.cardinality())
      .put("missing", missing)
      .put("duplicates", duplicates)
      .put("unexpected", unexpected)
      .put("tabsWithAll", tabsWithAll)
      .put("publishErrors", publishErrors)
      .put("dropped", dropped.get())
      .put("errors", totals.errors.get())
      .put("generatorCpuPercent", Double.isNaN(genCpu) ? null : Math.round(genCpu))
      .put("nodeCpuPercent", Double.isNaN(srvCpu) ? null : Math.round(srvCpu));
    System.out.println(result.encode());
    boolean clean = missing == 0 && duplicates == 0 && unexpected == 0 && publishErrors == 0 && dropped.get() == 0
      && totals.errors.get() == 0 && a1 > a0;
    return clean ? 0 : 1;
  }

  /** Waits until everything published has reached every tab (bounded); answers how many were accepted. */
  private long drain(Publisher publisher, long deadline, String phase) throws InterruptedException {
    long until = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.drain()));
    while (completed.get() < publisher.issued.get() && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    long left = publisher.issued.get() - completed.get();
    if (left > 0) {
      error(left + " publishes of " + phase + " not delivered to every tab " + settings.drain() + " s after it ended");
    }
    return publisher.accepted.get();
  }

  /** Waits --settle seconds, then runs the stats command with {@code label} (bounded to 60 s). */
  private void stats(String label) throws Exception {
    if (settings.statsCommand() == null) {
      return;
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(settings.settle()));
    Process process = new ProcessBuilder("sh", "-c", settings.statsCommand() + " " + label).inheritIO().start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroy();
      error("stats command " + label + " did not finish in 60 s");
    } else if (process.exitValue() != 0) {
      error("stats command " + label + " exited with " + process.exitValue());
    }
  }

  // ---- the tabs ----

  /** A page subscribed to the topic, and what it received. */
  static final class Tab extends BridgeTab {
    final BitSet received = new BitSet();
    boolean probed;
    boolean live;
    long duplicates;
    long unparsed;

    Tab(int index) {
      super(index);
    }
  }

  /** The tabs of one event loop; a tab's socket and its received set are used only from here. */
  final class Lane extends TabLane<Tab> {

    private final int budget;
    Future<Void> subscribed;
    final Latencies latency = new Latencies();
    final Latencies allDelivered = new Latencies();

    Lane(List<Integer> indexes, DevTokens tokens, String run, int budget) {
      super(settings.target(), indexes, tokens, "bench-notify-" + run + "-", NotifyFanOut.this.totals);
      this.budget = budget;
    }

    @Override
    Tab newTab(int index) {
      return new Tab(index);
    }

    @Override
    long pingMs() {
      return settings.pingMs();
    }

    @Override
    public Future<?> start() {
      super.start();
      // connects tabs, at most {@code budget} at a time
      subscribed = new Handshakes(tabs.size(), budget, i -> subscribe(tabs.get(i)), (i, ar) -> {
        Tab tab = tabs.get(i);
        if (ar.succeeded()) {
          tab.live = true;
          live.incrementAndGet();
        } else {
          error(tab, String.valueOf(ar.cause()));
        }
      }).run();
      return Future.succeededFuture();
    }

    @Override
    void watch(Tab tab) {
      tab.socket.errorHandler(failure -> error(tab, "err: " + failure));
      tab.socket.closeHandler(why -> {
        if (tab.live && !closing) {
          tab.live = false;
          live.decrementAndGet();
          dropped.incrementAndGet();
          error(tab, "dropped: " + why);
        }
      });
    }

    private Future<Void> subscribe(Tab tab) {
      String room = "room.client-" + tab.sessionId;
      return open(tab)
        .compose(v -> {
          Promise<InboundFrame> refused = Promise.promise();
          tab.socket.register(room, frame -> onDelivery(tab, frame), refused::tryFail);
          // forwarded once the register is decided: its reply means the tab is in its room
          // a refused register is answered before the reply to the send after it
          return tab.socket.request("notifications.subscribe",
              new JsonObject().put("topics", new JsonArray().add(settings.topic())))
            .compose(reply -> refused.future().failed() ? Future.failedFuture(refused.future().cause())
              : Future.succeededFuture(reply));
        })
        .compose(reply -> {
          JsonArray topics = reply.json().getJsonObject("body").getJsonArray("topics");
          return topics != null && topics.contains(settings.topic()) ? Future.<Void>succeededFuture()
            : Future.<Void>failedFuture("notifications.subscribe answered " + reply.json().getValue("body"));
        });
    }

    /** A frame on the tab's client room: finds {@code nf#<seq>,<stamp>,} in its characters. */
    private void onDelivery(Tab tab, InboundFrame frame) {
      CharSequence text = frame.raw();
      int n = text.length();
      int at = indexOf(text, n);
      if (at < 0) {
        tab.unparsed++; // presence and other room events
        return;
      }
      long now = System.nanoTime();
      int p = at + MARK.length();
      if (p < n && text.charAt(p) == 'P') {
        if (!tab.probed) {
          tab.probed = true;
          probed.incrementAndGet();
        }
        return;
      }
      long seq = 0;
      while (p < n && Character.isDigit(text.charAt(p))) {
        seq = seq * 10 + (text.charAt(p++) - '0');
      }
      p++;
      long stamp = 0;
      while (p < n && Character.isDigit(text.charAt(p))) {
        stamp = stamp * 10 + (text.charAt(p++) - '0');
      }
      delivered.increment();
      if (tab.received.get((int) seq)) {
        tab.duplicates++;
        return;
      }
      tab.received.set((int) seq);
      boolean counted = stamp >= windowStart && stamp < windowEnd;
      if (counted) {
        latency.add(now - stamp);
      }
      int slot = (int) (seq & (RING - 1));
      if (counts.incrementAndGet(slot) >= live.get() && complete(slot) && counted) {
        allDelivered.add(now - stamp);
      }
    }

    private int indexOf(CharSequence text, int n) {
      for (int i = 0; i + 3 <= n; i++) {
        if (text.charAt(i) == 'n' && text.charAt(i + 1) == 'f' && text.charAt(i + 2) == '#') {
          return i;
        }
      }
      return -1;
    }

    /** {missing, duplicates, unexpected, tabs that got all} against the accepted seqs. */
    Future<long[]> check(BitSet accepted) {
      Promise<long[]> result = Promise.promise();
      context.runOnContext(v -> {
        long[] totals = new long[4];
        for (Tab tab : tabs) {
          BitSet missing = (BitSet) accepted.clone();
          missing.andNot(tab.received);
          BitSet unexpected = (BitSet) tab.received.clone();
          unexpected.andNot(accepted);
          totals[0] += missing.cardinality();
          totals[1] += tab.duplicates;
          totals[2] += unexpected.cardinality();
          totals[3] += missing.isEmpty() && tab.duplicates == 0 && unexpected.isEmpty() ? 1 : 0;
        }
        result.complete(totals);
      });
      return result.future();
    }
  }

  // ---- the publisher: a backend posting to /api/notifications ----

  final class Publisher extends VerticleBase {

    private HttpClientAgent http;
    private RequestOptions request;
    private String padding;
    private boolean running;
    private long seq;
    final AtomicLong issued = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();
    private final BitSet acceptedSeqs = new BitSet();
    private final Latencies acceptLatency = new Latencies();
    volatile long errors;
    volatile int probes;

    @Override
    public Future<?> start() {
      http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(settings.connections()));
      request = new RequestOptions().setMethod(HttpMethod.POST).setHost(settings.host()).setPort(settings.port())
        .setURI("/api/notifications").putHeader("Authorization", "Bearer " + settings.apiKey())
        .putHeader("Content-Type", "application/json");
      padding = "x".repeat(settings.payload());
      // a stuck tab would otherwise hold the window forever: complete what every live tab has
      vertx.setPeriodic(100, id -> sweep());
      return Future.succeededFuture();
    }

    void setRunning(boolean on) {
      context.runOnContext(v -> {
        running = on;
        pump();
      });
    }

    void wake() {
      context.runOnContext(v -> pump());
    }

    void probe() {
      context.runOnContext(v -> {
        probes++;
        post(data("P"), response -> { });
      });
    }

    private String data(String head) {
      String text = MARK + head + ",";
      return text + padding.substring(0, Math.max(0, settings.payload() - text.length()));
    }

    private void pump() {
      while (running && issued.get() - completed.get() < settings.window()) {
        long s = seq++;
        int slot = (int) (s & (RING - 1));
        counts.set(slot, 0);
        done.set(slot, 0);
        issued.incrementAndGet();
        long stamp = System.nanoTime();
        post(data(s + "," + stamp), ok -> {
          if (ok) {
            accepted.incrementAndGet();
            acceptedSeqs.set((int) s);
            if (stamp >= windowStart && stamp < windowEnd) {
              acceptLatency.add(System.nanoTime() - stamp);
            }
          } else {
            complete(slot); // never delivered: free its place in the window
          }
        });
      }
    }

    private void post(String data, Handler<Boolean> done) {
      Buffer body = Buffer.buffer(new JsonObject().put("topic", settings.topic()).put("data", data).encode());
      http.request(request)
        .compose(req -> req.send(body))
        .compose(response -> response.body().map(b -> response.statusCode() == 202 ? null : response.statusCode() + " " + b))
        .onComplete(ar -> {
          String failure = ar.failed() ? String.valueOf(ar.cause()) : ar.result();
          if (failure != null) {
            errors++;
            error("publish: " + failure);
          }
          done.handle(failure == null);
        });
    }

    private void sweep() {
      if (live.get() >= settings.tabs()) {
        return;
      }
      int now = live.get();
      for (long s = Math.max(0, seq - RING / 2); s < seq; s++) {
        int slot = (int) (s & (RING - 1));
        if (done.get(slot) == 0 && counts.get(slot) >= now) {
          complete(slot);
        }
      }
    }

    Future<BitSet> acceptedSeqs() {
      Promise<BitSet> p = Promise.promise();
      context.runOnContext(v -> p.complete((BitSet) acceptedSeqs.clone()));
      return p.future();
    }

    Future<Latencies> acceptLatency() {
      Promise<Latencies> p = Promise.promise();
      context.runOnContext(v -> {
        Latencies copy = new Latencies();
        copy.addAll(acceptLatency);
        p.complete(copy);
      });
      return p.future();
    }
  }
}
