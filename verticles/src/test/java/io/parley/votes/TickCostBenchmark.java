package io.parley.votes;

import io.parley.shared.FailureLog;
import io.parley.shared.RoomName;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What one votes tick costs in Redis with 100,000 voters in a room against 10 (the votes issue:
 * a tick is O(options), so the ratio should be near 1). Not a test: {@code bench/tick-cost}
 * runs it against a real Redis (see bench/README.md); it lives beside the store's tests
 * because it measures {@link RedisVoteStore} itself, which the wire-only generators in
 * {@code bench/} cannot reach.
 *
 * <p>Two rooms under a fresh key prefix are filled through {@link RedisVoteStore#cast} (the
 * script the bridge's {@code votes.cast} runs), half yes and half no. Then, in alternating
 * blocks so that drift on the machine hits both alike, each room is ticked
 * {@code --ticks} times ({@link RedisVoteStore#tick}, one at a time, as the ticking node does
 * per room), measuring the round trip and, from Redis's {@code INFO commandstats}, the time the
 * script ran inside Redis. For contrast it times {@code HGETALL} of each room's ballots: what a
 * tick that counted the voters would have to read at the least. The keys are deleted at the end.
 * Output: a summary, then one JSON line.
 */
public final class TickCostBenchmark {

  private static final String USAGE = """
    usage: java -cp bridge/target/parley.jar:verticles/target/test-classes io.parley.votes.TickCostBenchmark [options]
      --redis URI      Redis to use, loopback only (default redis://127.0.0.1:6379)
      --voters N       voters in the big room (default 100000)
      --few N          voters in the small room (default 10)
      --ticks N        ticks per room, measured (default 2000, in blocks of 100; 200 more as warm-up)
      --label TEXT     copied into the JSON line
    """;

  private static final List<String> OPTIONS = VotesOptions.DEFAULT_OPTIONS;

  public static void main(String[] argv) throws Exception {
    List<String> args = List.of(argv);
    if (args.contains("--help") || args.contains("-h")) {
      System.out.print(USAGE);
      return;
    }
    String uri = option(args, "--redis", "redis://127.0.0.1:6379");
    if (!uri.matches("redis://(127\\.[0-9.]+|localhost)(:[0-9]+)?(/[0-9]+)?")) {
      System.err.print("tick-cost: --redis must be a loopback Redis (redis://127.x.x.x[:port])\n" + USAGE);
      System.exit(64);
    }
    int voters = Integer.parseInt(option(args, "--voters", "100000"));
    int few = Integer.parseInt(option(args, "--few", "10"));
    int ticks = Integer.parseInt(option(args, "--ticks", "2000"));
    String label = option(args, "--label", "");

    Vertx vertx = Vertx.vertx();
    Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(uri).setMaxPoolSize(8).setMaxPoolWaiting(10_000));
    String prefix = "bench:tick-cost:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    int status = 0;
    try {
      RedisVoteStore store = await(RedisVoteStore.create(redis, prefix, Clock.systemUTC(),
        new VotesOptions.HistoryPolicy(VotesOptions.HistoryPolicy.DEFAULT_MAX_SIZE, VotesOptions.HistoryPolicy.DEFAULT_MAX_AGE_MS),
        FailureLog.fallback()));
      RoomName big = RoomName.of("votes-big");
      RoomName small = RoomName.of("votes-small");
      System.out.printf(Locale.ROOT, "tick cost: %,d voters against %,d, %,d ticks each, Redis %s, prefix %s%n", voters, few, ticks, uri, prefix);
      long seeding = System.nanoTime();
      seed(store, big, voters);
      seed(store, small, few);
      System.out.printf(Locale.ROOT, "seeded in %.1f s (%,.0f casts/s through cast.lua)%n", (System.nanoTime() - seeding) / 1e9,
        (voters + few) / ((System.nanoTime() - seeding) / 1e9));

      long[] ts = {System.currentTimeMillis()};
      Measured bigTicks = new Measured();
      Measured smallTicks = new Measured();
      for (int i = 0; i < 200; i++) { // warm-up
        tick(store, big, ts, voters);
        tick(store, small, ts, few);
      }
      for (int block = 0; block < Math.max(1, ticks / 100); block++) {
        measureBlock(redis, store, big, voters, ts, bigTicks);
        measureBlock(redis, store, small, few, ts, smallTicks);
      }
      JsonObject bigEntry = await(store.history(big, 0)).stream().reduce((a, b) -> b).orElseThrow();
      JsonObject smallEntry = await(store.history(small, 0)).stream().reduce((a, b) -> b).orElseThrow();
      boolean countsRight = bigEntry.getJsonObject("votes").equals(new JsonObject().put("yes", (voters + 1) / 2).put("no", voters / 2))
        && smallEntry.getJsonObject("votes").equals(new JsonObject().put("yes", (few + 1) / 2).put("no", few / 2));

      double scanBig = scanMillis(redis, prefix, big);
      double scanSmall = scanMillis(redis, prefix, small);

      double ratioP50 = bigTicks.percentileMicros(50) / smallTicks.percentileMicros(50);
      double ratioMean = bigTicks.meanMicros() / smallTicks.meanMicros();
      double ratioServer = bigTicks.serverMicrosPerCall() / smallTicks.serverMicrosPerCall();
      System.out.printf(Locale.ROOT, "%ntick cost done%n");
      System.out.printf(Locale.ROOT, "  %,7d voters  round trip %s; in Redis %.1f µs per tick%n", voters, bigTicks.summary(), bigTicks.serverMicrosPerCall());
      System.out.printf(Locale.ROOT, "  %,7d voters  round trip %s; in Redis %.1f µs per tick%n", few, smallTicks.summary(), smallTicks.serverMicrosPerCall());
      System.out.printf(Locale.ROOT, "  ratio big/small: p50 %.2f, mean %.2f, in Redis %.2f%n", ratioP50, ratioMean, ratioServer);
      System.out.printf(Locale.ROOT, "  for contrast, reading every ballot (HGETALL): %.1f ms with %,d voters, %.2f ms with %,d%n",
        scanBig, voters, scanSmall, few);
      System.out.printf(Locale.ROOT, "  last ticks counted every vote: %s%n", countsRight);
      JsonObject result = new JsonObject()
        .put("benchmark", "tick-cost")
        .put("label", label)
        .put("voters", voters)
        .put("few", few)
        .put("ticksPerRoom", bigTicks.count())
        .put("bigP50Micros", round(bigTicks.percentileMicros(50)))
        .put("bigP99Micros", round(bigTicks.percentileMicros(99)))
        .put("bigRedisMicros", round(bigTicks.serverMicrosPerCall()))
        .put("smallP50Micros", round(smallTicks.percentileMicros(50)))
        .put("smallP99Micros", round(smallTicks.percentileMicros(99)))
        .put("smallRedisMicros", round(smallTicks.serverMicrosPerCall()))
        .put("ratioP50", round(ratioP50))
        .put("ratioMean", round(ratioMean))
        .put("ratioRedis", round(ratioServer))
        .put("scanBigMillis", round(scanBig))
        .put("countsRight", countsRight);
      System.out.println(result.encode());
      status = countsRight ? 0 : 1;
    } finally {
      deleteKeys(redis, prefix);
      redis.close();
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    System.exit(status);
  }

  /** Ticks and their time: round trips measured here, Redis's own time from commandstats. */
  private static final class Measured {
    private final List<Long> nanos = new ArrayList<>();
    private long serverMicros;
    private long serverCalls;

    int count() {
      return nanos.size();
    }

    double percentileMicros(int p) {
      long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
      return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e3;
    }

    double meanMicros() {
      return nanos.stream().mapToLong(Long::longValue).average().orElse(0) / 1e3;
    }

    double serverMicrosPerCall() {
      return serverCalls == 0 ? Double.NaN : (double) serverMicros / serverCalls;
    }

    String summary() {
      return String.format(Locale.ROOT, "p50 %.0f µs, p90 %.0f µs, p99 %.0f µs, mean %.0f µs (n=%d)",
        percentileMicros(50), percentileMicros(90), percentileMicros(99), meanMicros(), nanos.size());
    }
  }

  private static void measureBlock(Redis redis, RedisVoteStore store, RoomName room, int connected, long[] ts, Measured into) {
    long[] before = evalshaStats(redis);
    for (int i = 0; i < 100; i++) {
      long began = System.nanoTime();
      tick(store, room, ts, connected);
      into.nanos.add(System.nanoTime() - began);
    }
    long[] after = evalshaStats(redis);
    // other clients' scripts on a shared Redis would count too: run this on a quiet one
    into.serverCalls += after[0] - before[0];
    into.serverMicros += after[1] - before[1];
  }

  private static void tick(RedisVoteStore store, RoomName room, long[] ts, int connected) {
    VoteStore.Tick tick = await(store.tick(room, ++ts[0], connected, OPTIONS));
    if (tick == null) {
      throw new IllegalStateException("a tick was refused: ts did not move on");
    }
  }

  /** {calls, usec} of EVALSHA from INFO commandstats. */
  private static long[] evalshaStats(Redis redis) {
    String info = await(redis.send(Request.cmd(Command.INFO).arg("commandstats"))).toString();
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("cmdstat_evalsha:")) {
        long calls = 0;
        long usec = 0;
        for (String field : line.substring("cmdstat_evalsha:".length()).split(",")) {
          String[] kv = field.split("=");
          if (kv[0].equals("calls")) {
            calls = Long.parseLong(kv[1]);
          } else if (kv[0].equals("usec")) {
            usec = Long.parseLong(kv[1]);
          }
        }
        return new long[]{calls, usec};
      }
    }
    return new long[]{0, 0};
  }

  private static void seed(RedisVoteStore store, RoomName room, int voters) {
    for (int from = 0; from < voters; from += 2_000) {
      List<Future<VoteStore.Cast>> batch = new ArrayList<>();
      for (int u = from; u < Math.min(voters, from + 2_000); u++) {
        batch.add(store.cast(room, new VoteStore.Ballot("voter-" + u, u % 2 == 0 ? "yes" : "no", 1)));
      }
      await(Future.all(batch));
    }
  }

  /** The median of five HGETALLs of the room's ballots, in ms. */
  private static double scanMillis(Redis redis, String prefix, RoomName room) {
    double[] ms = new double[5];
    for (int i = 0; i < ms.length; i++) {
      long began = System.nanoTime();
      Response all = await(redis.send(Request.cmd(Command.HGETALL).arg(prefix + "votes:ballots:" + room.value())));
      ms[i] = (System.nanoTime() - began) / 1e6;
      if (all.size() == 0) {
        throw new IllegalStateException("no ballots in " + room);
      }
    }
    Arrays.sort(ms);
    return ms[2];
  }

  private static void deleteKeys(Redis redis, String prefix) {
    String cursor = "0";
    do {
      Response page = await(redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(prefix + "*").arg("COUNT").arg(1000)));
      cursor = page.get(0).toString();
      Request del = Request.cmd(Command.DEL);
      int keys = 0;
      for (Response key : page.get(1)) {
        del.arg(key.toString());
        keys++;
      }
      if (keys > 0) {
        await(redis.send(del));
      }
    } while (!"0".equals(cursor));
  }

  private static String option(List<String> args, String name, String fallback) {
    int at = args.indexOf(name);
    return at >= 0 && at + 1 < args.size() ? args.get(at + 1) : fallback;
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
