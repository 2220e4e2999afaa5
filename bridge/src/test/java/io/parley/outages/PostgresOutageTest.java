package io.parley.outages;

import io.parley.shared.Await;
import io.parley.shared.CapturedLog;
import io.parley.testing.BridgeClient;
import io.parley.testing.OwnPostgres;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Postgres that holds a node's locks and notifications crashes for five seconds under load
 * (a few tabs contending for a few locks with heartbeats, notifications published and read):
 * what a user and an operator see. The crashed Postgres is the test's own, never the shared one.
 */
class PostgresOutageTest {

  private static final Duration OUTAGE = Duration.ofSeconds(5);
  private static final Duration FAILURE_INTERVAL = Duration.ofSeconds(2);
  private static final List<String> RESOURCES = List.of("doc:1", "doc:2", "doc:3");
  private static final int CONTENDERS_PER_RESOURCE = 3;
  private static final String TOPIC = "outage";
  private static final String API_KEY = "dev-api-key";

  private OwnPostgres postgres;
  private TestNode node;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final List<Thread> load = new ArrayList<>();
  /** Every failed answer, "address code" → how many. */
  private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
  /** Successful answers, per address. */
  private final Map<String, AtomicLong> successes = new ConcurrentHashMap<>();
  private final List<Hold> holds = new CopyOnWriteArrayList<>();
  private final List<String> lostLocks = new CopyOnWriteArrayList<>();
  private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();

  /** A tab's hold of a lock: from the grant it was told of to when it started releasing it. */
  private record Hold(String resource, String sessionId, long grantedAt, long releasingAt) {
    boolean overlaps(Hold other) {
      return resource.equals(other.resource) && !sessionId.equals(other.sessionId)
        && grantedAt < other.releasingAt && other.grantedAt < releasingAt;
    }
  }

  @BeforeEach
  void start() {
    postgres = OwnPostgres.start();
    node = TestNode.start(new JsonObject()
      .put("pg", new JsonObject().put("uri", postgres.uri()))
      .put("logging", new JsonObject().put("failureIntervalMs", FAILURE_INTERVAL.toMillis()))
      // the load goes faster than a person: the rate limit is not what is tested here
      .put("bridge", new JsonObject().put("ratePerSecond", 10_000).put("rateBurst", 10_000)));
  }

