package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Fan-out (issue 4): N subscribers of one room and one publisher, against Parley (SockJS
 * websocket, {@code auth.authenticate}, {@code register room.<r>}, publisher {@code rooms.publish};
 * or over its TCP event-bus bridge: subscribers with {@code --transport tcp}, the publisher as a
 * service with {@code --publisher tcp}; or subscribers on its Pusher endpoint with
 * {@code --transport pusher}, {@link PusherSubscriber}),
 * the naive Vert.x broadcaster ({@link NaiveBroadcaster}) or Socket.IO 4.8.4
 * ({@code bench/socketio/server.js}, an Engine.IO v4 / Socket.IO v5 client spoken here): one
 * {@link FanOutClient} per kind of server ({@link ParleyFanOutClient}, {@link NaiveFanOutClient},
 * {@link SocketIoFanOutClient}); {@link FanOutLane}s connect the subscribers,
 * {@link FanOutPublisher} paces the messages, {@link FanOutTally} counts the deliveries and
 * {@link FanOutReport} prints them.
 *
 * <p>Every payload is {@code data} of {@code --payload} characters: {@code pb#<seq>,<stamp>,xxx…}.
 * {@code --mode loop}: the publisher keeps at most {@code --window} messages not yet delivered to
 * every live subscriber, and deliveries/s are counted over {@code --duration} s after
 * {@code --warmup} s. {@code --mode rate}: {@code --rate} deliveries/s, i.e. one publish every
 * subscribers/rate seconds, each stamped with its scheduled send time (no coordinated omission);
 * latency = receive time − scheduled time for every delivery of a message scheduled in the window.
 * Prints a summary and one JSON line {@code {"benchmark":"fan-out",...}}.
 *
 * <p>Exit status: 0 every subscriber joined and got every message, no errors; 1 otherwise; 2
 * the run failed on its way; 64 a bad command line.
 */
public final class FanOut {

  private static final String USAGE = """
    usage: java -cp parley-bench.jar io.parley.bench.FanOut --server parley|naive|socketio [options]
      --port P              server port (default 8080); the publisher's
      --ports P1,P2,...     Parley: subscribers spread round-robin over these nodes' ports (default: --port)
      --transport T         Parley subscribers: sockjs (default), raw (/eventbus/websocket), mixed (every other one raw),
                            tcp (the TCP event-bus bridge at --tcp-port, as users with a dev token), or pusher
                            (/app/<key>, the Pusher protocol as pusher-js speaks it, the public channel --room)
      --pusher-key K        --transport pusher: the app key (default: the first of pusher.apps in --conf, or PARLEY_PUSHER_APPS)
      --publisher ws|tcp    Parley publisher: a user on the SockJS websocket (default), or a service on the TCP
                            event-bus bridge at --tcp-port (auth.authenticate {apiKey})
      --tcp-port P          the node's TCP event-bus bridge port (tcp.port), for --transport tcp or --publisher tcp
      --api-key K           --publisher tcp: the service's key (default: the first of api.keys in --conf, or PARLEY_API_KEYS)
      --host H              127.0.0.0/8 only (default 127.0.0.1)
      --subscribers N       subscribers (default 1000)
      --mode loop|rate|idle closed loop (max deliveries/s), fixed delivery rate (latency), or idle: N connections
                            each joined to two rooms, server heap (after a full GC) and RSS per connection
                            (needs --server-pid; jcmd for JVM servers, GET /memory?gc=1 for socket.io)
      --window W            loop: messages in flight (default 64)
      --rate R              rate: deliveries/s (default 20000)
      --warmup S            seconds before the measured window (default 10)
      --duration S          measured window (default 10)
      --payload N           characters of data per message (default 100)
      --room NAME           (default votes-fanout; Parley's claims policy lets any user join votes-*, and
                            votes-* is open to Pusher's public channels)
      --sources N           loopback source addresses 127.0.0.1..N (default 8)
      --concurrency N       handshakes in flight (default 200)
      --lanes N             event loops (default: available processors)
      --ping-ms MS          Parley client ping interval (default 5000; Pusher subscribers ping as pusher-js does, after
                            the node's activity_timeout of silence)
      --conf FILE           auth.jwt.secret from FILE (default conf/default.json); --secret S
      --timeout S           abort after S seconds (default 300)
      --label TEXT
      --server-pid PID      the server's pid: its CPU over the window is reported (/proc/PID/stat)
      --prewarm-port P      rate: first run the same scenario for --prewarm-seconds against another server of the
                            same kind at port P, unrecorded, so that this generator's own code is compiled before it
                            measures a freshly started server (whose code is not)
      --prewarm-seconds S   (default 10)
      --prewarm-pid PID     the prewarm server's pid: stopped (SIGTERM, then waited for) when the prewarm ends, so
                            that it shares nothing with the server measured
      --publisher-sched fifo|normal
                            rate: the publisher's event loop in SCHED_FIFO (default fifo; where the system refuses,
                            normal, and the result says so), so that no publish waits for the subscriber lanes
    """;

  enum Server { PARLEY, NAIVE, SOCKETIO }

  record Settings(Server server, String host, int port, List<Integer> ports, String transport, String publisher, int tcpPort, String apiKey,
                  String pusherKey,
                  int subscribers, boolean loop, int window, int rate,
                  int warmup, int duration, int payload, String room, List<String> sources, int concurrency,
                  int lanes, int pingMs, String secret, int timeout, String label, ServerProcess serverProcess, boolean idle,
                  boolean fifoPublisher, int prewarmPort, int prewarmSeconds, long prewarmPid) implements Generator.Options {
    static Settings parse(Args args) {
      Server server = switch (args.string("server", "")) {
        case "parley" -> Server.PARLEY;
        case "naive" -> Server.NAIVE;
        case "socketio" -> Server.SOCKETIO;
        default -> throw new Args.UsageException("--server must be parley, naive or socketio");
      };
      String host = args.loopbackHost("host", "127.0.0.1");
      int port = args.integer("port", 8080, 1, 65535);
      List<Integer> ports = args.ports("ports", Integer.toString(port));
      String transport = args.string("transport", "sockjs");
      if (!List.of("sockjs", "raw", "mixed", "tcp", "pusher").contains(transport)) {
        throw new Args.UsageException("--transport must be sockjs, raw, mixed, tcp or pusher");
      }
      String publisher = args.string("publisher", "ws");
      if (!List.of("ws", "tcp").contains(publisher)) {
        throw new Args.UsageException("--publisher must be ws or tcp");
      }
      if (server != Server.PARLEY && (ports.size() > 1 || !transport.equals("sockjs") || !publisher.equals("ws"))) {
        throw new Args.UsageException("--ports, --transport and --publisher are for --server parley");
      }
      int tcpPort = args.integer("tcp-port", 0, 0, 65535);
      boolean tcp = transport.equals("tcp") || publisher.equals("tcp");
      if (tcp && tcpPort == 0) {
        throw new Args.UsageException("--transport tcp and --publisher tcp need --tcp-port (the node's tcp.port)");
      }
      if (tcp && ports.size() > 1) {
        throw new Args.UsageException("--transport tcp and --publisher tcp are for one node (no --ports)");
      }
      Supplier<String> apiKey = args.apiKey();
      Supplier<String> pusherKey = args.pusherKey();
      int subs = args.integer("subscribers", 1000, 1, 1_000_000);
      String mode = args.string("mode", "loop");
      if (!mode.equals("loop") && !mode.equals("rate") && !mode.equals("idle")) {
        throw new Args.UsageException("--mode must be loop, rate or idle");
      }
      int window = args.integer("window", 64, 1, FanOutTally.RING / 4);
      int rate = args.integer("rate", 20000, 1, 10_000_000);
      int warmup = args.integer("warmup", 10, 0, 3600);
      int duration = args.integer("duration", 10, 1, 3600);
      int payload = args.integer("payload", 100, 40, 1 << 20);
      String room = args.string("room", "votes-fanout");
      int sourceCount = args.integer("sources", 8, 1, 250);
      List<String> sources = new ArrayList<>();
      for (int i = 1; i <= sourceCount; i++) {
        sources.add("127.0.0." + i);
      }
      int concurrency = args.integer("concurrency", 200, 1, 100_000);
      int lanes = args.lanes(64);
      int pingMs = args.integer("ping-ms", 5000, 100, 600_000);
      Supplier<String> secret = args.tokenSecret();
      int timeout = args.integer("timeout", 300, 1, 86_400);
      String label = args.string("label", "");
      long serverPid = args.integer("server-pid", 0, 0, Integer.MAX_VALUE);
      String sched = args.string("publisher-sched", "fifo");
      if (!sched.equals("fifo") && !sched.equals("normal")) {
        throw new Args.UsageException("--publisher-sched must be fifo or normal");
      }
      int prewarmPort = args.integer("prewarm-port", 0, 0, 65535);
      int prewarmSeconds = args.integer("prewarm-seconds", 10, 1, 600);
      long prewarmPid = args.integer("prewarm-pid", 0, 0, Integer.MAX_VALUE);
      args.rejectUnknown();
      if (prewarmPort > 0 && !mode.equals("rate")) {
        throw new Args.UsageException("--prewarm-port is for --mode rate");
      }
      if (prewarmPort > 0 && (ports.size() > 1 || tcp)) {
        throw new Args.UsageException("--prewarm-port is for one node reached over websockets");
      }
      if (mode.equals("idle") && serverPid <= 0) {
        throw new Args.UsageException("--mode idle needs --server-pid");
      }
      return new Settings(server, host, port, ports, transport, publisher, tcpPort, publisher.equals("tcp") ? apiKey.get() : null,
        transport.equals("pusher") ? pusherKey.get() : null,
        subs, mode.equals("loop"), window, rate, warmup, duration, payload,
        room, List.copyOf(sources), concurrency, lanes, pingMs, server == Server.PARLEY ? secret.get() : null, timeout, label,
        new ServerProcess(serverPid), mode.equals("idle"), sched.equals("fifo"), prewarmPort, prewarmSeconds, prewarmPid);
    }

    /** The unrecorded run against --prewarm-port: the same scenario, no warm-up, no server CPU. */
    Settings prewarm() {
      return new Settings(server, host, prewarmPort, List.of(prewarmPort), transport, publisher, tcpPort, apiKey, pusherKey,
        subscribers, loop, window, rate, 0, prewarmSeconds, payload, room, sources, concurrency, lanes, pingMs, secret,
        timeout, "prewarm", new ServerProcess(0), idle, fifoPublisher, 0, 0, 0);
    }

    boolean tcpPublisher() {
      return publisher.equals("tcp");
    }

    /** One more event loop than lanes: the publisher's own. */
    @Override
    public VertxOptions vertxOptions() {
      return new VertxOptions().setEventLoopPoolSize(lanes + 1);
    }
  }

  private final Settings settings;
  /** The unrecorded prewarm run (--prewarm-port): its result is not printed as a result line. */
  private final boolean prewarm;

  private FanOut(Settings settings, boolean prewarm) {
    this.settings = settings;
    this.prewarm = prewarm;
  }

  public static void main(String[] argv) {
    Generator.main("fan-out", USAGE, argv, Settings::parse, (vertx, settings) -> new FanOut(settings, false).run(vertx));
  }

  private int run(Vertx vertx) throws Exception {
    Generator.quietHttpClientLog();
    if (settings.prewarmPort() > 0) {
      // the lanes' code (frames, parsing, the tally) is interpreted in a fresh JVM and compiled
      // on this CPU as it runs: a freshly started server must not be measured by a cold generator
      System.out.printf(Locale.ROOT, "prewarm: %d s against port %d%n", settings.prewarmSeconds(), settings.prewarmPort());
      // on a Vert.x of its own, so that the measured run's lanes and publisher get their event
      // loops (and scheduling) as they would without it
      Vertx warming = Vertx.vertx(settings.vertxOptions());
      int status;
      try {
        status = new FanOut(settings.prewarm(), true).run(warming);
      } finally {
        warming.close().await(30, TimeUnit.SECONDS);
      }
      System.out.println("prewarm: done" + (status == 0 ? "" : " (exit " + status + ", not counted)"));
      stopPrewarmServer();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.timeout());
    GcPauses gcPauses = GcPauses.listen();
    FanOutTally tally = new FanOutTally(settings);
    DevTokens tokens = settings.server() == Server.PARLEY ? DevTokens.create(vertx, settings.secret(), 3600) : null;
    FanOutClient server = FanOutClient.of(settings, tally, tokens);
    SourceClients sources = SourceClients.create(vertx, settings.sources(), settings.subscribers() + 16);
    int budget = Math.max(1, settings.concurrency() / settings.lanes());
    List<FanOutLane> lanes = Lanes.deploy(vertx, settings.lanes(), l -> new FanOutLane(tally, sources, budget));
    for (int i = 0; i < settings.subscribers(); i++) {
      lanes.get(i % lanes.size()).subs.add(server.subscriber(i));
    }
    long[] before = settings.idle() ? memory(server) : null;
    long t0 = System.nanoTime();
    List<Future<Void>> all = new ArrayList<>();
    lanes.forEach(l -> all.add(l.connectAll()));
    Futures.await(Future.all(all), Math.max(1, Futures.secondsLeft(deadline)), "connecting subscribers");
    double connectSeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "%s: %d/%d subscribers joined in %.1f s (%d failed)%n", settings.server(),
      tally.joined.get(), settings.subscribers(), connectSeconds, tally.failed.get());
    FanOutReport report = new FanOutReport(settings, tally);

    if (settings.idle()) {
      Thread.sleep(3000);
      long[] after = memory(server);
      JsonObject result = report.idle(before, after);
      List<Future<Void>> closing = new ArrayList<>();
      lanes.forEach(l -> closing.add(l.closeAll()));
      Futures.await(Future.all(closing), 20, "closing");
      System.out.println(result.encode());
      return tally.failed.get() == 0 && tally.dropped.get() == 0 && tally.joined.get() == settings.subscribers() ? 0 : 1;
    }

    FanOutPublisher publisher = new FanOutPublisher(tally, sources, server);
    Futures.await(vertx.deployVerticle(publisher), 30, "publisher");
    // a publish that waits for the CPU behind the lanes is sent late, and counted as the server's
    // latency: at a fixed rate the publisher runs first (bench/README.md, "Who waits for a CPU")
    String publisherSched = settings.loop() ? null : "normal";
    if (!settings.loop() && settings.fifoPublisher()) {
      Promise<Long> tid = Promise.promise();
      publisher.ctx().runOnContext(v -> tid.complete(RealtimeThread.currentTid()));
      publisherSched = RealtimeThread.fifo(Futures.await(tid.future(), 10, "the publisher's thread id"));
      System.out.println("publisher's event loop: " + publisherSched);
    }

    // probe until every joined subscriber has received something (Parley: its register is done)
    long probeEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(90, Futures.secondsLeft(deadline)));
    while (tally.ready.get() < tally.joined.get() && System.nanoTime() < probeEnd) {
      Promise<Void> sentProbe = Promise.promise();
      publisher.ctx().runOnContext(v -> {
        publisher.probe();
        sentProbe.complete();
      });
      Futures.await(sentProbe.future(), 10, "probe");
      Thread.sleep(tally.ready.get() * 2 > tally.joined.get() ? 300 : 1000);
    }
    double readySeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "%d/%d subscribers received a probe %.1f s after the start%n", tally.ready.get(),
      tally.joined.get(), readySeconds);

    if (!settings.loop()) {
      // The generator must not pause while it measures: each lane's recorder is allocated now,
      // at its full size, and one full collection moves it and every connection's state to the
      // old generation, so a young collection in the window copies only what is in flight.
      List<Future<Void>> allocated = new ArrayList<>();
      lanes.forEach(l -> allocated.add(l.onLoop(tally.recorder::get)));
      Futures.await(Future.all(allocated), 10, "allocating the recorders");
      System.gc();
    }
    long cpu0 = Generator.processCpu();
    ServerProcess serverProcess = settings.serverProcess();
    // read once before the warm-up: the first read loads classes, work better done before
    // measuring than at the window's start
    serverProcess.ticks();
    long origin = System.nanoTime();
    tally.windowStart = origin + TimeUnit.SECONDS.toNanos(settings.warmup());
    tally.windowEnd = tally.windowStart + TimeUnit.SECONDS.toNanos(settings.duration());
    // the window's start by the wall clock, to find it in the server's logs (-Xlog's time decoration)
    tally.windowStartWall = Instant.ofEpochMilli(System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(settings.warmup()));
    publisher.ctx().runOnContext(v -> {
      if (settings.loop()) {
        publisher.startLoop();
      } else {
        publisher.startRate(origin);
      }
    });
    Generator.sleepUntil(tally.windowStart);
    Reading start = Reading.now(tally, serverProcess);
    Generator.sleepUntil(tally.windowEnd);
    Reading end = Reading.now(tally, serverProcess);
    Promise<Void> stopped = Promise.promise();
    publisher.ctx().runOnContext(v -> {
      publisher.running = false;
      stopped.complete();
    });
    Futures.await(stopped.future(), 10, "stopping the publisher");
    // drain: wait (bounded) for every message sent to reach its subscribers
    long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (tally.completed.get() < publisher.sent && System.nanoTime() < drainEnd) {
      Thread.sleep(100);
    }
    long incomplete = publisher.sent - tally.completed.get();
    double windowS = (end.at() - start.at()) / 1e9;
    Latencies lat = new Latencies();
    tally.recorders.forEach(d -> d.window(tally.windowStart, tally.windowEnd, lat));
    FanOutReport.Window window = new FanOutReport.Window(windowS, (end.delivered() - start.delivered()) / windowS,
      (end.completed() - start.completed()) / windowS, lat, gcPauses.within(tally.windowStart, tally.windowEnd),
      publisher.sent, incomplete, publisher.publishErrors, 100.0 * (end.cpu() - start.cpu()) / (end.at() - start.at()),
      ServerProcess.cpuPercent(start.serverTicks(), end.serverTicks(), windowS), connectSeconds);
    JsonObject result = report.window(window).put("publisherSched", publisherSched)
      .put("prewarmSeconds", settings.prewarmPort() > 0 ? settings.prewarmSeconds() : null);
    List<Future<Void>> closing = new ArrayList<>();
    lanes.forEach(l -> closing.add(l.closeAll()));
    try {
      Futures.await(Future.all(closing), 20, "closing");
      Thread.sleep(500);
    } catch (Exception e) {
      System.out.println("closing: " + e);
    }
    if (!prewarm) {
      System.out.println(result.encode());
    }
    boolean ok = tally.failed.get() == 0 && tally.dropped.get() == 0 && incomplete == 0 && tally.serverErrors.get() == 0
      && publisher.publishErrors == 0 && tally.joined.get() == settings.subscribers() && cpu0 >= 0;
    return ok ? 0 : 1;
  }

  /** Stops the prewarm server (--prewarm-pid), so that it does nothing on the CPU while the window runs. */
  private void stopPrewarmServer() throws Exception {
    if (settings.prewarmPid() <= 0) {
      return;
    }
    var process = ProcessHandle.of(settings.prewarmPid());
    if (process.isPresent()) {
      process.get().destroy();
      process.get().onExit().get(20, TimeUnit.SECONDS);
      System.out.println("prewarm: its server (pid " + settings.prewarmPid() + ") stopped");
    }
  }

  /** The counters at one edge of the window, read in this order. */
  private record Reading(long delivered, long completed, long at, long cpu, long serverTicks) {
    static Reading now(FanOutTally tally, ServerProcess server) {
      long delivered = tally.delivered.sum();
      long completed = tally.completed.get();
      long at = System.nanoTime();
      long cpu = Generator.processCpu();
      return new Reading(delivered, completed, at, cpu, server.ticks());
    }
  }

  /** {heap used after a full GC, RSS} of --server-pid in bytes. */
  private long[] memory(FanOutClient server) throws Exception {
    ServerProcess process = settings.serverProcess();
    long heap = server.heapAfterGc(process);
    return new long[] {heap, process.rssBytes()};
  }
}
