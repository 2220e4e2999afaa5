package io.parley.cluster;

import io.parley.testing.BridgeClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

  private static final Duration GONE_WITHIN = Duration.ofSeconds(10);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final NodeProcesses nodes = new NodeProcesses("kill");
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    nodes.close();
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  @Test
  void the_members_of_a_killed_node_leave_their_rooms_within_ten_seconds_once() throws Exception {
    TwoNodes two = startTwoNodes();
    int survivorPort = two.survivor().port();
    int victimPort = two.victim().port();

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

      two.victim().kill();   // no leave is ever sent by the victim
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
    TwoNodes two = startTwoNodes();
    int survivorPort = two.survivor().port();
    int victimPort = two.victim().port();

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
      two.victim().kill();   // mid-load
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
          + two.survivor().output(), e);
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

  private TwoNodes startTwoNodes() throws Exception {
    List<NodeProcesses.Node> started = nodes.start(2, Map.of());
    return new TwoNodes(started.get(0), started.get(1));
  }

  /** Two clustered nodes sharing Redis, both answering /health: one to survive, one to kill. */
  private record TwoNodes(NodeProcesses.Node survivor, NodeProcesses.Node victim) {
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
}
