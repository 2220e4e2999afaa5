package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Connect storm: how long N authenticated browser tabs take to connect and join their
 * {@code client-<sessionId>} room plus one shared room.
 *
 * <p>Each tab is what a browser tab running the published bridge client does on page load:
 * open the SockJS websocket (or the raw endpoint), {@code send auth.authenticate {token,
 * sessionId}} with its own random sessionId and a locally signed dev token, and on the reply
 * {@code register room.client-<sessionId>} and {@code room.<shared>}, then {@code send
 * rooms.state {room: <shared>}}. Parley handles a socket's frames in order and forwards a send
 * only after the registers before it were decided, so that reply means the tab is a member of
 * both rooms; a refused register arrives before it and fails the tab.
 *
 * <p>Tabs run on Vert.x event loops ({@code --lanes}, no thread per connection), at most
 * {@code --concurrency} handshakes in flight, spread round-robin over the node ports and over
 * loopback source addresses. Every connection stays open (pinging like the client does) until
 * all tabs are settled, then all are closed. Output: a summary for people, then one JSON line.
 *
 * <p>Exit status: 0 every tab joined and stayed; 1 some failed or dropped; 2 the overall
 * timeout struck, or the run failed on its way; 64 a bad command line.
 */
public final class ConnectStorm {

  private static final String USAGE = """
    usage: java -cp parley-bench.jar io.parley.bench.ConnectStorm [options]
      --tabs N               browser tabs to connect (default 1000)
      --users N              distinct users among them, tabs share users round-robin (default: one per tab)
      --host H               node address, must be in 127.0.0.0/8 (default 127.0.0.1)
      --ports P1,P2          node HTTP ports, used round-robin (default 8080)
      --transport T          sockjs (default): /eventbus/<3 digits>/<random>/websocket; raw: /eventbus/websocket
      --path P               the bridge's base path (default /eventbus)
      --sources N|A,B        loopback source addresses: a count (127.0.0.1 ... 127.0.0.N) or a list (default 8)
      --concurrency N        handshakes in flight at once (default 200)
      --room NAME            the shared room (default votes-storm)
      --rooms K              shard the shared room: tab i joins NAME-<i mod K> (default 1: one room for all)
      --probe shared|client  the room asked with rooms.state after registering (default shared)
      --timeout S            abort the whole run after S seconds (default 300)
      --tab-timeout S        a tab not joined S seconds after its connect started fails (default 60)
      --ping-ms MS           ping interval per socket, as the client's vertxbus_ping_interval (default 5000)
      --hold S               keep every connection open S more seconds after the storm (default 0)
      --lanes N              event loops for the tabs (default: available processors)
      --conf FILE            read auth.jwt.secret from FILE (default conf/default.json)
      --secret S             the HS256 secret instead (PARLEY_AUTH_JWT_SECRET also works)
      --token-ttl S          token lifetime (default 3600)
      --max-message-bytes N  largest frame accepted from the server (default 67108864)
      --no-verify            skip the final rooms.state check of the shared room's members
      --label TEXT           a label copied into the JSON line (e.g. single, cluster-2)
    """;

  private static final Pattern UUID_TEXT = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final int FIRST_FEW = 5;

