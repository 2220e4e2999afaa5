package io.parley.cluster;

import io.parley.testing.TestNode;
import io.parley.testing.BridgeClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node's JVM is killed ({@code kill -9}, no goodbye): the surviving node drops its members
 * from rooms within 10 s and announces each departure once (default settings), and a kill in
 * the middle of publishing loses no envelope that was acknowledged.
 */
class NodeKillIT {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration GONE_WITHIN = Duration.ofSeconds(10);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<Process> processes = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();
  private final Vertx vertx = Vertx.vertx();
  private final String cluster = "kill-" + UUID.randomUUID().toString().substring(0, 8);

  @AfterEach
  void stop() throws Exception {
    for (Process process : processes) {
      process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    }
    for (Path log : logs) {
      Files.deleteIfExists(log);
    }
    io.parley.shared.TestRedis.deleteKeys(redisPrefix());
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  private String redisPrefix() {
    return "test:" + cluster + ":";
  }

  @Test
  void the_members_of_a_killed_node_leave_their_rooms_within_ten_seconds_once() throws Exception {
    TwoNodes nodes = startTwoNodes();
    int survivorPort = nodes.survivorPort();
    int victimPort = nodes.victimPort();
    Process victim = nodes.victim();

    String room = "votes-kill";
    try (BridgeClient watcher = signIn(survivorPort, "watcher");
         BridgeClient both = signIn(survivorPort, "both")) {
      watcher.join(room);
      both.join(room);
      for (String user : List.of("v1", "v2", "both")) {
        BridgeClient onVictim = signIn(victimPort, user);
        onVictim.join(room);
      }
      assertThat(memberIds(watcher, room)).containsExactlyInAnyOrder("watcher", "both", "v1", "v2");

      victim.destroyForcibly();   // SIGKILL: no leave is ever sent by the victim
      assertThat(victim.waitFor(20, TimeUnit.SECONDS)).isTrue();
      long killedAt = System.nanoTime();
      while (memberIds(watcher, room).contains("v1") || memberIds(watcher, room).contains("v2")) {
        assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).as("members of the killed node still listed").isLessThan(GONE_WITHIN);
        Thread.sleep(100);
      }
      assertThat(memberIds(watcher, room)).containsExactlyInAnyOrder("watcher", "both");

      watcher.request("rooms.publish", new JsonObject().put("room", room).put("event", "user.update").put("data", "marker"));
      List<String> presence = watcher.envelopesUntil("room." + room, "user.update").stream()
        .filter(e -> e.getString("event").startsWith("presence."))
        .map(e -> e.getString("event") + ":" + e.getJsonObject("data").getString("userId")).toList();
      assertThat(presence.stream().filter(p -> p.startsWith("presence.leave")).toList())
        .as("one leave per user who lost their last connection; 'both' is still here")
        .containsExactlyInAnyOrder("presence.leave:v1", "presence.leave:v2");
    }
  }

