package io.parley.pusher;

import com.pusher.rest.Pusher;
import com.pusher.rest.data.Event;
import com.pusher.rest.data.PresenceUser;
import com.pusher.rest.data.Result;
import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.parley.pusher.RoomMembers.member;
import static io.parley.pusher.RoomMembers.nextPublished;
import static io.parley.pusher.RoomMembers.publishedUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backend on the published Pusher server SDK for Java, {@code com.pusher:pusher-http-java}
 * 1.3.4 unchanged, against a Parley node: it signs its requests with the query in its own order,
 * and Parley accepts them; what it triggers reaches the rooms' members, what it reads are the
 * rooms' members, and what it signs for sockets is what Parley checks.
 */
class PusherJavaSdkTest {

  private static final PusherApp DEV_APP = new PusherApp("parley-dev", "parley-dev-key", PusherOptions.DEV_SECRET, true, true, List.of());
  private static TestNode node;
  private static Pusher pusher;

  @BeforeAll
  static void start() {
    node = TestNode.start();
    pusher = new Pusher(DEV_APP.id(), DEV_APP.key(), DEV_APP.secret());
    pusher.setHost("127.0.0.1:" + node.port());
  }

  @AfterAll
  static void stop() throws Exception {
    pusher.close();
    node.close();
  }

  @Test
  void trigger_reaches_every_rooms_members_once_and_excludes_the_socket_it_names() {
    try (BridgeClient ann = member(node, "ann", "board-j1"); BridgeClient bob = member(node, "bob", "board-j2")) {
      Result one = pusher.trigger("private-board-j1", "task.update", Map.of("title", "one channel"));
      Result several = pusher.trigger(List.of("private-board-j1", "presence-board-j1", "board-j2"), "task.update", Map.of("title", "several"));
      Result excluding = pusher.trigger("presence-board-j1", "task.moved", Map.of("to", "done"), "1234.5678");

      assertThat(List.of(one, several, excluding)).extracting(Result::getStatus).containsOnly(Result.Status.SUCCESS);
      List<JsonObject> published = publishedUntil(ann, "board-j1", "task.moved");
      assertThat(published).extracting(e -> e.getJsonObject("data")).containsExactly(new JsonObject().put("title", "one channel"),
        new JsonObject().put("title", "several"), new JsonObject().put("to", "done"));
      assertThat(published.get(2).getJsonObject("from").getString("sessionId")).isEqualTo("1234.5678");
      assertThat(nextPublished(bob, "board-j2").getJsonObject("data").getString("title")).isEqualTo("several");
    }
  }

  @Test
  void a_batch_is_published_in_order() {
    try (BridgeClient ann = member(node, "ann", "board-j3")) {
      Result batch = pusher.trigger(List.of(new Event("private-board-j3", "step.one", Map.of("n", 1)),
        new Event("presence-board-j3", "step.two", Map.of("n", 2), "1234.5678")));

      assertThat(batch.getStatus()).as(batch.getMessage()).isEqualTo(Result.Status.SUCCESS);
      assertThat(publishedUntil(ann, "board-j3", "step.two")).extracting(e -> e.getString("event")).containsExactly("step.one", "step.two");
    }
  }

  @Test
  void channels_a_channels_info_and_its_users_are_the_rooms_members() {
    try (BridgeClient ann = member(node, "ann", "board-j4"); BridgeClient annAgain = member(node, "ann", "board-j4");
         BridgeClient bob = member(node, "bob", "board-j4")) {
      Result channels = pusher.get("/channels", Map.of("filter_by_prefix", "presence-board-j4", "info", "user_count"));
      Result channel = pusher.get("/channels/presence-board-j4", Map.of("info", "user_count,subscription_count"));
      Result users = pusher.get("/channels/presence-board-j4/users");

      assertThat(new JsonObject(channels.getMessage())).isEqualTo(new JsonObject().put("channels",
        new JsonObject().put("presence-board-j4", new JsonObject().put("user_count", 2))));
      assertThat(new JsonObject(channel.getMessage()))
        .isEqualTo(new JsonObject().put("occupied", true).put("user_count", 2).put("subscription_count", 3));
      assertThat(new JsonObject(users.getMessage()).getJsonArray("users"))
        .containsExactlyInAnyOrder(new JsonObject().put("id", "ann"), new JsonObject().put("id", "bob"));
    }
  }

  @Test
  void a_refusal_reaches_the_sdk_as_its_status_with_parleys_message() throws Exception {
    Result refused = pusher.trigger("private-board-j5", "an event name with spaces", Map.of());
    Result wrongSecret;
    try (Pusher impostor = new Pusher(DEV_APP.id(), DEV_APP.key(), "not-the-secret")) {
      impostor.setHost("127.0.0.1:" + node.port());
      wrongSecret = impostor.trigger("private-board-j5", "task.update", Map.of());
    }

    assertThat(refused.getStatus()).isEqualTo(Result.Status.CLIENT_ERROR);
    assertThat(refused.getMessage()).contains("[A-Za-z0-9_.:-]{1,64}");
    assertThat(wrongSecret.getStatus()).isEqualTo(Result.Status.AUTHENTICATION_ERROR);
    assertThat(wrongSecret.getMessage()).startsWith("Invalid signature");
  }

  @Test
  void what_the_sdk_signs_for_sockets_is_what_parley_checks() {
    JsonObject privateAuth = new JsonObject(pusher.authenticate("1234.5678", "private-board-j6"));
    JsonObject presenceAuth = new JsonObject(pusher.authenticate("1234.5678", "presence-board-j6",
      new PresenceUser("ann", Map.of("name", "Ann"))));

    assertThat(PusherSignature.verifyAuth(DEV_APP, "1234.5678:private-board-j6", privateAuth.getString("auth"))).isTrue();
    assertThat(PusherSignature.verifyAuth(DEV_APP, "1234.5678:presence-board-j6:" + presenceAuth.getString("channel_data"),
      presenceAuth.getString("auth"))).isTrue();
    assertThat(new JsonObject(presenceAuth.getString("channel_data")).getString("user_id")).isEqualTo("ann");
    assertThat(PusherSignature.verifyAuth(DEV_APP, "1234.5679:private-board-j6", privateAuth.getString("auth"))).as("another socket").isFalse();
  }
}