  /** What the command line asked for. */
  record Settings(int tabs, int users, BridgeTarget target, List<String> sources, int concurrency, String room,
                  int rooms, boolean probeShared, int timeoutSeconds, int tabTimeoutSeconds, int pingMs, int holdSeconds,
                  int lanes, String secret, int tokenTtl, int maxMessageBytes, boolean verify, String label) implements Generator.Options {

    static Settings parse(Args args) {
      int tabs = args.integer("tabs", 1000, 1, 1_000_000);
      int users = args.integer("users", tabs, 1, 1_000_000);
      BridgeTarget target = BridgeTarget.parse(args);
      List<String> sources = sources(args.string("sources", "8"));
      int concurrency = args.integer("concurrency", 200, 1, 100_000);
      String room = args.string("room", "votes-storm");
      if (!room.matches("[A-Za-z0-9_:.-]{1,120}")) {
        throw new Args.UsageException("--room must match [A-Za-z0-9_:.-]{1,120}");
      }
      int rooms = args.integer("rooms", 1, 1, 1_000_000);
      String probe = args.string("probe", "shared");
      if (!probe.equals("shared") && !probe.equals("client")) {
        throw new Args.UsageException("--probe must be shared or client");
      }
      int timeout = args.integer("timeout", 300, 1, 86_400);
      int tabTimeout = args.integer("tab-timeout", 60, 1, 86_400);
      int pingMs = args.integer("ping-ms", 5000, 100, 600_000);
      int hold = args.integer("hold", 0, 0, 86_400);
      int lanes = args.lanes(256);
      Supplier<String> secret = args.tokenSecret();
      int tokenTtl = args.integer("token-ttl", 3600, 60, 10 * 86_400);
      int maxMessage = args.integer("max-message-bytes", 64 << 20, 1 << 16, Integer.MAX_VALUE);
      boolean verify = !args.flag("no-verify");
      String label = args.string("label", "");
      args.rejectUnknown();
      return new Settings(tabs, Math.min(users, tabs), target, sources, concurrency, room, rooms, probe.equals("shared"),
        timeout, tabTimeout, pingMs, hold, lanes, secret.get(), tokenTtl, maxMessage, verify, label);
    }

    private static List<String> sources(String value) {
      List<String> sources = new ArrayList<>();
      if (value.matches("\\d+")) {
        int count = Integer.parseInt(value);
        if (count < 1 || count > 250) {
          throw new Args.UsageException("--sources: a count from 1 to 250, or a list of 127.x.y.z addresses");
        }
        for (int i = 1; i <= count; i++) {
          sources.add("127.0.0." + i);
        }
      } else {
        for (String address : value.split(",")) {
          sources.add(Args.loopback("--sources", address.trim()));
        }
      }
      return List.copyOf(sources);
    }

    @Override
    public VertxOptions vertxOptions() {
      return Generator.Options.super.vertxOptions()
        .setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS);
    }

    /** The shared room of tab {@code index}: {@code room}, or {@code room-<index % rooms>} when sharded. */
    String sharedRoom(int index) {
      return rooms == 1 ? room : room + "-" + (index % rooms);
    }