  @Test
  void a_node_killed_under_publishing_load_loses_no_acknowledged_envelope() throws Exception {
    TwoNodes nodes = startTwoNodes();
    int survivorPort = nodes.survivorPort();
    int victimPort = nodes.victimPort();
    Process victim = nodes.victim();

    String room = "votes-load";
    try (BridgeClient watcher = signIn(survivorPort, "watcher");
         BridgeClient here = signIn(survivorPort, "pub-here");
         BridgeClient there = signIn(victimPort, "pub-there")) {
      watcher.join(room);
      // the watcher only reads, so it pings as the browser client does, or its node would close it
      long pinger = vertx.setPeriodic(2_000, id -> watcher.ping());
      Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
      AtomicBoolean running = new AtomicBoolean(true);
      List<Thread> publishers = new ArrayList<>();
      for (BridgeClient publisher : List.of(here, there)) {
        Thread thread = new Thread(() -> {
          for (int i = 0; running.get(); i++) {
            try {
              JsonObject reply = publisher.request("rooms.publish", new JsonObject().put("room", room).put("event", "user.update").put("data", i));
              acknowledged.add(reply.getLong("offset"));
            } catch (RuntimeException | AssertionError refusedOrGone) {
              return; // the victim's socket died with it: what was not acknowledged may be lost
            }
          }
        });
        thread.start();
        publishers.add(thread);
      }
      Thread.sleep(2_000);
      victim.destroyForcibly();   // SIGKILL mid-load
      assertThat(victim.waitFor(20, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(2_000);
      running.set(false);
      for (Thread thread : publishers) {
        thread.join(20_000);
      }
      here.request("rooms.publish", new JsonObject().put("room", room).put("event", "task.create").put("data", "marker"));

      List<JsonObject> received;
      try {
        received = watcher.envelopesUntil("room." + room, "task.create");
      } catch (AssertionError e) {
        throw new AssertionError("the survivor's member got no marker (socket closed: " + watcher.isClosed() + "); survivor log:\n"
          + Files.readString(logs.get(0)), e);
      }
      vertx.cancelTimer(pinger);
      List<Long> offsets = received.stream()
        .filter(e -> e.getLong("offset") != null && "user.update".equals(e.getString("event")))
        .map(e -> e.getLong("offset")).toList();
      System.out.printf("killed under load: %,d publishes acknowledged, %,d delivered to the survivor's member%n",
        acknowledged.size(), offsets.size());
      assertThat(acknowledged.size()).as("both publishers made progress before the kill").isGreaterThan(100);
      assertThat(offsets).as("in order, no duplicates").isSorted().doesNotHaveDuplicates();
      assertThat(offsets).as("no acknowledged envelope lost").containsAll(acknowledged);
    }
  }

  /** Two clustered nodes sharing Redis, both answering /health: one to survive, one to kill. */
  private record TwoNodes(int survivorPort, int victimPort, Process victim) {
  }

  private TwoNodes startTwoNodes() throws Exception {
    int[] hazelcast = {TestNode.freePort(), TestNode.freePort()};
    String members = "127.0.0.1:" + hazelcast[0] + ",127.0.0.1:" + hazelcast[1];
    int survivorPort = TestNode.freePort();
    int victimPort = TestNode.freePort();
    Process survivor = startNode(cluster, hazelcast[0], members, survivorPort);
    Process victim = startNode(cluster, hazelcast[1], members, victimPort);
    awaitHealthy(survivorPort, survivor);
    awaitHealthy(victimPort, victim);
    return new TwoNodes(survivorPort, victimPort, victim);
  }

  private List<String> memberIds(BridgeClient client, String room) {
    return client.request("rooms.state", new JsonObject().put("room", room)).getJsonArray("members").stream()
      .map(JsonObject.class::cast).map(m -> m.getString("userId")).toList();
  }

  private BridgeClient signIn(int port, String userId) throws Exception {
    HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/auth/dev-token"))
      .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("userId", userId).encode())).build(), HttpResponse.BodyHandlers.ofString());
    BridgeClient client = BridgeClient.connect(vertx, port, BridgeClient.Transport.SOCKJS);
    client.request("auth.authenticate", new JsonObject().put("token", new JsonObject(token.body()).getString("token"))
      .put("sessionId", UUID.randomUUID().toString()));
    return client;
  }

  private Process startNode(String cluster, int hazelcastPort, String members, int httpPort) throws IOException {
    Path log = Files.createTempFile("parley-node", ".log");
    logs.add(log);
    ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-jar", System.getProperty("parley.jar")))
      .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(Map.of(
      "PARLEY_CLUSTER", "true",
      "PARLEY_HAZELCAST_CLUSTER_NAME", cluster,
      "PARLEY_HAZELCAST_PORT", String.valueOf(hazelcastPort),
      "PARLEY_HAZELCAST_MEMBERS", members,
      "PARLEY_HTTP_PORT", String.valueOf(httpPort),
      "PARLEY_HTTP_HOST", "127.0.0.1",
      "PARLEY_REDIS_URI", System.getProperty("parley.redis.uri", "redis://127.0.0.1:6379"),
      "PARLEY_REDIS_PREFIX", redisPrefix(),
      // rooms and auth are what this is about; locks and notifications would need Postgres
      "PARLEY_DEPLOYMENT_LOCKS", "0",
      "PARLEY_DEPLOYMENT_NOTIFICATIONS", "0"));
    Process process = builder.start();
    processes.add(process);
    return process;
  }

  private void awaitHealthy(int port, Process process) throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("node exited with " + process.exitValue() + ":\n" + Files.readString(logs.get(processes.indexOf(process))));
      }
      try {
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (health.statusCode() == 200) {
          return;
        }
      } catch (IOException starting) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("node on " + port + " not healthy in " + START_TIMEOUT + ":\n" + Files.readString(logs.get(processes.indexOf(process))));
  }
}
