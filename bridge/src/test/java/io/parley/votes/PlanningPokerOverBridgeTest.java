package io.parley.votes;

import io.parley.testing.TestNode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Planning poker end to end: three browser tabs over real SockJS connections, spread
 * over two nodes of a real cluster on Redis, and the host application's server code driving
 * the session on the bus ({@code poker.start}, {@code poker.finalize}, {@code poker.end}), as
 * its mutations called a provider-neutral realtime interface.
 */
class PlanningPokerOverBridgeTest {

  private static final List<TestNode> nodes = new ArrayList<>();

  @BeforeAll
  static void start_two_nodes() throws IOException {
    String cluster = "poker-" + UUID.randomUUID().toString().substring(0, 8);
    int[] ports = {TestNode.freePort(), TestNode.freePort()};
    for (int port : ports) {
      nodes.add(TestNode.startClustered(cluster, port, TestNode.members(ports), VotesClusterTest.config()));
    }
  }

  @AfterAll
  static void stop() {
    nodes.forEach(TestNode::close);
  }

  @Test
  void a_session_from_joining_to_the_end_with_values_hidden_until_each_task_is_finalized() {
    String id = "s" + UUID.randomUUID().toString().substring(0, 8);
    String room = "planning-poker-" + id;
    try (VoteTab ann = VoteTab.join(nodes.get(0), "ann", room)) {
      assertThat(ann.next("member-joined")).isEqualTo(new JsonObject().put("userId", "ann").put("name", "User ann"));
      VoteTab bob = VoteTab.join(nodes.get(1), "bob", room);
      VoteTab cat = VoteTab.join(nodes.get(0), "cat", room);
      List<VoteTab> tabs = List.of(ann, bob, cat);
      // bob and cat join at about the same time, on different nodes: either may be announced first
      assertThat(List.of(ann.next("member-joined"), ann.next("member-joined"))).extracting(joined -> joined.getString("userId"))
        .containsExactlyInAnyOrder("bob", "cat");
      assertThat(List.of(bob.next("member-joined"), bob.next("member-joined"))).extracting(joined -> joined.getString("userId"))
        .as("bob joined after ann was announced").containsExactlyInAnyOrder("bob", "cat");

      assertThat(ann.castCode(ann.vote("5", 1))).as("no task is being estimated yet").isEqualTo(409);
      assertThat(server(0, "poker.start", new JsonObject().put("id", id).put("taskId", "task-1")))
        .isEqualTo(new JsonObject().put("id", id).put("taskId", "task-1"));

      assertThat(ann.cast("5", 1)).isEqualTo(new JsonObject().put("accepted", true).put("taskId", "task-1"));
      bob.cast("8", 1);
      cat.cast("3", 1);
      cat.cast("5", 2); // changed their mind: still one vote
      for (VoteTab tab : tabs) {
        List<JsonObject> votes = List.of(tab.next("vote"), tab.next("vote"), tab.next("vote"), tab.next("vote"));
        assertThat(votes).as("who voted, never what").allMatch(vote -> vote.fieldNames().equals(java.util.Set.of("userId", "taskId"))
          && vote.getString("taskId").equals("task-1"));
        assertThat(votes).extracting(vote -> vote.getString("userId")).containsExactly("ann", "bob", "cat", "cat");
      }
      assertThat(ann.castCode(ann.vote("4", 3))).as("not a story point").isEqualTo(400);
      assertThat(ann.castCode(ann.vote("yes", 3))).isEqualTo(400);
      assertThat(bob.history()).as("a late tab learns who voted, not what").isEqualTo(new JsonObject()
        .put("data", new JsonArray()).put("taskId", "task-1").put("voted", new JsonArray().add("ann").add("bob").add("cat")));

      JsonObject finalized = server(1, "poker.finalize", new JsonObject().put("id", id).put("taskId", "task-1").put("nextTaskId", "task-2"));

      JsonObject revealed = new JsonObject().put("taskId", "task-1")
        .put("votes", new JsonObject().put("ann", "5").put("bob", "8").put("cat", "5"))
        .put("result", "5").put("nextTaskId", "task-2");
      assertThat(finalized).isEqualTo(revealed);
      for (VoteTab tab : tabs) {
        assertThat(tab.next("task-finalized")).isEqualTo(revealed);
      }

      bob.cast("13", 1);
      ann.cast("8", 1);
      cat.cast("?", 1);
      for (VoteTab tab : tabs) {
        assertThat(List.of(tab.next("vote"), tab.next("vote"), tab.next("vote")))
          .allMatch(vote -> vote.getString("taskId").equals("task-2"));
      }
      JsonObject second = server(0, "poker.finalize", new JsonObject().put("sessionId", id).put("taskId", "task-2"));
      assertThat(second.getJsonObject("votes")).isEqualTo(new JsonObject().put("ann", "8").put("bob", "13").put("cat", "?"));
      assertThat(second.getString("result")).as("a tie goes to the larger estimate; ? is no estimate").isEqualTo("13");
      assertThat(cat.next("task-finalized")).isEqualTo(second);
      assertThat(serverCode(1, "poker.finalize", new JsonObject().put("id", id).put("taskId", "task-2"))).as("only once").isEqualTo(409);

      assertThat(server(1, "poker.end", new JsonObject().put("id", id))).isEqualTo(new JsonObject());
      for (VoteTab tab : tabs) {
        assertThat(tab.next("session-ended")).isEqualTo(new JsonObject());
      }
      assertThat(ann.castCode(ann.vote("5", 9))).as("the session is over").isEqualTo(409);

      assertThat(ann.client.requestCode("poker.start", new JsonObject().put("id", id).put("taskId", "x")))
        .as("poker.* is server side only").isEqualTo(403);
      for (VoteTab tab : tabs) {
        assertThat(tab.pending()).as("no tallies in a poker room")
          .noneMatch(envelope -> envelope.getString("event").equals("votes.tick"));
      }
      bob.close();
      cat.close();
    }
  }

  @Test
  void the_seed_provider_interface_is_the_realtime_service() {
    String room = "planning-poker-r" + UUID.randomUUID().toString().substring(0, 8);
    try (VoteTab ann = VoteTab.join(nodes.get(1), "ann", room)) {
      ann.next("member-joined");

      // realtime.trigger(`planning-poker-${sessionId}`, "vote", {...}) from the application's mutations
      nodes.get(0).node().realtime().trigger(room, "vote", new JsonObject().put("userId", "u1").put("taskId", "t9"))
        .await();
      JsonObject envelope = ann.nextEnvelope("vote");

      assertThat(envelope.getJsonObject("data")).isEqualTo(new JsonObject().put("userId", "u1").put("taskId", "t9"));
      assertThat(envelope.containsKey("from")).as("a server event").isFalse();
      assertThat(nodes.get(0).node().realtime().clientConfig().getString("url")).isEqualTo("/eventbus");
    }
  }

  private static JsonObject server(int node, String address, JsonObject body) {
    try {
      return nodes.get(node).vertx().eventBus().<JsonObject>request(address, body).await(10, TimeUnit.SECONDS).body();
    } catch (Exception e) {
      throw new AssertionError(address + " failed: " + e.getMessage(), e);
    }
  }

  private static int serverCode(int node, String address, JsonObject body) {
    try {
      nodes.get(node).vertx().eventBus().request(address, body).await(10, TimeUnit.SECONDS);
      return 0;
    } catch (ReplyException e) {
      return e.failureCode();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
