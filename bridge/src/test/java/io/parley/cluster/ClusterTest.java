package io.parley.cluster;

import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three nodes in a real Hazelcast cluster on loopback, sharing real Redis: rooms behave as one
 * room whichever node a client is on.
 */
class ClusterTest {

  private static final List<TestNode> nodes = new ArrayList<>();

  @BeforeAll
  static void start_three_nodes() {
    nodes.addAll(TestNode.startCluster("cluster", 3, new JsonObject()));
  }

  @AfterAll
  static void stop() {
    nodes.forEach(TestNode::close);
  }

  @Test
  void every_member_on_every_node_receives_every_publish_once_and_in_offset_order() throws Exception {
    // a board room: nothing but this test publishes to it, so the whole stream is known (votes-
    // rooms also carry the votes verticle's ticks, which start whenever the ticker gets to them)
    String room = "board-order";
    JsonObject board = TestNode.boards("order");
    List<BridgeClient> members = new ArrayList<>();
    for (TestNode node : nodes) {
      BridgeClient member = node.signIn("member-" + nodes.indexOf(node), board);
      member.join(room);
      members.add(member);
    }
    int perPublisher = 30;
    int published = perPublisher * nodes.size();
    ExecutorService publishers = Executors.newFixedThreadPool(nodes.size());
    try {
      List<Future<?>> done = new ArrayList<>();
      for (TestNode node : nodes) {
        // one publisher per node, all at once: offsets are assigned across the cluster
        done.add(publishers.submit(() -> {
          try (BridgeClient publisher = node.signIn("pub-" + nodes.indexOf(node), board)) {
            for (int i = 0; i < perPublisher; i++) {
              publisher.request("rooms.publish", new JsonObject().put("room", room).put("event", "user.update").put("data", i));
            }
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      publishers.shutdownNow();
    }
    for (BridgeClient member : members) {
      List<Long> offsets = new ArrayList<>();
      while (offsets.size() < published) {
        JsonObject envelope = member.nextEnvelope("room." + room);
        if (envelope.getString("event").equals("user.update")) {
          offsets.add(envelope.getLong("offset"));
        }
      }
      assertThat(offsets).as("every publish, once each, in offset order").isEqualTo(LongRange.of(1, published));
      member.close();
    }
  }

  @Test
  void presence_is_the_union_of_all_nodes_and_leave_fires_once_when_the_last_tab_closes() {
    String room = "votes-presence";
    try (BridgeClient watcher = nodes.get(0).signIn("watcher")) {
      watcher.join(room);
      BridgeClient tabOnNode1 = nodes.get(1).signIn("sam");
      tabOnNode1.join(room);
      BridgeClient tabOnNode2 = nodes.get(2).signIn("sam");
      tabOnNode2.join(room);

      JsonObject state = watcher.request("rooms.state", new JsonObject().put("room", room));
      assertThat(state.getJsonArray("members").stream().map(JsonObject.class::cast)
        .map(m -> m.getString("userId") + ":" + m.getInteger("connections")).toList())
        .containsExactlyInAnyOrder("watcher:1", "sam:2");

      tabOnNode1.close();
      watcher.awaitState(room, s -> BridgeClient.connectionsOf(s, "sam") == 1);
      watcher.request("rooms.publish", new JsonObject().put("room", room).put("event", "user.update").put("data", "after-first-close"));
      List<JsonObject> beforeLastClose = watcher.envelopesUntil("room." + room, "user.update");
      tabOnNode2.close();
      List<JsonObject> leave = watcher.envelopesUntil("room." + room, "presence.leave");
      watcher.request("rooms.publish", new JsonObject().put("room", room).put("event", "user.update").put("data", "after-last-close"));
      List<JsonObject> afterLeave = watcher.envelopesUntil("room." + room, "user.update");

      assertThat(presence(beforeLastClose)).containsExactly("presence.join:watcher", "presence.join:sam");
      assertThat(presence(leave)).containsExactly("presence.leave:sam");
      assertThat(presence(afterLeave)).as("nothing more after the one leave").isEmpty();
      assertThat(watcher.request("rooms.state", new JsonObject().put("room", room)).getJsonArray("members")).hasSize(1);
    }
  }

  @Test
  void a_tab_reconnecting_to_another_node_is_resumed_and_catches_up() {
    // a board room: nothing but this test publishes to it (votes- rooms get ticks)
    String room = "board-catchup";
    JsonObject board = TestNode.boards("catchup");
    String sessionId = UUID.randomUUID().toString();
    JsonObject last;
    try (BridgeClient tab = nodes.get(0).signIn("kim", board, sessionId);
         BridgeClient publisher = nodes.get(1).signIn("pub", board)) {
      tab.join(room);
      publisher.request("rooms.publish", new JsonObject().put("room", room).put("event", "user.update").put("data", 1));
      List<JsonObject> seen = tab.envelopesUntil("room." + room, "user.update");
      last = seen.get(seen.size() - 1);
      tab.close();
      publisher.request("rooms.publish", new JsonObject().put("room", room).put("event", "user.update").put("data", 2));
      publisher.request("rooms.publish", new JsonObject().put("room", room).put("event", "user.update").put("data", 3));
    }
    try (BridgeClient back = nodes.get(2).connect()) {
      JsonObject auth = back.request("auth.authenticate", new JsonObject()
        .put("token", nodes.get(2).token("kim", board)).put("sessionId", sessionId));
      assertThat(auth.getBoolean("resumed")).as("the session is known cluster-wide").isTrue();
      JsonObject page = back.request("rooms.history", new JsonObject().put("room", room)
        .put("epoch", last.getString("epoch")).put("sinceOffset", last.getLong("offset")));
      assertThat(page.getBoolean("recovered")).isTrue();
      assertThat(page.getJsonArray("events").stream().map(JsonObject.class::cast).map(e -> e.getInteger("data")).toList())
        .containsExactly(2, 3);
    }
  }

  @Test
  void revoking_a_user_closes_their_sockets_on_every_node() {
    try (BridgeClient onNode0 = nodes.get(0).signIn("rex"); BridgeClient onNode2 = nodes.get(2).signIn("rex")) {
      nodes.get(1).vertx().eventBus().request("auth.revoke", new JsonObject().put("userId", "rex")).await();
      onNode0.awaitClosed();
      onNode2.awaitClosed();
      assertThat(onNode0.isClosed() && onNode2.isClosed()).isTrue();
    }
  }

  private static List<String> presence(List<JsonObject> envelopes) {
    return envelopes.stream().filter(e -> e.getString("event").startsWith("presence."))
      .map(e -> e.getString("event") + ":" + e.getJsonObject("data").getString("userId")).toList();
  }


  private static final class LongRange {
    static List<Long> of(long from, int count) {
      return IntStream.range(0, count).mapToObj(i -> from + i).toList();
    }
  }
}