  @AfterEach
  void stop() throws InterruptedException {
    stopLoad();
    if (node != null) {
      node.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void a_five_second_crash_answers_503_keeps_every_lock_with_one_holder_loses_no_acknowledged_notification_and_logs_a_few_lines() throws Exception {
    BridgeClient reader = node.signIn("reader");
    reader.request("notifications.subscribe", new JsonObject().put("topics", new JsonArray().add(TOPIC)));
    for (String resource : RESOURCES) {
      for (int i = 0; i < CONTENDERS_PER_RESOURCE; i++) {
        startLoad("contender-" + resource + "-" + i, contender(resource, "user" + i));
      }
    }
    startLoad("publisher", this::publish);
    startLoad("reader", readNotifications(reader));
    awaitTrue("the load running against a healthy Postgres",
      () -> count(successes, "locks.acquire") > 10 && acknowledged.size() > 10);

    List<LogRecord> logged;
    try (CapturedLog log = CapturedLog.of("")) {
      postgres.crash();
      long crashed = System.nanoTime();
      TestNode.HttpResult down = Health.await(node, 503);
      JsonObject check = Health.check(down, "postgres");
      assertThat(check.getString("status")).isEqualTo("DOWN");
      assertThat(check.getJsonObject("data").getString("error")).startsWith("postgres unreachable: ");
      Thread.sleep(Math.max(0, OUTAGE.toMillis() - Duration.ofNanos(System.nanoTime() - crashed).toMillis()));
      long failedDuringOutage = failures.values().stream().mapToLong(AtomicLong::get).sum();
      postgres.startAgain();

      assertThat(Health.check(Health.await(node, 200), "postgres").getString("status")).isEqualTo("UP");
      long acquiredBefore = count(successes, "locks.acquire");
      int acknowledgedBefore = acknowledged.size();
      awaitTrue("locks and notifications working again",
        () -> count(successes, "locks.acquire") > acquiredBefore + 10 && acknowledged.size() > acknowledgedBefore + 10);
      stopLoad();
      // the outage ends in the log once a failure interval passed without failures
      for (String store : List.of("lock store", "notification store")) {
        awaitTrue("the log saying the " + store + " is reachable again", () -> log.messages().stream()
          .anyMatch(line -> line.startsWith(store + " reachable again: no failures for")));
      }
      logged = log.records();
      assertThat(failedDuringOutage).as("requests failed while Postgres was down").isPositive();
    }

    System.out.println("Postgres outage of " + OUTAGE.toSeconds() + " s: " + logged.size() + " log lines; failed answers "
      + failures + "; successes " + successes);
    logged.forEach(r -> System.out.println("  " + r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()));

    assertThat(failures.keySet()).as("every failure during the outage answered 503, never 500")
      .isNotEmpty().allMatch(key -> key.endsWith(" 503"));
    assertThat(failures.keySet()).as("locks and notifications both failed, and both answered 503")
      .anyMatch(key -> key.startsWith("locks.")).anyMatch(key -> key.startsWith("notifications."))
      .anyMatch(key -> key.startsWith("POST /api/notifications"));
    assertThat(lostLocks).as("no holder lost its lock without releasing it").isEmpty();
    List<String> doubleHolds = new ArrayList<>();
    for (Hold a : holds) {
      for (Hold b : holds) {
        if (a.overlaps(b) && a.sessionId.compareTo(b.sessionId) < 0) {
          doubleHolds.add(a + " and " + b);
        }
      }
    }
    assertThat(holds).as("locks were held and released").hasSizeGreaterThan(RESOURCES.size());
    assertThat(doubleHolds).as("never two holders of one lock").isEmpty();
    for (String resource : RESOURCES) {
      assertThat(reader.request("locks.status", new JsonObject().put("resource", resource)).getValue("holder"))
        .as("%s free once every tab released it", resource).isNull();
    }

    Set<Long> replayed = replayAll(reader);
    assertThat(replayed).as("every acknowledged notification is replayable after the outage").containsAll(acknowledged);

    assertThat(logged.size()).as("log lines for the whole outage").isLessThan(50);
    String metrics = node.get("/metrics").body();
    assertThat(counterValue(metrics, "lock store")).as("lock store failures in the metrics").isPositive();
    assertThat(counterValue(metrics, "notification store")).as("notification store failures in the metrics").isPositive();
  }

  // ---- the load

  /** A tab that acquires {@code resource}, heartbeats twice, releases, and again, until the load stops. */
  private Runnable contender(String resource, String userId) {
    return () -> {
      String sessionId = UUID.randomUUID().toString();
      BridgeClient tab = node.signIn(userId, new JsonObject(), sessionId);
      JsonObject request = new JsonObject().put("resource", resource);
      while (!stopping.get()) {
        JsonObject acquired = call(tab, "locks.acquire", request);
        if (acquired != null && acquired.getBoolean("okToEdit")) {
          long grantedAt = System.nanoTime();
          for (int beat = 0; beat < 2; beat++) {
            pause(10);
            JsonObject beaten = call(tab, "locks.heartbeat", request);
            if (beaten != null && !beaten.getBoolean("okToEdit")) {
              lostLocks.add(sessionId + " lost " + resource + ": " + beaten);
            }
          }
          long releasingAt = System.nanoTime();
          releaseUntilAnswered(tab, request);
          holds.add(new Hold(resource, sessionId, grantedAt, releasingAt));
        }
        pause(20);
      }
      // an acquire that was stored but answered 503 leaves this tab the holder: let go of it
      releaseUntilAnswered(tab, request);
      tab.close();
    };
  }

  private void releaseUntilAnswered(BridgeClient tab, JsonObject request) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (call(tab, "locks.release", request) == null && System.nanoTime() < deadline) {
      pause(50);
    }
  }

  /** Notifications published through the HTTP API; the ids answered 202 are acknowledged. */
  private void publish() {
    long n = 0;
    while (!stopping.get()) {
      TestNode.HttpResult result = node.post("/api/notifications",
        new JsonObject().put("topic", TOPIC).put("data", new JsonObject().put("n", n++)), API_KEY);
      if (result.status() == 202) {
        acknowledged.add(result.json().getLong("id"));
        successes.computeIfAbsent("POST /api/notifications", k -> new AtomicLong()).incrementAndGet();
      } else {
        failures.computeIfAbsent("POST /api/notifications " + result.status(), k -> new AtomicLong()).incrementAndGet();
      }
      pause(10);
    }
  }

  /** The subscribed tab: renews its subscription and reads what it missed, again and again. */
  private Runnable readNotifications(BridgeClient reader) {
    return () -> {
      long sinceId = 0;
      while (!stopping.get()) {
        call(reader, "notifications.subscribe", new JsonObject().put("topics", new JsonArray().add(TOPIC)));
        JsonObject replay = call(reader, "notifications.since", new JsonObject().put("sinceId", sinceId));
        if (replay != null) {
          for (Object n : replay.getJsonArray("notifications")) {
            sinceId = Math.max(sinceId, ((JsonObject) n).getLong("id"));
          }
        }
        pause(50);
      }
    };
  }

  /** A request's answer, or null when it failed (counted by address and code). */
  private JsonObject call(BridgeClient tab, String address, JsonObject body) {
    try {
      JsonObject answer = tab.request(address, body);
      successes.computeIfAbsent(address, k -> new AtomicLong()).incrementAndGet();
      return answer;
    } catch (BridgeClient.BridgeError e) {
      failures.computeIfAbsent(address + " " + e.code, k -> new AtomicLong()).incrementAndGet();
      return null;
    } catch (RuntimeException | AssertionError e) {
      failures.computeIfAbsent(address + " no answer: " + e.getMessage(), k -> new AtomicLong()).incrementAndGet();
      return null;
    }
  }

  private void startLoad(String name, Runnable work) {
    Thread thread = new Thread(work, name);
    thread.setDaemon(true);
    load.add(thread);
    thread.start();
  }

  private void stopLoad() throws InterruptedException {
    stopping.set(true);
    for (Thread thread : load) {
      thread.join(Duration.ofSeconds(40).toMillis());
      assertThat(thread.isAlive()).as("%s stopped", thread.getName()).isFalse();
    }
    load.clear();
  }

  // ---- reading what happened

  /** Every notification the tab can replay, page after page. */
  private static Set<Long> replayAll(BridgeClient tab) {
    Set<Long> ids = new HashSet<>();
    long sinceId = 0;
    while (true) {
      JsonObject page = tab.request("notifications.since", new JsonObject().put("sinceId", sinceId));
      for (Object n : page.getJsonArray("notifications")) {
        long id = ((JsonObject) n).getLong("id");
        ids.add(id);
        sinceId = Math.max(sinceId, id);
      }
      if (!page.getBoolean("more", false) || page.getJsonArray("notifications").isEmpty()) {
        return ids;
      }
    }
  }

  /** {@code parley_store_failures_total{code="503",store="..."}}'s value in a Prometheus scrape. */
  private static double counterValue(String scrape, String store) {
    return scrape.lines()
      .filter(line -> line.startsWith("parley_store_failures_total{") && line.contains("store=\"" + store + "\"")
        && line.contains("code=\"503\""))
      .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
      .sum();
  }

  private static long count(Map<String, AtomicLong> counts, String key) {
    AtomicLong n = counts.get(key);
    return n == null ? 0 : n.get();
  }

  private static void awaitTrue(String what, BooleanSupplier condition) {
    Await.until(what, Duration.ofSeconds(20), condition);
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
