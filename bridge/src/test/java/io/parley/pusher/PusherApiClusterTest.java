package io.parley.pusher;

import io.parley.shared.Addresses;
import io.parley.shared.Await;
import io.parley.testing.BridgeClient;
import io.parley.testing.SignedCall;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.parley.pusher.RoomMembers.member;
import static io.parley.pusher.RoomMembers.nextPublished;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes in a real Hazelcast cluster sharing real Redis: the Pusher HTTP API of either node
 * answers for the whole cluster. Its counts are read from the shared room store, so they include
 * the members connected to the other node, exactly and at once; an event triggered on one node
 * reaches the members on both; terminating a user's connections is heard on every node.
 */
class PusherApiClusterTest {

  private static final List<TestNode> nodes = new ArrayList<>();

  @BeforeAll
  static void start_two_nodes() {
    nodes.addAll(TestNode.startCluster("pusher-api", 2, new JsonObject()));
  }

  @AfterAll
  static void stop() {
    nodes.forEach(TestNode::close);
  }

  @Test
  void counts_asked_of_one_node_include_the_members_connected_to_the_other() {
    TestNode a = nodes.get(0);
    TestNode b = nodes.get(1);
    try (BridgeClient annOnA = member(a, "ann", "board-c1"); BridgeClient annOnB = member(b, "ann", "board-c1");
         BridgeClient bobOnB = member(b, "bob", "board-c1"); BridgeClient cidOnB = member(b, "cid", "board-c2")) {
      JsonObject channel = json(SignedCall.get(a.port(), "/apps/parley-dev/channels/presence-board-c1")
        .param("info", "user_count,subscription_count").send());
      JsonObject channels = json(SignedCall.get(a.port(), "/apps/parley-dev/channels")
        .param("filter_by_prefix", "presence-board-c").param("info", "user_count").send());
      JsonObject users = json(SignedCall.get(a.port(), "/apps/parley-dev/channels/presence-board-c1/users").send());
      JsonObject triggered = json(SignedCall.post(b.port(), "/apps/parley-dev/events", new JsonObject().put("name", "task.update")
        .put("data", "{\"n\":1}").put("channel", "presence-board-c1").put("info", "user_count,subscription_count").encode()).send());

      assertThat(channel).isEqualTo(new JsonObject().put("occupied", true).put("user_count", 2).put("subscription_count", 3));
      assertThat(channels).isEqualTo(new JsonObject().put("channels", new JsonObject()
        .put("presence-board-c1", new JsonObject().put("user_count", 2))
        .put("presence-board-c2", new JsonObject().put("user_count", 1))));
      assertThat(users.getJsonArray("users")).containsExactlyInAnyOrder(new JsonObject().put("id", "ann"), new JsonObject().put("id", "bob"));
      assertThat(triggered.getJsonObject("channels").getJsonObject("presence-board-c1"))
        .isEqualTo(new JsonObject().put("user_count", 2).put("subscription_count", 3));
      assertThat(nextPublished(annOnA, "board-c1").getJsonObject("data")).as("triggered on b, delivered on a").isEqualTo(new JsonObject().put("n", 1));
      assertThat(nextPublished(bobOnB, "board-c1").getJsonObject("data")).isEqualTo(new JsonObject().put("n", 1));

      bobOnB.close();
      annOnB.close();
      JsonObject afterLeaving = awaitChannel(a, "presence-board-c1", state -> state.getInteger("subscription_count") == 1);
      assertThat(afterLeaving).isEqualTo(new JsonObject().put("occupied", true).put("user_count", 1).put("subscription_count", 1));
    }
  }

  @Test
  void terminating_a_users_connections_is_heard_on_every_node() throws Exception {
    List<CompletableFuture<JsonObject>> heard = new ArrayList<>();
    for (TestNode node : nodes) {
      CompletableFuture<JsonObject> onNode = new CompletableFuture<>();
      heard.add(onNode);
      node.vertx().eventBus().<JsonObject>consumer(Addresses.PUSHER_TERMINATE, message -> onNode.complete(message.body()))
        .completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    assertThat(SignedCall.post(nodes.get(0).port(), "/apps/parley-dev/users/ann/terminate_connections", "{}").send().status()).isEqualTo(200);

    for (CompletableFuture<JsonObject> onNode : heard) {
      assertThat(onNode.get(10, TimeUnit.SECONDS)).isEqualTo(new JsonObject().put("app", "parley-dev").put("userId", "ann"));
    }
  }

  /** Asks a channel's counts until they satisfy {@code condition}: leaves are recorded after the socket closes. */
  private static JsonObject awaitChannel(TestNode node, String channel, java.util.function.Predicate<JsonObject> condition) {
    JsonObject[] last = new JsonObject[1];
    Await.until(channel + " satisfying the condition", Duration.ofSeconds(10), () -> condition.test(last[0] =
      json(SignedCall.get(node.port(), "/apps/parley-dev/channels/" + channel).param("info", "user_count,subscription_count").send())));
    return last[0];
  }

  private static JsonObject json(SignedCall.Answer answer) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return new JsonObject(answer.body());
  }
}
