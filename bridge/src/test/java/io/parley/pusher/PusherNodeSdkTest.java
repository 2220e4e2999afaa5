package io.parley.pusher;

import io.parley.shared.Addresses;
import io.parley.testing.BridgeClient;
import io.parley.testing.Scripts;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.parley.pusher.RoomMembers.member;
import static io.parley.pusher.RoomMembers.nextPublished;
import static io.parley.pusher.RoomMembers.publishedUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backend on the published Pusher server SDK for Node, {@code pusher} 5.3.4 unchanged
 * ({@code bridge/src/test/node/pusher-api.js}), against a Parley node: what it triggers reaches
 * the rooms' members, what it reads are the rooms' members, what it signs for sockets and what
 * it accepts as a webhook are Parley's signatures. Needs {@code node} on the PATH; the locked
 * npm packages are installed with {@code npm ci} when absent.
 */
class PusherNodeSdkTest {

  private static final long SCRIPT_SECONDS = 60;
  private static final PusherApp DEV_APP = new PusherApp("parley-dev", "parley-dev-key", PusherOptions.DEV_SECRET, true, true, List.of());

  @Test
  void the_node_sdk_triggers_reads_terminates_signs_and_checks_webhooks_against_parley() throws Exception {
    Path dir = Scripts.repositoryRoot("bridge/src/test/node").resolve("bridge/src/test/node");
    Scripts.ensureInstalled(dir, "node_modules/pusher/package.json", "node_modules/vertx3-tcp-eventbus-client/lib/tcp-vertx-eventbus.js");
    String webhook = new JsonObject().put("time_ms", System.currentTimeMillis())
      .put("events", new JsonArray().add(new JsonObject().put("name", "channel_occupied").put("channel", "presence-board-n1"))).encode();

    try (TestNode node = TestNode.start();
         BridgeClient ann = member(node, "ann", "board-n1"); BridgeClient annAgain = member(node, "ann", "board-n1");
         BridgeClient bob = member(node, "bob", "board-n1"); BridgeClient cid = member(node, "cid", "board-n1-other");
         BridgeClient annsOwnRoom = node.signIn("ann")) {
      annsOwnRoom.join("user-ann");
      CompletableFuture<JsonObject> terminated = new CompletableFuture<>();
      node.vertx().eventBus().<JsonObject>consumer(Addresses.PUSHER_TERMINATE, message -> terminated.complete(message.body()))
        .completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

      Scripts.Finished script = Scripts.run(dir, SCRIPT_SECONDS, List.of(Scripts.node(), "pusher-api.js",
        String.valueOf(node.port()), DEV_APP.id(), DEV_APP.key(), DEV_APP.secret(), "board-n1", webhook,
        PusherSignature.sign(DEV_APP.secret(), webhook)));

      assertThat(script.exitCode()).as("%s", script.describe()).isZero();
      JsonObject result = new JsonObject(script.lastLine());

      // triggers: one envelope per room, in order, the socket_id as the sender
      List<JsonObject> published = publishedUntil(ann, "board-n1", "step.two");
      assertThat(published).extracting(e -> e.getString("event"))
        .containsExactly("task.update", "task.update", "task.update", "task.update", "step.one", "step.two");
      assertThat(published).extracting(e -> e.getValue("data")).containsExactly(
        new JsonObject().put("title", "one channel"), new JsonObject().put("title", "several channels"), "not JSON",
        new JsonObject().put("title", "with info"), new JsonObject().put("n", 1), new JsonObject().put("n", 2));
      assertThat(published.get(2).getJsonObject("from").getString("sessionId")).isEqualTo("1234.5678");
      assertThat(nextPublished(cid, "board-n1-other").getJsonObject("data").getString("title")).isEqualTo("several channels");
      assertThat(result.getJsonObject("trigger")).isEqualTo(new JsonObject().put("status", 200).put("body", new JsonObject()));
      assertThat(result.getJsonObject("triggerInfo").getJsonObject("body")).isEqualTo(new JsonObject().put("channels",
        new JsonObject().put("presence-board-n1", new JsonObject().put("user_count", 2).put("subscription_count", 3))));
      assertThat(result.getJsonObject("batch").getJsonObject("body").getJsonArray("batch"))
        .containsExactly(new JsonObject(), new JsonObject().put("user_count", 2));

      // reads: the rooms' members
      assertThat(result.getJsonObject("channels").getJsonObject("body")).isEqualTo(new JsonObject().put("channels", new JsonObject()
        .put("presence-board-n1", new JsonObject().put("user_count", 2))
        .put("presence-board-n1-other", new JsonObject().put("user_count", 1))));
      assertThat(result.getJsonObject("channel").getJsonObject("body"))
        .isEqualTo(new JsonObject().put("occupied", true).put("user_count", 2).put("subscription_count", 3));
      assertThat(result.getJsonObject("users").getJsonObject("body").getJsonArray("users"))
        .containsExactlyInAnyOrder(new JsonObject().put("id", "ann"), new JsonObject().put("id", "bob"));

      // an event to a user: #server-to-user-ann is the user's room
      assertThat(result.getJsonObject("sendToUser").getInteger("status")).isEqualTo(200);
      assertThat(nextPublished(annsOwnRoom, "user-ann").getJsonObject("data")).isEqualTo(new JsonObject().put("hello", "ann"));

      // terminate, and a refusal as the SDK surfaces it
      assertThat(result.getJsonObject("terminate").getInteger("status")).isEqualTo(200);
      assertThat(terminated.get(10, TimeUnit.SECONDS)).isEqualTo(new JsonObject().put("app", "parley-dev").put("userId", "bob"));
      assertThat(result.getJsonObject("refused").getInteger("status")).isEqualTo(400);
      assertThat(result.getJsonObject("refused").getString("body")).contains("[A-Za-z0-9_.:-]{1,64}");

      // what the SDK signs for sockets is what Parley checks
      JsonObject privateAuth = result.getJsonObject("privateAuth");
      JsonObject presenceAuth = result.getJsonObject("presenceAuth");
      JsonObject userAuth = result.getJsonObject("userAuth");
      assertThat(PusherSignature.verifyAuth(DEV_APP, "1234.5678:private-board-n1", privateAuth.getString("auth"))).isTrue();
      assertThat(PusherSignature.verifyAuth(DEV_APP, "1234.5678:presence-board-n1:" + presenceAuth.getString("channel_data"),
        presenceAuth.getString("auth"))).isTrue();
      assertThat(new JsonObject(presenceAuth.getString("channel_data")).getString("user_id")).isEqualTo("ann");
      assertThat(PusherSignature.verifyAuth(DEV_APP, "1234.5678::user::" + userAuth.getString("user_data"),
        userAuth.getString("auth"))).isTrue();
      assertThat(PusherSignature.verifyAuth(DEV_APP, "1234.5679:private-board-n1", privateAuth.getString("auth")))
        .as("another socket").isFalse();

      // and a webhook Parley signs is one the SDK accepts
      assertThat(result.getBoolean("webhookValid")).isTrue();
      assertThat(result.getBoolean("webhookTamperedValid")).isFalse();
    }
  }
}
