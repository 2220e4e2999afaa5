package io.parley.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fan-out (issue 4): N subscribers of one room and one publisher, against Parley (SockJS
 * websocket, {@code auth.authenticate}, {@code register room.<r>}, publisher {@code rooms.publish}),
 * the naive Vert.x broadcaster ({@link NaiveBroadcaster}) or Socket.IO 4.8.4
 * ({@code bench/socketio/server.js}, an Engine.IO v4 / Socket.IO v5 client spoken here).
 *
 * <p>Every payload is {@code data} of {@code --payload} characters: {@code pb#<seq>,<stamp>,xxx…}.
 * {@code --mode loop}: the publisher keeps at most {@code --window} messages not yet delivered to
 * every live subscriber, and deliveries/s are counted over {@code --duration} s after
 * {@code --warmup} s. {@code --mode rate}: {@code --rate} deliveries/s, i.e. one publish every
 * subscribers/rate seconds, each stamped with its scheduled send time (no coordinated omission);
 * latency = receive time − scheduled time for every delivery of a message scheduled in the window.
 * Prints a summary and one JSON line {@code {"benchmark":"fan-out",...}}.
 */
public final class FanOut {

  private static final String USAGE = """
    usage: java -cp parley-bench.jar io.parley.bench.FanOut --server parley|naive|socketio [options]
      --port P              server port (default 8080); the publisher's
      --ports P1,P2,...     Parley: subscribers spread round-robin over these nodes' ports (default: --port)
      --transport T         Parley subscribers: sockjs (default), raw (/eventbus/websocket) or mixed (every other one raw)
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
      --room NAME           (default votes-fanout; Parley's claims policy lets any user join votes-*)
      --sources N           loopback source addresses 127.0.0.1..N (default 8)
      --concurrency N       handshakes in flight (default 200)
      --lanes N             event loops (default: available processors)
      --ping-ms MS          Parley client ping interval (default 5000)
      --conf FILE           auth.jwt.secret from FILE (default conf/default.json); --secret S
      --timeout S           abort after S seconds (default 300)
      --label TEXT
      --server-pid PID      the server's pid: its CPU over the window is reported (/proc/PID/stat)
    """;

  static final String MARK = "pb#";
  static final int RING = 1 << 16;

  enum Server { PARLEY, NAIVE, SOCKETIO }

  record Settings(Server server, String host, int port, List<Integer> ports, String transport, int subscribers, boolean loop, int window, int rate,
                  int warmup, int duration, int payload, String room, List<String> sources, int concurrency,
                  int lanes, int pingMs, String secret, int timeout, String label, long serverPid, boolean idle) {
    static Settings parse(String[] argv) {
      Args args = new Args(argv);
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
      if (!List.of("sockjs", "raw", "mixed").contains(transport)) {
        throw new Args.UsageException("--transport must be sockjs, raw or mixed");
      }
      if (server != Server.PARLEY && (ports.size() > 1 || !transport.equals("sockjs"))) {
        throw new Args.UsageException("--ports and --transport are for --server parley");
      }
      int subs = args.integer("subscribers", 1000, 1, 1_000_000);
      String mode = args.string("mode", "loop");
      if (!mode.equals("loop") && !mode.equals("rate") && !mode.equals("idle")) {
        throw new Args.UsageException("--mode must be loop, rate or idle");
      }
      int window = args.integer("window", 64, 1, RING / 4);
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
      int lanes = args.integer("lanes", Runtime.getRuntime().availableProcessors(), 1, 64);
      int pingMs = args.integer("ping-ms", 5000, 100, 600_000);
      String conf = args.string("conf", "conf/default.json");
      String secret = args.string("secret", null);
      int timeout = args.integer("timeout", 300, 1, 86_400);
      String label = args.string("label", "");
      long serverPid = args.integer("server-pid", 0, 0, Integer.MAX_VALUE);
      args.rejectUnknown();
      if (server == Server.PARLEY && secret == null) {
        secret = DevTokens.secret(Path.of(conf), System.getenv());
      }
      return new Settings(server, host, port, ports, transport, subs, mode.equals("loop"), window, rate, warmup, duration, payload,
        room, List.copyOf(sources), concurrency, lanes, pingMs, secret, timeout, label, serverPid, mode.equals("idle"));
    }
  }

  // ---- shared measurement state (touched from every event loop) ----
  final Settings settings;
  final AtomicIntegerArray counts = new AtomicIntegerArray(RING);
  final AtomicIntegerArray expected = new AtomicIntegerArray(RING);
  final AtomicIntegerArray done = new AtomicIntegerArray(RING);
  /** Fixed rate: per message slot, its scheduled time (set by the publisher) and its slowest and fastest delivery so far. */
  final AtomicLongArray slotStamp = new AtomicLongArray(RING);
  final AtomicLongArray slotSlowest = new AtomicLongArray(RING);
  final AtomicLongArray slotFastest = new AtomicLongArray(RING);
  /** Fixed rate: {scheduled time, slowest delivery, fastest delivery} of each message, once complete (window picked out at the end). */
  final ConcurrentLinkedQueue<long[]> messageTails = new ConcurrentLinkedQueue<>();
  final LongAdder delivered = new LongAdder();
  final AtomicLong completed = new AtomicLong();
  final AtomicInteger live = new AtomicInteger();
  final AtomicInteger joined = new AtomicInteger();
  final AtomicInteger ready = new AtomicInteger();
  final AtomicInteger failed = new AtomicInteger();
  final AtomicInteger dropped = new AtomicInteger();
  final AtomicInteger serverErrors = new AtomicInteger();
  final Map<String, AtomicInteger> reasons = new ConcurrentHashMap<>();
  final ConcurrentLinkedQueue<String> firstReasons = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<Deliveries> recorders = new ConcurrentLinkedQueue<>();
  final ThreadLocal<Deliveries> recorder = ThreadLocal.withInitial(() -> {
    Deliveries d = new Deliveries(recorderCapacity());
    recorders.add(d);
    return d;
  });

  /** A lane's share of the deliveries a fixed-rate run records (warm-up, window and drain), with room to spare. */
  int recorderCapacity() {
    if (settings.loop()) {
      return 1 << 10;
    }
    long total = (long) settings.rate() * (settings.warmup() + settings.duration() + 10);
    return (int) Math.min(1 << 28, total * 5 / 4 / settings.lanes() + (1 << 12));
  }

  /**
   * Fixed rate: every tracked delivery's scheduled time and latency, warm-up included, kept
   * per reading thread. The window is picked out at the end: a branch that first turns true at
   * the window's start would make the JIT recompile this hot path just as measuring begins.
   */
  static final class Deliveries {
    private long[] stamps;
    private long[] latencies;
    private int count;

    Deliveries(int capacity) {
      stamps = new long[capacity];
      latencies = new long[capacity];
    }

    void add(long stamp, long latency) {
      if (count == stamps.length) {
        stamps = Arrays.copyOf(stamps, count * 2);
        latencies = Arrays.copyOf(latencies, count * 2);
      }
      stamps[count] = stamp;
      latencies[count++] = latency;
    }

    /** Adds to {@code into} the latencies of deliveries scheduled in [from, to). */
    void window(long from, long to, Latencies into) {
      for (int i = 0; i < count; i++) {
        if (stamps[i] >= from && stamps[i] < to) {
          into.add(latencies[i]);
        }
      }
    }
  }
  volatile long windowStart = Long.MAX_VALUE;
  volatile long windowEnd = Long.MAX_VALUE;
  java.time.Instant windowStartWall;
  volatile Runnable onComplete = () -> { };
  DevTokens tokens;

  FanOut(Settings settings) {
    this.settings = settings;
  }

  void reason(String kind, String detail) {
    reasons.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    if (firstReasons.size() < 8) {
      firstReasons.add(kind + ": " + detail);
    }
  }

  /**
   * Every payload mark in a message, read from its bytes (no UTF-8 decoding): probes ({@code pb#P})
   * mark the subscriber ready, tracked messages count. False when no mark was found.
   */
  boolean onBytes(Sub sub, Buffer buffer) {
    byte[] b = buffer.getBytes();
    int n = b.length;
    boolean found = false;
    int i = 0;
    while (i + 3 <= n) {
      if (b[i] != 'p' || b[i + 1] != 'b' || b[i + 2] != '#') {
        i++;
        continue;
      }
      found = true;
      int p = i + 3;
      if (p < n && b[p] == 'P') {
        sub.seen();
        i = p;
        continue;
      }
      long now = System.nanoTime();
      long seq = 0;
      while (p < n && b[p] >= '0' && b[p] <= '9') {
        seq = seq * 10 + (b[p++] - '0');
      }
      p++;
      long stamp = 0;
      while (p < n && b[p] >= '0' && b[p] <= '9') {
        stamp = stamp * 10 + (b[p++] - '0');
      }
      sub.seen();
      delivered.increment();
      int slot = (int) (seq & (RING - 1));
      if (!settings.loop()) {
        recorder.get().add(stamp, now - stamp);
        slotSlowest.accumulateAndGet(slot, now - stamp, Math::max);
        slotFastest.accumulateAndGet(slot, now - stamp, Math::min);
      }
      if (counts.incrementAndGet(slot) == expected.get(slot)) {
        complete(slot);
      }
      i = p;
    }
    return found;
  }

  void complete(int slot) {
    if (done.compareAndSet(slot, 0, 1)) {
      if (!settings.loop()) {
        messageTails.add(new long[] {slotStamp.get(slot), slotSlowest.get(slot), slotFastest.get(slot)});
      }
      completed.incrementAndGet();
      onComplete.run();
    }
  }

  // ---- subscribers ----

  /** One subscriber connection; lives on its lane's event loop. */
  abstract class Sub {
    WebSocket ws;
    boolean joinedFlag;
    boolean seenFlag;
    boolean closedByUs;

    abstract String uri();

    /** The server port this subscriber connects to. */
    int port() {
      return settings.port();
    }

    /** Takes over the websocket; calls {@code joinedNow} once a member. */
    abstract void start(Promise<Void> joinedNow);

    void seen() {
      if (!seenFlag) {
        seenFlag = true;
        ready.incrementAndGet();
      }
    }

    void markJoined(Promise<Void> p) {
      if (!joinedFlag) {
        joinedFlag = true;
        joined.incrementAndGet();
        live.incrementAndGet();
        p.tryComplete();
      }
    }

    void onClose(Promise<Void> p) {
      if (closedByUs) {
        return;
      }
      String why = "close " + ws.closeStatusCode() + (ws.closeReason() == null ? "" : " " + ws.closeReason());
      if (joinedFlag) {
        live.decrementAndGet();
        dropped.incrementAndGet();
        reason("dropped: " + why, "");
      } else {
        p.tryFail(why);
      }
    }
  }

  final class NaiveSub extends Sub {
    String uri() {
      return "/ws?room=" + settings.room() + (settings.idle() ? "," + UUID.randomUUID() : "");
    }

    void start(Promise<Void> p) {
      ws.handler(buffer -> {
        if (buffer.length() == 2 && buffer.getByte(0) == 'o' && buffer.getByte(1) == 'k') {
          markJoined(p);
        } else {
          onBytes(this, buffer);
        }
      });
      ws.closeHandler(v -> onClose(p));
    }
  }

  final class SocketIoSub extends Sub {
    String uri() {
      return "/socket.io/?EIO=4&transport=websocket";
    }

    void start(Promise<Void> p) {
      ws.handler(buffer -> {
        if (buffer.length() > 2 && buffer.getByte(0) == '4' && buffer.getByte(1) == '2') {
          onBytes(this, buffer);
          return;
        }
        String text = buffer.toString(StandardCharsets.UTF_8);
        if (text.equals("2")) {
          ws.writeTextMessage("3");
        } else if (text.startsWith("0{")) {
          ws.writeTextMessage("40");
        } else if (text.startsWith("40")) {
          ws.writeTextMessage("420" + new JsonArray().add("join").add(settings.room()).encode());
        } else if (text.startsWith("430")) {
          if (settings.idle()) {
            ws.writeTextMessage("421" + new JsonArray().add("join").add(UUID.randomUUID().toString()).encode());
          } else {
            markJoined(p);
          }
        } else if (text.startsWith("431")) {
          markJoined(p);
        } else if (text.startsWith("44")) {
          reason("socket.io connect_error", text);
          p.tryFail(text);
        }
      });
      ws.closeHandler(v -> onClose(p));
    }
  }

  final class ParleySub extends Sub {
    final String sessionId = UUID.randomUUID().toString();
    final String authReply = UUID.randomUUID().toString();
    final String stateReply = UUID.randomUUID().toString();
    final String token;
    final Transport transport;
    final int port;
    /** How an err frame looks on this transport: SockJS carries each frame as an escaped JSON string. */
    final String errMark;
    int state;
    long pingTimer = -1;

    ParleySub(int index) {
      token = tokens.sign("fan-" + index, "fan " + index);
      transport = switch (settings.transport()) {
        case "raw" -> Transport.RAW;
        case "mixed" -> index % 2 == 0 ? Transport.SOCKJS : Transport.RAW;
        default -> Transport.SOCKJS;
      };
      port = settings.ports().get(index % settings.ports().size());
      errMark = transport == Transport.RAW ? "\"type\":\"err\"" : "\\\"type\\\":\\\"err\\\"";
    }

    @Override
    int port() {
      return port;
    }

    String uri() {
      return transport.path("/eventbus");
    }

    void send(JsonObject frame) {
      ws.writeTextMessage(transport.wrap(frame.encode()));
    }

    void start(Promise<Void> p) {
      ws.handler(buffer -> {
        if (buffer.length() == 0) {
          return;
        }
        byte first = buffer.getByte(0);
        // deliveries: an a[...] array of frames (SockJS) or one {...} frame per message (raw)
        if (state == 2 && (first == 'a' || first == '{') && onBytes(this, buffer)) {
          return;
        }
        String text = buffer.toString(StandardCharsets.UTF_8);
        switch (text.charAt(0)) {
          case 'o' -> authenticate();
          case 'a', '{' -> onFrames(text, p);
          case 'c' -> reason("sockjs close frame", text);
          default -> { }
        }
      });
      Vertx lane = Vertx.currentContext().owner();
      ws.closeHandler(v -> {
        lane.cancelTimer(pingTimer);
        onClose(p);
      });
      // every socket pings on its own clock from its connect on, as the client's setInterval does:
      // a shared tick would send the pings of all the sockets that connected in one second together
      pingTimer = lane.setPeriodic(settings.pingMs(), id -> ws.writeTextMessage(transport.wrap("{\"type\":\"ping\"}")));
      if (transport == Transport.RAW) {
        authenticate(); // no open frame on the raw endpoint
      }
    }

    void authenticate() {
      state = 1;
      send(new JsonObject().put("type", "send").put("address", "auth.authenticate")
        .put("body", new JsonObject().put("token", token).put("sessionId", sessionId))
        .put("replyAddress", authReply));
    }

    void onFrames(String text, Promise<Void> p) {
      if (text.contains(errMark)) {
        serverErrors.incrementAndGet();
        reason("parley err frame", text.length() > 300 ? text.substring(0, 300) : text);
        if (state == 1) {
          p.tryFail("auth refused");
          return;
        }
      }
      if (state == 1 && text.contains(authReply)) {
        state = 2;
        send(new JsonObject().put("type", "register").put("address", "room." + settings.room()));
        if (settings.idle()) {
          // a second room, and rooms.state as the "both registers are decided" signal
          send(new JsonObject().put("type", "register").put("address", "room.client-" + sessionId));
          send(new JsonObject().put("type", "send").put("address", "rooms.state")
            .put("body", new JsonObject().put("room", "client-" + sessionId)).put("replyAddress", stateReply));
        } else {
          markJoined(p); // confirmed by the probe phase (a delivery reaches it)
        }
      } else if (state == 2 && settings.idle() && text.contains(stateReply)) {
        markJoined(p);
      }
    }
  }

  Sub newSub(int index) {
    return switch (settings.server()) {
      case PARLEY -> new ParleySub(index);
      case NAIVE -> new NaiveSub();
      case SOCKETIO -> new SocketIoSub();
    };
  }

  /** A share of the subscribers on one event loop. */
  final class Lane extends VerticleBase {
    final List<Sub> subs = new ArrayList<>();
    final List<WebSocketClient> clients;
    final int budget;
    final Promise<Void> allSettled = Promise.promise();
    int next;
    int inFlight;
    int settled;

    Lane(List<WebSocketClient> clients, int budget) {
      this.clients = clients;
      this.budget = budget;
    }

    /** Runs {@code action} on this lane's event loop. */
    Future<Void> onLoop(Runnable action) {
      Promise<Void> done = Promise.promise();
      context.runOnContext(v -> {
        action.run();
        done.complete();
      });
      return done.future();
    }

    Future<Void> connectAll() {
      context.runOnContext(v -> {
        if (subs.isEmpty()) {
          allSettled.tryComplete();
        }
        pump();
      });
      return allSettled.future();
    }

    void pump() {
      while (inFlight < budget && next < subs.size()) {
        Sub sub = subs.get(next);
        WebSocketClient client = clients.get(next % clients.size());
        next++;
        inFlight++;
        Promise<Void> p = Promise.promise();
        p.future().onComplete(ar -> {
          if (ar.failed()) {
            failed.incrementAndGet();
            reason("connect/join failed", String.valueOf(ar.cause()));
          }
          inFlight--;
          settled++;
          if (settled == subs.size()) {
            allSettled.tryComplete();
          }
          pump();
        });
        vertx.setTimer(60_000, id -> p.tryFail("not joined in 60 s"));
        client.connect(new WebSocketConnectOptions().setHost(settings.host()).setPort(sub.port()).setURI(sub.uri()))
          .onComplete(ar -> {
            if (ar.failed()) {
              p.tryFail(ar.cause());
              return;
            }
            sub.ws = ar.result();
            sub.start(p);
          });
      }
    }

    Future<Void> closeAll() {
      return onLoop(() -> {
        for (Sub s : subs) {
          if (s.ws != null && !s.ws.isClosed()) {
            s.closedByUs = true;
            s.ws.close();
          }
        }
      });
    }
  }

  // ---- the publisher ----

  final class Publisher extends VerticleBase {
    final WebSocketClient client;
    WebSocket ws;
    BridgeSocket bridge;
    long seq;
    volatile long sent;
    long nextDue;
    long interval;
    boolean running;
    long publishErrors;
    final String padding;

    Context ctx() {
      return context;
    }

    Publisher(WebSocketClient client) {
      this.client = client;
      this.padding = "x".repeat(settings.payload());
    }

    @Override
    public Future<?> start() {
      String uri = switch (settings.server()) {
        case PARLEY -> Transport.SOCKJS.path("/eventbus");
        case NAIVE -> "/ws?room=" + settings.room() + "&pub=1";
        case SOCKETIO -> "/socket.io/?EIO=4&transport=websocket";
      };
      return client.connect(new WebSocketConnectOptions().setHost(settings.host()).setPort(settings.port()).setURI(uri))
        .compose(socket -> {
          ws = socket;
          ws.closeHandler(v -> reason("publisher closed", ws.closeStatusCode() + " " + ws.closeReason()));
          switch (settings.server()) {
            case PARLEY -> {
              bridge = BridgeSocket.wrap(socket, Transport.SOCKJS);
              vertx.setPeriodic(settings.pingMs(), id -> bridge.ping());
              bridge.errorHandler(f -> {
                publishErrors++;
                reason("publisher err", String.valueOf(f));
              });
              return bridge.opened().compose(v -> bridge.request("auth.authenticate",
                new JsonObject().put("token", tokens.sign("fan-publisher", "publisher"))
                  .put("sessionId", UUID.randomUUID().toString()))).mapEmpty();
            }
            case SOCKETIO -> {
              Promise<Void> connected = Promise.promise();
              ws.textMessageHandler(text -> {
                if (text.equals("2")) {
                  ws.writeTextMessage("3");
                } else if (text.startsWith("0{")) {
                  ws.writeTextMessage("40");
                } else if (text.startsWith("40")) {
                  connected.tryComplete();
                }
              });
              return connected.future();
            }
            default -> {
              return Future.succeededFuture();
            }
          }
        });
    }

    String data(String seqText, long stamp) {
      String head = MARK + seqText + "," + stamp + ",";
      return head + padding.substring(0, Math.max(0, settings.payload() - head.length()));
    }

    void publish(String data) {
      switch (settings.server()) {
        case PARLEY -> bridge.request("rooms.publish", new JsonObject().put("room", settings.room())
            .put("event", "chat.new-message").put("data", data))
          .onFailure(e -> {
            publishErrors++;
            reason("rooms.publish failed", String.valueOf(e));
          });
        case NAIVE -> ws.writeTextMessage(data);
        case SOCKETIO -> ws.writeTextMessage("42" + new JsonArray().add("publish")
          .add(new JsonObject().put("room", settings.room()).put("data", data)).encode());
      }
    }

    void probe() {
      publish(data("P", 0));
    }

    void sendTracked(long stamp) {
      int slot = (int) (seq & (RING - 1));
      counts.set(slot, 0);
      slotStamp.set(slot, stamp);
      slotSlowest.set(slot, 0);
      slotFastest.set(slot, Long.MAX_VALUE);
      done.set(slot, 0);
      expected.set(slot, live.get());
      publish(data(Long.toString(seq), stamp));
      seq++;
      sent++;
    }

    void pump() {
      while (running && sent - completed.get() < settings.window()) {
        sendTracked(System.nanoTime());
      }
    }

    /** Completes in-flight messages whose count reached the live subscribers after drops. */
    void sweep() {
      int liveNow = live.get();
      for (long s = Math.max(0, seq - RING / 2); s < seq; s++) {
        int slot = (int) (s & (RING - 1));
        if (done.get(slot) == 0 && counts.get(slot) >= liveNow) {
          complete(slot);
        }
      }
    }

    void startLoop() {
      running = true;
      onComplete = () -> context.runOnContext(v -> pump());
      vertx.setPeriodic(100, id -> {
        if (running) {
          sweep();
          pump();
        }
      });
      pump();
    }

    void startRate(long origin) {
      running = true;
      interval = (long) (1e9 * settings.subscribers() / settings.rate());
      nextDue = origin;
      vertx.setPeriodic(1, id -> {
        long now = System.nanoTime();
        while (running && nextDue <= now) {
          sendTracked(nextDue);
          nextDue += interval;
        }
      });
    }
  }

  // ---- the run ----

  static <T> T await(Future<T> future, long seconds, String what) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(what + ": no answer in " + seconds + " s");
    }
  }

  public static void main(String[] argv) throws Exception {
    Settings settings;
    try {
      if (List.of(argv).contains("--help")) {
        System.out.print(USAGE);
        return;
      }
      settings = Settings.parse(argv);
    } catch (Args.UsageException e) {
      System.err.println(e.getMessage());
      System.err.print(USAGE);
      System.exit(64);
      return;
    }
    java.util.logging.Logger.getLogger("io.vertx.core.http.impl").setLevel(java.util.logging.Level.SEVERE);
    int status;
    try {
      status = new FanOut(settings).run();
    } catch (Exception e) {
      e.printStackTrace();
      status = 2; // Vert.x threads would keep the JVM alive otherwise
    }
    System.exit(status);
  }

  int run() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.timeout());
    GcPauses gcPauses = GcPauses.listen();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(settings.lanes() + 1));
    if (settings.server() == Server.PARLEY) {
      tokens = DevTokens.create(vertx, settings.secret(), 3600);
    }
    List<WebSocketClient> clients = new ArrayList<>();
    for (String source : settings.sources()) {
      clients.add(vertx.createWebSocketClient(new WebSocketClientOptions()
        .setLocalAddress(source)
        .setMaxConnections(settings.subscribers() + 16)
        .setConnectTimeout(30_000)
        .setMaxFrameSize(64 << 20)
        .setMaxMessageSize(64 << 20)));
    }
    List<Lane> lanes = new ArrayList<>();
    int budget = Math.max(1, settings.concurrency() / settings.lanes());
    for (int l = 0; l < settings.lanes(); l++) {
      Lane lane = new Lane(clients, budget);
      await(vertx.deployVerticle(lane), 30, "lane");
      lanes.add(lane);
    }
    for (int i = 0; i < settings.subscribers(); i++) {
      lanes.get(i % lanes.size()).subs.add(newSub(i));
    }
    long[] before = settings.idle() ? memory() : null;
    long t0 = System.nanoTime();
    List<Future<Void>> all = new ArrayList<>();
    lanes.forEach(l -> all.add(l.connectAll()));
    await(Future.all(all), Math.max(1, Futures.secondsLeft(deadline)), "connecting subscribers");
    double connectSeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "%s: %d/%d subscribers joined in %.1f s (%d failed)%n", settings.server(),
      joined.get(), settings.subscribers(), connectSeconds, failed.get());

    if (settings.idle()) {
      Thread.sleep(3000);
      long[] after = memory();
      int n = Math.max(1, joined.get());
      double heapPer = (after[0] - before[0]) / (double) n;
      double rssPer = (after[1] - before[1]) / (double) n;
      System.out.printf(Locale.ROOT, "%s idle, %d connections joined to two rooms: heap after full GC %.1f -> %.1f MB "
          + "(%.0f bytes per connection), RSS %.1f -> %.1f MB (%.0f bytes per connection)%n", settings.server(), n,
        before[0] / 1e6, after[0] / 1e6, heapPer, before[1] / 1e6, after[1] / 1e6, rssPer);
      if (!reasons.isEmpty()) {
        System.out.println("problems: " + reasons);
        firstReasons.forEach(r -> System.out.println("  " + r));
      }
      JsonObject result = new JsonObject().put("benchmark", "fan-out").put("server", settings.server().name().toLowerCase(Locale.ROOT))
        .put("label", settings.label()).put("mode", "idle").put("subscribers", settings.subscribers()).put("transport", settings.transport()).put("nodes", settings.ports().size())
        .put("joined", joined.get()).put("failed", failed.get()).put("dropped", dropped.get())
        .put("heapBefore", before[0]).put("heapAfter", after[0]).put("rssBefore", before[1]).put("rssAfter", after[1])
        .put("heapPerConnection", Math.round(heapPer)).put("rssPerConnection", Math.round(rssPer))
        .put("incomplete", 0).put("problems", new JsonObject(new java.util.LinkedHashMap<>(reasons.entrySet().stream()
          .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> (Object) e.getValue().get())))));
      List<Future<Void>> closing = new ArrayList<>();
      lanes.forEach(l -> closing.add(l.closeAll()));
      await(Future.all(closing), 20, "closing");
      System.out.println(result.encode());
      vertx.close();
      return failed.get() == 0 && dropped.get() == 0 && joined.get() == settings.subscribers() ? 0 : 1;
    }

    Publisher publisher = new Publisher(clients.get(0));
    await(vertx.deployVerticle(publisher), 30, "publisher");

    // probe until every joined subscriber has received something (Parley: its register is done)
    long probeEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(90, Futures.secondsLeft(deadline)));
    while (ready.get() < joined.get() && System.nanoTime() < probeEnd) {
      Promise<Void> sentProbe = Promise.promise();
      publisher.ctx().runOnContext(v -> {
        publisher.probe();
        sentProbe.complete();
      });
      await(sentProbe.future(), 10, "probe");
      Thread.sleep(ready.get() * 2 > joined.get() ? 300 : 1000);
    }
    double readySeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "%d/%d subscribers received a probe %.1f s after the start%n", ready.get(), joined.get(),
      readySeconds);

    if (!settings.loop()) {
      // The generator must not pause while it measures: each lane's recorder is allocated now,
      // at its full size, and one full collection moves it and every connection's state to the
      // old generation, so a young collection in the window copies only what is in flight.
      List<Future<Void>> allocated = new ArrayList<>();
      lanes.forEach(l -> allocated.add(l.onLoop(recorder::get)));
      await(Future.all(allocated), 10, "allocating the recorders");
      System.gc();
    }
    long cpu0 = processCpu();
    // read once before the warm-up: the first read loads classes, work better done before
    // measuring than at the window's start
    serverTicks();
    long origin = System.nanoTime();
    windowStart = origin + TimeUnit.SECONDS.toNanos(settings.warmup());
    windowEnd = windowStart + TimeUnit.SECONDS.toNanos(settings.duration());
    // the window's start by the wall clock, to find it in the server's logs (-Xlog's time decoration)
    windowStartWall = java.time.Instant.ofEpochMilli(System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(settings.warmup()));
    publisher.ctx().runOnContext(v -> {
      if (settings.loop()) {
        publisher.startLoop();
      } else {
        publisher.startRate(origin);
      }
    });
    sleepUntil(windowStart);
    long d0 = delivered.sum();
    long c0 = completed.get();
    long w0 = System.nanoTime();
    long cpuW0 = processCpu();
    long srv0 = serverTicks();
    sleepUntil(windowEnd);
    long d1 = delivered.sum();
    long c1 = completed.get();
    long w1 = System.nanoTime();
    long cpuW1 = processCpu();
    long srv1 = serverTicks();
    Promise<Void> stopped = Promise.promise();
    publisher.ctx().runOnContext(v -> {
      publisher.running = false;
      stopped.complete();
    });
    await(stopped.future(), 10, "stopping the publisher");
    // drain: wait (bounded) for every message sent to reach its subscribers
    long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (completed.get() < publisher.sent && System.nanoTime() < drainEnd) {
      Thread.sleep(100);
    }
    long incomplete = publisher.sent - completed.get();
    double windowS = (w1 - w0) / 1e9;
    double deliveriesPerSecond = (d1 - d0) / windowS;
    double messagesPerSecond = (c1 - c0) / windowS;
    Latencies lat = new Latencies();
    recorders.forEach(d -> d.window(windowStart, windowEnd, lat));
    double genCpu = 100.0 * (cpuW1 - cpuW0) / (w1 - w0);
    double serverCpu = srv0 < 0 || srv1 < 0 ? Double.NaN : 100.0 * (srv1 - srv0) / 100.0 / windowS; // USER_HZ 100
    double perServerCpuSecond = deliveriesPerSecond / (serverCpu / 100.0);
    List<GcPauses.Pause> generatorPauses = gcPauses.within(windowStart, windowEnd);

    System.out.printf(Locale.ROOT, "%s %s, %d subscribers, payload %d: %s%n", settings.server(),
      settings.loop() ? "closed loop W=" + settings.window() : "fixed " + settings.rate() + " deliveries/s",
      joined.get(), settings.payload(),
      String.format(Locale.ROOT, "%.0f deliveries/s (%.1f messages/s completed) over %.1f s", deliveriesPerSecond,
        messagesPerSecond, windowS));
    System.out.printf(Locale.ROOT, "latency publish->deliver (%d deliveries in the window): p50 %s  p99 %s  max %s%n",
      lat.count(), Latencies.ms(lat.percentileMs(50)), Latencies.ms(lat.percentileMs(99)), Latencies.ms(lat.maxMs()));
    System.out.println("the generator's own GC pauses in the window: " + GcPauses.describe(generatorPauses));
    JsonObject tails = settings.loop() ? new JsonObject() : messageTails();
    System.out.printf(Locale.ROOT, "sent %d, not delivered to every live subscriber after 10 s drain: %d; dropped subscribers %d; "
        + "server err frames %d; publish errors %d; generator CPU %.0f%% of one core; server CPU %.0f%% "
        + "(%.0f deliveries per server CPU-second)%n", publisher.sent, incomplete,
      dropped.get(), serverErrors.get(), publisher.publishErrors, genCpu, serverCpu, perServerCpuSecond);
    if (!reasons.isEmpty()) {
      System.out.println("problems: " + reasons);
      firstReasons.forEach(r -> System.out.println("  " + r));
    }
    JsonObject result = new JsonObject().put("benchmark", "fan-out").put("server", settings.server().name().toLowerCase(Locale.ROOT))
      .put("label", settings.label()).put("mode", settings.loop() ? "loop" : "rate")
      .put("subscribers", settings.subscribers()).put("transport", settings.transport()).put("nodes", settings.ports().size()).put("joined", joined.get()).put("ready", ready.get())
      .put("failed", failed.get()).put("dropped", dropped.get()).put("window", settings.window())
      .put("rate", settings.rate()).put("payload", settings.payload())
      .put("connectSeconds", Latencies.round(connectSeconds))
      .put("deliveriesPerSecond", Math.round(deliveriesPerSecond)).put("messagesPerSecond", Latencies.round(messagesPerSecond))
      .put("latencyCount", lat.count()).put("p50Ms", Latencies.round(lat.percentileMs(50)))
      .put("p99Ms", Latencies.round(lat.percentileMs(99))).put("maxMs", Latencies.round(lat.maxMs()))
      .put("sent", publisher.sent).put("incomplete", incomplete).put("serverErrors", serverErrors.get())
      .put("publishErrors", publisher.publishErrors).put("generatorCpuPercent", Math.round(genCpu))
      .put("serverCpuPercent", Double.isNaN(serverCpu) ? null : Math.round(serverCpu))
      .put("deliveriesPerServerCpuSecond", Double.isNaN(serverCpu) || serverCpu <= 0 ? null : Math.round(perServerCpuSecond))
      .put("generatorGcPauses", generatorPauses.size()).put("generatorGcPauseMaxMs", Latencies.round(GcPauses.longestMs(generatorPauses)))
      .put("problems", new JsonObject(new java.util.LinkedHashMap<>(reasons.entrySet().stream()
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> (Object) e.getValue().get())))))
      .mergeIn(tails);
    List<Future<Void>> closing = new ArrayList<>();
    lanes.forEach(l -> closing.add(l.closeAll()));
    try {
      await(Future.all(closing), 20, "closing");
      Thread.sleep(500);
    } catch (Exception e) {
      System.out.println("closing: " + e);
    }
    System.out.println(result.encode());
    vertx.close();
    boolean ok = failed.get() == 0 && dropped.get() == 0 && incomplete == 0 && serverErrors.get() == 0
      && publisher.publishErrors == 0 && joined.get() == settings.subscribers() && cpu0 >= 0;
    return ok ? 0 : 1;
  }

  /**
   * Fixed rate: how long each message took to reach its first and its last subscriber, and when the slowest
   * ones were scheduled (seconds into the window), to tell a steady tail from a few stalls.
   */
  JsonObject messageTails() {
    List<long[]> tails = new ArrayList<>(messageTails.stream().filter(t -> t[0] >= windowStart && t[0] < windowEnd).toList());
    Latencies last = new Latencies();
    Latencies first = new Latencies();
    tails.forEach(t -> {
      last.add(t[1]);
      first.add(t[2]);
    });
    tails.sort((a, b) -> Long.compare(b[1], a[1]));
    StringBuilder slowest = new StringBuilder();
    for (long[] t : tails.subList(0, Math.min(8, tails.size()))) {
      slowest.append(String.format(Locale.ROOT, " %.1f ms at %.2f s;", t[1] / 1e6, (t[0] - windowStart) / 1e9));
    }
    System.out.printf(Locale.ROOT, "per message, its last delivery (%d messages, window from %s): p50 %s  p90 %s  p99 %s  max %s; slowest:%s%n",
      last.count(), windowStartWall, Latencies.ms(last.percentileMs(50)), Latencies.ms(last.percentileMs(90)), Latencies.ms(last.percentileMs(99)),
      Latencies.ms(last.maxMs()), slowest);
    System.out.printf(Locale.ROOT, "per message, its first delivery: p50 %s  p90 %s  p99 %s%n",
      Latencies.ms(first.percentileMs(50)), Latencies.ms(first.percentileMs(90)), Latencies.ms(first.percentileMs(99)));
    return new JsonObject().put("firstDeliveryP50Ms", Latencies.round(first.percentileMs(50)))
      .put("lastDeliveryP50Ms", Latencies.round(last.percentileMs(50))).put("lastDeliveryP99Ms", Latencies.round(last.percentileMs(99)));
  }

  /**
   * {heap used after a full GC, RSS} of --server-pid in bytes: jcmd GC.run + GC.heap_info for a
   * JVM, GET /memory?gc=1 (global.gc under --expose-gc) for Socket.IO; RSS from /proc.
   */
  long[] memory() throws Exception {
    if (settings.serverPid() <= 0) {
      throw new Args.UsageException("--mode idle needs --server-pid");
    }
    long heap;
    if (settings.server() == Server.SOCKETIO) {
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + settings.host() + ":" + settings.port() + "/memory?gc=1"))
          .timeout(java.time.Duration.ofSeconds(30)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      Thread.sleep(500);
      r = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + settings.host() + ":" + settings.port() + "/memory?gc=1"))
          .timeout(java.time.Duration.ofSeconds(30)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      heap = new JsonObject(r.body()).getLong("heapUsed");
    } else {
      jcmd("GC.run");
      String info = jcmd("GC.heap_info");
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
      heap = 0;
      while (m.find()) {
        heap += Long.parseLong(m.group(1)) * 1024;
      }
    }
    long rss = 0;
    for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/" + settings.serverPid() + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return new long[] {heap, rss};
  }

  String jcmd(String command) throws Exception {
    Process process = new ProcessBuilder("jcmd", Long.toString(settings.serverPid()), command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroy();
    }
    return out;
  }

  /** utime + stime of --server-pid in clock ticks, or -1. */
  long serverTicks() {
    if (settings.serverPid() <= 0) {
      return -1;
    }
    try {
      String stat = java.nio.file.Files.readString(Path.of("/proc/" + settings.serverPid() + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (Exception e) {
      return -1;
    }
  }

  static void sleepUntil(long nanos) throws InterruptedException {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, Math.min(100, left / 1_000_000)));
    }
  }

  static long processCpu() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
      ? os.getProcessCpuTime() : -1;
  }
}
