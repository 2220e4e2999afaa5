package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Vote casts: how many {@code votes.cast} a node answers per second through the bridge
 * (the votes issue), with the votes in Redis when the node has {@code redis.uri}.
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
 * <p>Exit status: 0 every reply was as expected and the final tick matched; 1 otherwise; 2 the
 * run failed on its way (the tabs did not connect, ...); 64 a bad command line.
 */
public final class VoteCasts implements RequestLoop.WindowWatch {

  private static final String USAGE = """
    usage: java -cp parley-bench.jar io.parley.bench.VoteCasts [options]
      --tabs N          tabs, each its own user, all in one votes room (default 100)
      --room NAME       the room (default votes-bench-<run>)
    """ + RequestLoop.OPTIONS;

  record Settings(int tabs, String room, RequestLoop.Options loop) implements Generator.Options {

    static Settings parse(Args args) {
      int tabs = args.integer("tabs", 100, 1, 100_000);
      String room = args.string("room", "votes-bench-" + Generator.runId());
      if (!room.matches("votes-[A-Za-z0-9_:.-]{1,120}")) {
        throw new Args.UsageException("--room must be votes-<name>, the name of [A-Za-z0-9_:.-]");
      }
      return new Settings(tabs, room, RequestLoop.Options.parse(args));
    }

    @Override
    public int lanes() {
      return loop.lanes();
    }
  }

  private final Settings settings;
  private final AtomicLong ticksSeen = new AtomicLong();
  /** The last tick tab 0 received: {@code {ts, votes, connected}}. */
  private final AtomicReference<JsonObject> lastTick = new AtomicReference<>();
  private long ticksBefore;
  private long ticks;

  private VoteCasts(Settings settings) {
    this.settings = settings;
  }

  public static void main(String[] argv) {
    Generator.main("vote-casts", USAGE, argv, Settings::parse, (vertx, settings) -> new VoteCasts(settings).run(vertx));
  }

  @Override
  public void opened() {
    ticksBefore = ticksSeen.get();
  }

  @Override
  public void closed() {
    ticks = ticksSeen.get() - ticksBefore;
  }

  private int run(Vertx vertx) {
    BridgeTarget target = settings.loop().target();
    System.out.printf(Locale.ROOT, "vote casts: %d tabs in %s, %s, nodes %s:%s, warmup %d s, counted %d s, %d lane(s)%n",
      settings.tabs(), settings.room(), target.transportName(), target.host(), target.ports(),
      settings.loop().warmupSeconds(), settings.loop().durationSeconds(), settings.lanes());
    DevTokens tokens = DevTokens.create(vertx, settings.loop().secret(), 3600);
    String run = Generator.runId();
    Totals totals = new Totals();
    List<Lane> lanes = Lanes.deploy(vertx, settings.lanes(),
      l -> new Lane(Lanes.share(l, settings.lanes(), settings.tabs()), tokens, run, totals));
    RequestLoop.Window window = RequestLoop.run(lanes, totals, settings.loop().warmupSeconds(), settings.loop().durationSeconds(),
      String.format(Locale.ROOT, "%d tabs connected, authenticated and in %s; warming up", settings.tabs(), settings.room()),
      this);
    int yes = 0;
    int no = 0;
    for (Lane lane : lanes) {
      yes += lane.lastYes;
      no += lane.lastNo;
    }
    // every tab has its last answer: the next ticks must count exactly those votes
    JsonObject expected = new JsonObject().put("yes", yes).put("no", no);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    boolean tallyMatches = false;
    while (System.nanoTime() < deadline && !tallyMatches) {
      JsonObject tick = lastTick.get();
      tallyMatches = tick != null && expected.equals(tick.getJsonObject("votes")) && tick.getInteger("connected") == settings.tabs();
      if (!tallyMatches) {
        Generator.sleep(100);
      }
    }
    lanes.forEach(Lane::closeAll);
    long errors = totals.errors.get();
    double perSecond = window.perSecond();

    System.out.printf(Locale.ROOT, "%nvote casts done%n");
    System.out.printf(Locale.ROOT, "  casts         %d in %.1f s: %.0f per second (each answered accepted: true)%n",
      window.counted(), window.seconds(), perSecond);
    System.out.printf(Locale.ROOT, "  latency       %s (cast sent -> answered)%n", window.latencies().summary());
    System.out.printf(Locale.ROOT, "  ticks         %d received by tab 0 while counting (every tab gets each)%n", ticks);
    System.out.printf(Locale.ROOT, "  final tally   %s: expected %s with %d connected, last tick %s%n",
      tallyMatches ? "matches" : "MISMATCH", expected.encode(), settings.tabs(), lastTick.get());
    window.printErrors(totals);
    JsonObject result = window.json("vote-casts", settings.loop().label(), settings.tabs(), target)
      .put("casts", window.counted())
      .put("castsPerSecond", Math.round(perSecond))
      .put("latency", window.latencies().toJson())
      .put("ticksReceived", ticks)
      .put("finalTallyMatches", tallyMatches)
      .put("errors", errors);
    System.out.println(result.encode());
    return errors == 0 && window.counted() > 0 && tallyMatches ? 0 : 1;
  }

  /** A member of the room, voting yes and no in turn. */
  static final class Tab extends BridgeTab {
    long ts;
    String accepted;

    Tab(int index) {
      super(index);
    }
  }

  /** The tabs of one event loop, each in the room and casting one vote at a time. */
  final class Lane extends RequestLoop.Lane<Tab> {

    /** How many of this lane's tabs last had yes / no accepted. */
    volatile int lastYes;
    volatile int lastNo;

    Lane(List<Integer> indexes, DevTokens tokens, String run, Totals totals) {
      super(settings.loop().target(), indexes, tokens, "bench-" + run + "-", totals);
    }

    @Override
    Tab newTab(int index) {
      return new Tab(index);
    }

    @Override
    long pingMs() {
      return 5_000;
    }

    @Override
    Future<Void> join(Tab tab) {
      String address = "room." + settings.room();
      return open(tab)
        .compose(v -> {
          tab.socket.register(address, delivery -> {
            if (tab.index == 0) {
              JsonObject envelope = delivery.json().getJsonObject("body");
              if ("votes.tick".equals(envelope.getString("event"))) {
                ticksSeen.incrementAndGet();
                lastTick.set(envelope.getJsonObject("data").getJsonArray("data").getJsonObject(0));
              }
            }
          }, refused -> error(tab, "register refused: " + refused));
          // answered after the register was decided: a member from here on
          return tab.socket.request("rooms.state", new JsonObject().put("room", settings.room()));
        })
        .mapEmpty();
    }

    @Override
    Future<String> turn(Tab tab) {
      String value = ++tab.ts % 2 == 0 ? "yes" : "no";
      JsonObject body = new JsonObject().put("room", settings.room()).put("value", value).put("ts", tab.ts);
      return tab.socket.request("votes.cast", body).map(reply -> {
        if (!reply.json().getJsonObject("body").getBoolean("accepted", false)) {
          return "not accepted: " + reply.json().getValue("body");
        }
        tab.accepted = value;
        return null;
      });
    }

    @Override
    void stoppedAll() {
      int yes = 0;
      int no = 0;
      for (Tab t : tabs) {
        yes += "yes".equals(t.accepted) ? 1 : 0;
        no += "no".equals(t.accepted) ? 1 : 0;
      }
      lastYes = yes;
      lastNo = no;
    }
  }
}