    String describeRooms() {
      return rooms == 1 ? room : rooms + " rooms " + room + "-0 ... " + room + "-" + (rooms - 1);
    }
  }

  enum Stage { QUEUED, CONNECTING, OPENING, AUTHENTICATING, JOINING, JOINED, FAILED }

  /** One browser tab. Lives on its lane's event loop. */
  static final class Tab extends BridgeTab {
    final String userId;
    final String token;
    final String room;
    Stage stage = Stage.QUEUED;
    long started;
    long upgraded;
    long opened;
    long authenticated;
    long joined;
    long lastPing;
    long failedAt;
    String failure;

    Tab(int index, String userId, String token, String room) {
      super(index);
      this.userId = userId;
      this.token = token;
      this.room = room;
    }

    boolean settled() {
      return stage == Stage.JOINED || stage == Stage.FAILED;
    }
  }

  /** A failure or drop, with when it happened. */
  record Incident(int tab, long at, long sinceConnect, String reason) {
    JsonObject toJson(long origin) {
      return new JsonObject().put("tab", tab).put("atMs", Latencies.round((at - origin) / 1e6))
        .put("sinceConnectMs", Latencies.round(sinceConnect / 1e6)).put("reason", reason);
    }

    String describe(long origin) {
      return String.format(Locale.ROOT, "tab %d at %s, %s after its connect: %s", tab, Latencies.ms((at - origin) / 1e6),
        Latencies.ms(sinceConnect / 1e6), reason);
    }
  }

  /** How long joined tabs took: in all (connect to joined), and stage by stage. */
  record Stages(Latencies total, Latencies connect, Latencies open, Latencies auth, Latencies join) {

    Stages() {
      this(new Latencies(), new Latencies(), new Latencies(), new Latencies(), new Latencies());
    }

    void add(Tab tab) {
      total.add(tab.joined - tab.started);
      connect.add(tab.upgraded - tab.started);
      open.add(tab.opened - tab.upgraded);
      auth.add(tab.authenticated - tab.opened);
      join.add(tab.joined - tab.authenticated);
    }

    void addAll(Stages other) {
      total.addAll(other.total);
      connect.addAll(other.connect);
      open.addAll(other.open);
      auth.addAll(other.auth);
      join.addAll(other.join);
    }
  }

  /** What a lane saw, built on its event loop. */
  record LaneReport(int joined, int failed, int neverStarted, int dropped, long firstStart, long lastJoined,
                    Stages stages,
                    Map<String, Integer> reasons, List<Incident> firstFailures, List<Incident> firstDrops,
                    long framesIn, long unrouted) {

    /** Both lanes' figures as one. */
    LaneReport plus(LaneReport other) {
      Stages both = new Stages();
      both.addAll(stages);
      both.addAll(other.stages);
      Map<String, Integer> allReasons = new LinkedHashMap<>(reasons);
      other.reasons.forEach((reason, n) -> allReasons.merge(reason, n, Integer::sum));
      List<Incident> failures = new ArrayList<>(firstFailures);
      failures.addAll(other.firstFailures);
      List<Incident> drops = new ArrayList<>(firstDrops);
      drops.addAll(other.firstDrops);
      return new LaneReport(joined + other.joined, failed + other.failed, neverStarted + other.neverStarted,
        dropped + other.dropped, Math.min(firstStart, other.firstStart), Math.max(lastJoined, other.lastJoined), both,
        allReasons, failures, drops, framesIn + other.framesIn, unrouted + other.unrouted);
    }
  }

  /**
   * A share of the tabs on one event loop: starts them within its concurrency budget, sweeps
   * deadlines and pings on one periodic timer (not a timer per tab).
   */
  static final class Lane extends VerticleBase {

    private final Settings settings;
    private final List<Tab> tabs;
    private final List<WebSocketClient> clients;
    private final int budget;
    private final AtomicInteger joinedCount;
    private final AtomicInteger failedCount;
    private final Promise<Void> settledAll = Promise.promise();
    private final Set<Tab> inFlight = new LinkedHashSet<>();
    private final List<Tab> connected = new ArrayList<>();
    private final Map<String, Integer> reasons = new LinkedHashMap<>();
    private final List<Incident> firstFailures = new ArrayList<>();
    private final List<Incident> firstDrops = new ArrayList<>();
    private int next;
    private int settled;
    private int dropped;
    private boolean stopping;
    private long timer = -1;

    Lane(Settings settings, List<Tab> tabs, List<WebSocketClient> clients, int budget,
         AtomicInteger joinedCount, AtomicInteger failedCount) {
      this.settings = settings;
      this.tabs = tabs;
      this.clients = clients;
      this.budget = budget;
      this.joinedCount = joinedCount;
      this.failedCount = failedCount;
    }

    @Override
    public Future<?> start() {
      timer = vertx.setPeriodic(200, id -> sweep());
      if (tabs.isEmpty()) {
        settledAll.complete();
      }
      return Future.succeededFuture();
    }

    /** Starts the storm on this lane; the future completes when every tab joined or failed. */
    Future<Void> storm() {
      context.runOnContext(v -> pump());
      return settledAll.future();
    }

    private void pump() {
      while (!stopping && inFlight.size() < budget && next < tabs.size()) {
        connect(tabs.get(next++));
      }
    }

    private void connect(Tab tab) {
      tab.stage = Stage.CONNECTING;
      tab.started = System.nanoTime();
      inFlight.add(tab);
      WebSocketClient client = clients.get(tab.index % clients.size());
      client.connect(settings.target().connectOptions(tab.index)).onComplete(ar -> {
        if (ar.failed()) {
          fail(tab, "connect: " + ar.cause());
          return;
        }
        if (tab.stage == Stage.FAILED) { // timed out meanwhile
          ar.result().close();
          return;
        }
        tab.upgraded = System.nanoTime();
        tab.lastPing = tab.upgraded;
        tab.stage = Stage.OPENING;
        BridgeSocket socket = BridgeSocket.wrap(ar.result(), settings.target().transport());
        tab.socket = socket;
        connected.add(tab);
        socket.closeHandler(why -> onClose(tab, why));
        socket.errorHandler(failure -> {
          if (tab.stage == Stage.JOINED) {
            drop(tab, "err after joining: " + failure);
          } else {
            fail(tab, "refused while " + tab.stage.name().toLowerCase(Locale.ROOT) + ": " + failure);
          }
        });
        socket.opened().compose(v -> {
          tab.opened = System.nanoTime();
          tab.stage = Stage.AUTHENTICATING;
          return socket.request("auth.authenticate", new JsonObject().put("token", tab.token).put("sessionId", tab.sessionId));
        }).compose(authenticated -> {
          tab.authenticated = System.nanoTime();
          tab.stage = Stage.JOINING;
          String own = "room.client-" + tab.sessionId;
          String shared = "room." + tab.room;
          socket.register(own, delivery -> { }, refused -> fail(tab, "register room.client-<sessionId> refused: " + refused));
          socket.register(shared, delivery -> { }, refused -> fail(tab, "register " + shared + " refused: " + refused));
          String probe = settings.probeShared() ? tab.room : "client-" + tab.sessionId;
          return socket.request("rooms.state", new JsonObject().put("room", probe));
        }).onComplete(done -> {
          if (done.succeeded()) {
            joined(tab);
          } else {
            fail(tab, stageName(tab.stage) + ": " + done.cause());
          }
        });
      });
    }

    private static String stageName(Stage stage) {
      return switch (stage) {
        case OPENING -> "sockjs open";
        case AUTHENTICATING -> "auth.authenticate";
        case JOINING -> "rooms.state after registering";
        default -> stage.name().toLowerCase(Locale.ROOT);
      };
    }

    private void joined(Tab tab) {
      if (tab.settled()) {
        return;
      }
      tab.joined = System.nanoTime();
      tab.stage = Stage.JOINED;
      joinedCount.incrementAndGet();
      settle(tab);
    }

    private void fail(Tab tab, String reason) {
      if (tab.settled()) {
        return;
      }
      tab.stage = Stage.FAILED;
      tab.failure = reason;
      tab.failedAt = System.nanoTime();
      failedCount.incrementAndGet();
      reasons.merge(UUID_TEXT.matcher(reason).replaceAll("<uuid>"), 1, Integer::sum);
      if (firstFailures.size() < FIRST_FEW) {
        firstFailures.add(new Incident(tab.index, tab.failedAt, tab.failedAt - tab.started, reason));
      }
      if (tab.socket != null) {
        tab.socket.close();
      }
      settle(tab);
    }

    private void drop(Tab tab, String reason) {
      dropped++;
      if (firstDrops.size() < FIRST_FEW) {
        long now = System.nanoTime();
        firstDrops.add(new Incident(tab.index, now, now - tab.started, reason));
      }
    }

    private void onClose(Tab tab, String why) {
      if (tab.stage == Stage.JOINED) {
        if (!stopping) {
          drop(tab, why);
        }
      } else {
        fail(tab, stageName(tab.stage) + ": " + why);
      }
    }

    private void settle(Tab tab) {
      inFlight.remove(tab);
      settled++;
      if (settled == tabs.size()) {
        settledAll.tryComplete();
      } else {
        pump();
      }
    }

    private void sweep() {
      long now = System.nanoTime();
      long deadline = TimeUnit.SECONDS.toNanos(settings.tabTimeoutSeconds());
      for (Tab tab : List.copyOf(inFlight)) {
        if (now - tab.started >= deadline) {
          fail(tab, "timeout: not joined " + settings.tabTimeoutSeconds() + " s after connecting, still in "
            + stageName(tab.stage));
        }
      }
      long every = TimeUnit.MILLISECONDS.toNanos(settings.pingMs());
      for (Tab tab : connected) {
        if (!tab.socket.isClosed() && tab.stage != Stage.FAILED && now - tab.lastPing >= every) {
          tab.socket.ping();
          tab.lastPing = now;
        }
      }
    }

    /** The overall timeout struck: tabs in flight fail, queued ones never start. */
    Future<Void> abort(String why) {
      Promise<Void> done = Promise.promise();
      context.runOnContext(v -> {
        stopping = true;
        for (Tab tab : List.copyOf(inFlight)) {
          fail(tab, why + " (was in " + stageName(tab.stage) + ")");
        }
        done.complete();
      });
      return done.future();
    }

    Future<LaneReport> report() {
      Promise<LaneReport> done = Promise.promise();
      context.runOnContext(v -> {
        Stages stages = new Stages();
        int joined = 0;
        int failed = 0;
        int neverStarted = 0;
        long firstStart = Long.MAX_VALUE;
        long lastJoined = Long.MIN_VALUE;
        long framesIn = 0;
        long unrouted = 0;
        for (Tab tab : tabs) {
          if (tab.stage != Stage.QUEUED) {
            firstStart = Math.min(firstStart, tab.started);
          }
          switch (tab.stage) {
            case JOINED -> {
              joined++;
              lastJoined = Math.max(lastJoined, tab.joined);
              stages.add(tab);
            }
            case FAILED -> failed++;
            case QUEUED -> neverStarted++;
            default -> { }
          }
          if (tab.socket != null) {
            framesIn += tab.socket.framesIn();
            unrouted += tab.socket.unrouted();
          }
        }
        done.complete(new LaneReport(joined, failed, neverStarted, dropped, firstStart, lastJoined, stages, new LinkedHashMap<>(reasons), List.copyOf(firstFailures), List.copyOf(firstDrops),
          framesIn, unrouted));
      });
      return done.future();
    }

    /** userId → how many of this lane's tabs joined {@code room} (and are still open). */
    Future<Map<String, Integer>> joinedTabs(String room) {
      Promise<Map<String, Integer>> done = Promise.promise();
      context.runOnContext(v -> {
        Map<String, Integer> users = new HashMap<>();
        for (Tab tab : tabs) {
          if (tab.stage == Stage.JOINED && tab.room.equals(room) && !tab.socket.isClosed()) {
            users.merge(tab.userId, 1, Integer::sum);
          }
        }
        done.complete(users);
      });
      return done.future();
    }

    /** rooms.state of {@code room}, fully read, asked by a joined member still open. */
    Future<JsonObject> roomState(String room) {
      Promise<JsonObject> done = Promise.promise();
      context.runOnContext(v -> {
        Tab asker = tabs.stream().filter(t -> t.stage == Stage.JOINED && t.room.equals(room) && !t.socket.isClosed())
          .findFirst().orElse(null);
        if (asker == null) {
          done.fail("no joined tab of " + room + " left open on this lane");
          return;
        }
        asker.socket.request("rooms.state", new JsonObject().put("room", room))
          .map(reply -> reply.json().getJsonObject("body"))
          .onComplete(done);
      });
      return done.future();
    }

    /** Closes every connection; completes when all are closed. */
    Future<Void> closeAll() {
      Promise<Void> done = Promise.promise();
      context.runOnContext(v -> {
        stopping = true;
        vertx.cancelTimer(timer);
        List<Future<Void>> closing = new ArrayList<>();
        for (Tab tab : connected) {
          closing.add(tab.socket.close().recover(e -> Future.succeededFuture()));
        }
        Future.join(closing).<Void>mapEmpty().onComplete(done);
      });
      return done.future();
    }
  }

  public static void main(String[] argv) {
    Generator.main("connect-storm", USAGE, argv, Settings::parse, ConnectStorm::storm);
  }

  private static int storm(Vertx vertx, Settings settings) {
    Generator.quietHttpClientLog();
    System.out.printf(Locale.ROOT, "connect storm: %d tabs (%d users), %s, nodes %s:%s, %d source addresses, "
        + "%d handshakes in flight, shared room %s, probe rooms.state of %s, %d lane(s)%n",
      settings.tabs(), settings.users(), settings.target().transportName(), settings.target().host(),
      settings.target().ports(), settings.sources().size(), settings.concurrency(), settings.describeRooms(),
      settings.probeShared() ? "its shared room" : "client-<sessionId>", settings.lanes());

    long signing = System.nanoTime();
    DevTokens tokens = DevTokens.create(vertx, settings.secret(), settings.tokenTtl());
    String run = Generator.runId();
    List<String> userTokens = new ArrayList<>(settings.users());
    for (int u = 0; u < settings.users(); u++) {
      userTokens.add(tokens.sign(userId(run, u), "Storm user " + u));
    }
    List<List<Tab>> perLane = new ArrayList<>();
    for (int l = 0; l < settings.lanes(); l++) {
      perLane.add(Lanes.share(l, settings.lanes(), settings.tabs()).stream().map(i -> {
        int user = i % settings.users();
        return new Tab(i, userId(run, user), userTokens.get(user), settings.sharedRoom(i));
      }).toList());
    }
    System.out.printf(Locale.ROOT, "signed %d tokens in %s%n", settings.users(), Latencies.ms((System.nanoTime() - signing) / 1e6));

    List<WebSocketClient> clients = new ArrayList<>();
    for (String source : settings.sources()) {
      clients.add(vertx.createWebSocketClient(new WebSocketClientOptions()
        .setLocalAddress(source)
        .setMaxConnections(settings.tabs() + 16)
        .setConnectTimeout((int) TimeUnit.SECONDS.toMillis(settings.tabTimeoutSeconds()))
        .setMaxFrameSize(settings.maxMessageBytes())
        .setMaxMessageSize(settings.maxMessageBytes())));
    }
    AtomicInteger joinedCount = new AtomicInteger();
    AtomicInteger failedCount = new AtomicInteger();
    List<Lane> lanes = Lanes.deploy(vertx, settings.lanes(), l -> {
      int budget = settings.concurrency() / settings.lanes() + (l < settings.concurrency() % settings.lanes() ? 1 : 0);
      return new Lane(settings, perLane.get(l), clients, Math.max(1, budget), joinedCount, failedCount);
    });

    CpuMeter cpu = new CpuMeter();
    long began = System.nanoTime();
    Future<?> stormDone = Future.all(lanes.stream().map(Lane::storm).toList());
    boolean aborted = false;
    long deadline = began + TimeUnit.SECONDS.toNanos(settings.timeoutSeconds());
    long nextProgress = began + TimeUnit.SECONDS.toNanos(2);
    while (!stormDone.isComplete()) {
      long now = System.nanoTime();
      if (now >= deadline) {
        aborted = true;
        break;
      }
      if (now >= nextProgress) {
        System.err.printf(Locale.ROOT, "  %5.1f s  joined %d  failed %d  of %d%n",
          (now - began) / 1e9, joinedCount.get(), failedCount.get(), settings.tabs());
        nextProgress = now + TimeUnit.SECONDS.toNanos(2);
      }
      Generator.sleep(Math.min(100, Math.max(1, (deadline - now) / 1_000_000)));
    }
    long stormEnded = System.nanoTime();
    String cpuDuringStorm = cpu.summary(stormEnded - began);
    if (aborted) {
      String why = "aborted: the overall timeout (" + settings.timeoutSeconds() + " s) struck";
      System.err.println("connect-storm: " + why + " with " + joinedCount.get() + " of " + settings.tabs()
        + " tabs joined; reporting what was measured");
      for (Lane lane : lanes) {
        Futures.await(lane.abort(why), 30, "aborting");
      }
    }

    JsonObject presence = null;
    if (settings.verify() && !aborted && joinedCount.get() > 0) {
      presence = verifyPresence(lanes, settings.sharedRoom(0));
    }
    if (settings.holdSeconds() > 0) {
      System.out.printf("holding %d connections open for %d s%n", joinedCount.get(), settings.holdSeconds());
      Generator.sleep(TimeUnit.SECONDS.toMillis(settings.holdSeconds()));
    }

    List<LaneReport> reports = new ArrayList<>();
    for (Lane lane : lanes) {
      reports.add(Futures.await(lane.report(), 30, "collecting results"));
    }
    long closing = System.nanoTime();
    boolean closedAll = true;
    for (Lane lane : lanes) {
      closedAll &= awaitQuietly(lane.closeAll(), 20);
    }
    double closeMs = (System.nanoTime() - closing) / 1e6;

    return report(settings, reports, aborted, presence, closeMs, closedAll, cpuDuringStorm, began);
  }

  private static String userId(String run, int user) {
    return "storm-" + run + "-" + user;
  }

  /**
   * Asks one shared room's state once, after the storm: does it list every user whose tabs
   * joined it, with exactly that many connections — across nodes, when clustered?
   */
  private static JsonObject verifyPresence(List<Lane> lanes, String room) {
    Map<String, Integer> expected = new HashMap<>();
    for (Lane lane : lanes) {
      Futures.await(lane.joinedTabs(room), 30, "counting joined tabs").forEach((user, n) -> expected.merge(user, n, Integer::sum));
    }
    int expectedConnections = expected.values().stream().mapToInt(Integer::intValue).sum();
    String error = "no lane had a joined tab left open";
    for (Lane lane : lanes) {
      try {
        JsonObject state = Futures.await(lane.roomState(room), 30, "rooms.state " + room);
        JsonArray members = state.getJsonArray("members", new JsonArray());
        int ours = 0;
        long connections = 0;
        int wrongCounts = 0;
        for (Object entry : members) {
          JsonObject member = (JsonObject) entry;
          Integer tabs = expected.get(member.getString("userId"));
          if (tabs != null) {
            ours++;
            long n = member.getLong("connections", 0L);
            connections += n;
            wrongCounts += n == tabs ? 0 : 1;
          }
        }
        boolean ok = ours == expected.size() && connections == expectedConnections && wrongCounts == 0;
        return new JsonObject().put("room", room).put("members", members.size()).put("ourUsers", ours)
          .put("expectedUsers", expected.size()).put("connections", connections)
          .put("expectedConnections", expectedConnections).put("ok", ok);
      } catch (IllegalStateException e) {
        error = e.getMessage();
      }
    }
    return new JsonObject().put("room", room).put("ok", false).put("error", error);
  }

  private static int report(Settings settings, List<LaneReport> reports, boolean aborted, JsonObject presence,
                            double closeMs, boolean closedAll, String cpuDuringStorm, long began) {
    LaneReport all = reports.stream().reduce(new LaneReport(0, 0, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE, new Stages(),
      Map.of(), List.of(), List.of(), 0, 0), LaneReport::plus);
    Stages stages = all.stages();
    Latencies total = stages.total();
    Map<String, Integer> reasons = all.reasons();
    List<Incident> failures = new ArrayList<>(all.firstFailures());
    List<Incident> drops = new ArrayList<>(all.firstDrops());
    int joined = all.joined();
    int failed = all.failed();
    int neverStarted = all.neverStarted();
    int dropped = all.dropped();
    long framesIn = all.framesIn();
    long unrouted = all.unrouted();
    failures.sort(Comparator.comparingLong(Incident::at));
    drops.sort(Comparator.comparingLong(Incident::at));
    double wallMs = joined == 0 ? 0 : (all.lastJoined() - all.firstStart()) / 1e6;
    double rate = wallMs > 0 ? joined / (wallMs / 1000) : 0;

    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%n%s%n", aborted ? "ABORTED by the overall timeout: partial results" : "connect storm done"));
    out.append(String.format(Locale.ROOT, "  joined        %d of %d tabs (%d failed, %d never started, %d dropped after joining)%n",
      joined, settings.tabs(), failed, neverStarted, dropped));
    out.append(String.format(Locale.ROOT, "  wall time     %s  first connect -> last tab joined%n", Latencies.ms(wallMs)));
    out.append(String.format(Locale.ROOT, "  rate          %.0f tabs/s%n", rate));
    out.append(String.format(Locale.ROOT, "  per tab       %s   connect -> joined%n", total.summary()));
    out.append(String.format(Locale.ROOT, "    upgrade     %s%n", stages.connect().summary()));
    if (settings.target().transport() == Transport.SOCKJS) {
      out.append(String.format(Locale.ROOT, "    sockjs o    %s%n", stages.open().summary()));
    }
    out.append(String.format(Locale.ROOT, "    auth        %s%n", stages.auth().summary()));
    out.append(String.format(Locale.ROOT, "    join+state  %s%n", stages.join().summary()));
    if (!reasons.isEmpty()) {
      out.append("  failures by reason:\n");
      reasons.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(10)
        .forEach(e -> out.append(String.format(Locale.ROOT, "    %6d  %s%n", e.getValue(), e.getKey())));
      out.append("  first failures:\n");
      failures.stream().limit(FIRST_FEW).forEach(i -> out.append("    ").append(i.describe(began)).append('\n'));
    }
    if (!drops.isEmpty()) {
      out.append("  first drops after joining:\n");
      drops.stream().limit(FIRST_FEW).forEach(i -> out.append("    ").append(i.describe(began)).append('\n'));
    }
    if (presence != null) {
      out.append(String.format(Locale.ROOT, "  presence      %s%n", presence.getBoolean("ok", false)
        ? "ok: rooms.state " + presence.getValue("room") + " lists all " + presence.getValue("expectedUsers")
          + " users with " + presence.getValue("connections") + " connections"
        : "MISMATCH: " + presence.encode()));
    }
    out.append(String.format(Locale.ROOT, "  frames in     %d (%d not waited for)%n", framesIn, unrouted));
    out.append(String.format(Locale.ROOT, "  close         %s to close all connections%s%n", Latencies.ms(closeMs),
      closedAll ? "" : " (gave up waiting after 20 s)"));
    out.append(String.format(Locale.ROOT, "  client        %s%n", cpuDuringStorm));
    System.out.print(out);

    JsonObject json = new JsonObject()
      .put("benchmark", "connect-storm")
      .put("label", settings.label())
      .put("transport", settings.target().transportName())
      .put("tabs", settings.tabs())
      .put("users", settings.users())
      .put("ports", new JsonArray(new ArrayList<>(settings.target().ports())))
      .put("sources", settings.sources().size())
      .put("concurrency", settings.concurrency())
      .put("room", settings.room())
      .put("rooms", settings.rooms())
      .put("probe", settings.probeShared() ? "shared" : "client")
      .put("joined", joined)
      .put("failed", failed)
      .put("neverStarted", neverStarted)
      .put("dropped", dropped)
      .put("aborted", aborted)
      .put("wallMs", Latencies.round(wallMs))
      .put("tabsPerSecond", Latencies.round(rate))
      .put("p50Ms", total.count() == 0 ? null : Latencies.round(total.percentileMs(50)))
      .put("p99Ms", total.count() == 0 ? null : Latencies.round(total.percentileMs(99)))
      .put("perTab", total.toJson())
      .put("stages", new JsonObject().put("upgrade", stages.connect().toJson()).put("sockjsOpen", stages.open().toJson())
        .put("auth", stages.auth().toJson()).put("joinAndState", stages.join().toJson()))
      .put("failureReasons", new JsonObject(new LinkedHashMap<>(reasons)))
      .put("firstFailures", new JsonArray(failures.stream().limit(FIRST_FEW).map(i -> i.toJson(began)).toList()))
      .put("firstDrops", new JsonArray(drops.stream().limit(FIRST_FEW).map(i -> i.toJson(began)).toList()))
      .put("presence", presence)
      .put("framesIn", framesIn)
      .put("closeMs", Latencies.round(closeMs))
      .put("client", new JsonObject().put("summary", cpuDuringStorm).put("lanes", settings.lanes()));
    System.out.println(json.encode());
    System.out.flush();
    if (aborted) {
      return 2;
    }
    return failed > 0 || dropped > 0 || neverStarted > 0 || (presence != null && !presence.getBoolean("ok", false)) ? 1 : 0;
  }

  /** The generator's own CPU and GC time over the storm, to show it was not the bottleneck. */
  private static final class CpuMeter {
    private final long cpuAtStart = processCpuNanos();
    private final long gcAtStart = gcMillis();

    String summary(long wallNanos) {
      long cpu = processCpuNanos() - cpuAtStart;
      long gc = gcMillis() - gcAtStart;
      Runtime rt = Runtime.getRuntime();
      long heapMb = (rt.totalMemory() - rt.freeMemory()) >> 20;
      return String.format(Locale.ROOT, "generator used %.1f s CPU over %.1f s of storm (%.0f%% of one core), GC %d ms, heap %d MiB",
        cpu / 1e9, wallNanos / 1e9, wallNanos > 0 ? 100.0 * cpu / wallNanos : 0, gc, heapMb);
    }

    private static long processCpuNanos() {
      if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
        return os.getProcessCpuTime();
      }
      return 0;
    }

    private static long gcMillis() {
      long total = 0;
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        total += Math.max(0, gc.getCollectionTime());
      }
      return total;
    }
  }

  private static boolean awaitQuietly(Future<?> future, long seconds) {
    try {
      Futures.await(future, seconds, "");
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }
}
