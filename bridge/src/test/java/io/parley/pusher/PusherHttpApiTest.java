package io.parley.pusher;

import io.parley.shared.Addresses;
import io.parley.testing.BridgeClient;
import io.parley.testing.OwnRedis;
import io.parley.testing.SignedCall;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static io.parley.pusher.RoomMembers.nextPublished;
import static io.parley.pusher.RoomMembers.publishedUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pusher's HTTP API on a Parley node, over plain HTTP with requests signed by the test
 * ({@link SignedCall}): events triggered into rooms reach the rooms' members as ordinary
 * envelopes, the channels' counts are the rooms' members, and every limit and every signature
 * rule is enforced with Pusher's status codes and a plain-text message. Members are bridge
 * clients: a Pusher channel is its Parley room, whoever is in it.
 */
class PusherHttpApiTest {

  private static final String EVENTS = "/apps/parley-dev/events";
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(new JsonObject().put("pusher", new JsonObject().put("apps", new JsonArray()
      .add(new JsonObject().put("id", "parley-dev").put("key", "parley-dev-key").put("secret", "parley-dev-pusher-secret"))
      .add(new JsonObject().put("id", "off").put("key", "off-key").put("secret", "off-secret").put("enabled", false)))));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  // ---------------------------------------------------------------- triggering events

  @Test
  void a_triggered_event_reaches_the_rooms_members_as_an_ordinary_envelope_and_is_in_its_history() {
    try (BridgeClient ann = member("ann", "board-1")) {
      SignedCall.Answer answer = trigger(event("task.update", "{\"title\":\"write the spec\"}", "private-board-1"));

      assertThat(answer.status()).isEqualTo(200);
      assertThat(new JsonObject(answer.body())).isEqualTo(new JsonObject());
      JsonObject envelope = nextPublished(ann, "board-1");
      assertThat(envelope.getString("event")).isEqualTo("task.update");
      assertThat(envelope.getValue("data")).as("JSON data is carried as the value it encodes")
        .isEqualTo(new JsonObject().put("title", "write the spec"));
      assertThat(envelope.getLong("offset")).isEqualTo(1);
      assertThat(envelope.getString("epoch")).isNotBlank();
      assertThat(envelope.containsKey("from")).as("a server event").isFalse();
      JsonObject history = ann.request("rooms.history", new JsonObject().put("room", "board-1").put("sinceOffset", 0));
      assertThat(history.getJsonArray("events")).containsExactly(envelope);
    }
  }

  @Test
  void data_that_is_not_json_is_carried_as_the_string_itself() {
    try (BridgeClient ann = member("ann", "board-2")) {
      trigger(event("note.added", "plain words, not JSON", "board-2"));
      trigger(event("note.added", "[1, 2", "board-2"));
      trigger(event("note.added", "12 monkeys", "board-2"));
      trigger(event("note.added", "", "board-2"));
      trigger(event("note.added", "\"quoted\"", "board-2"));

      assertThat(nextPublished(ann, "board-2").getValue("data")).isEqualTo("plain words, not JSON");
      assertThat(nextPublished(ann, "board-2").getValue("data")).isEqualTo("[1, 2");
      assertThat(nextPublished(ann, "board-2").getValue("data")).as("JSON followed by more is not JSON").isEqualTo("12 monkeys");
      assertThat(nextPublished(ann, "board-2").getValue("data")).isEqualTo("");
      assertThat(nextPublished(ann, "board-2").getValue("data")).as("a JSON string is its value").isEqualTo("quoted");
    }
  }

  @Test
  void a_socket_id_travels_as_the_events_sender_so_that_the_pusher_delivery_skips_that_socket() {
    try (BridgeClient ann = member("ann", "board-3")) {
      trigger(event("task.update", "1", "presence-board-3").put("socket_id", "1234.5678"));

      JsonObject envelope = nextPublished(ann, "board-3");
      assertThat(envelope.getJsonObject("from").getString("sessionId")).isEqualTo("1234.5678");
      assertThat(envelope.getJsonObject("from").getString("userId")).isNull();
    }
  }

  @Test
  void an_event_to_several_channels_reaches_each_room_once_even_when_two_channels_are_one_room() {
    try (BridgeClient ann = member("ann", "board-4"); BridgeClient bob = member("bob", "board-5")) {
      trigger(event("task.update", "1", "private-board-4", "presence-board-4", "board-5"));
      trigger(event("task.marker", "2", "board-4"));

      assertThat(publishedUntil(ann, "board-4", "task.marker")).extracting(e -> e.getString("event"))
        .as("one envelope for private-board-4 and presence-board-4, then the marker").containsExactly("task.update", "task.marker");
      assertThat(nextPublished(bob, "board-5").getString("event")).isEqualTo("task.update");
    }
  }

  @Test
  void info_answers_each_channels_counts_counting_users_and_connections_on_the_node() {
    try (BridgeClient ann = member("ann", "board-6"); BridgeClient annAgain = member("ann", "board-6");
         BridgeClient bob = member("bob", "board-6")) {
      SignedCall.Answer answer = trigger(event("task.update", "1", "presence-board-6", "private-board-6")
        .put("info", "user_count,subscription_count"));

      assertThat(answer.status()).isEqualTo(200);
      assertThat(new JsonObject(answer.body())).isEqualTo(new JsonObject().put("channels", new JsonObject()
        .put("presence-board-6", new JsonObject().put("user_count", 2).put("subscription_count", 3))
        .put("private-board-6", new JsonObject().put("subscription_count", 3))));
    }
  }

  @Test
  void a_batch_is_published_in_order_and_answers_the_info_of_each_event() {
    try (BridgeClient ann = member("ann", "board-7")) {
      JsonObject batch = new JsonObject().put("batch", new JsonArray()
        .add(new JsonObject().put("channel", "private-board-7").put("name", "step.one").put("data", "1"))
        .add(new JsonObject().put("channel", "presence-board-7").put("name", "step.two").put("data", "2").put("info", "user_count"))
        .add(new JsonObject().put("channel", "board-7").put("name", "step.three").put("data", "3").put("info", "subscription_count")));

      SignedCall.Answer answer = SignedCall.post(node.port(), "/apps/parley-dev/batch_events", batch.encode()).send();

      assertThat(answer.status()).isEqualTo(200);
      assertThat(new JsonObject(answer.body()).getJsonArray("batch")).containsExactly(new JsonObject(),
        new JsonObject().put("user_count", 1), new JsonObject().put("subscription_count", 1));
      assertThat(publishedUntil(ann, "board-7", "step.three")).extracting(e -> e.getString("event"))
        .containsExactly("step.one", "step.two", "step.three");
    }
  }

  // ---------------------------------------------------------------- limits

  @Test
  void an_event_goes_to_at_most_100_channels() {
    String[] hundredAndOne = IntStream.rangeClosed(1, 101).mapToObj(i -> "board-limit-" + i).toArray(String[]::new);

    SignedCall.Answer answer = trigger(event("task.update", "1", hundredAndOne));

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.contentType()).startsWith("text/plain");
    assertThat(answer.body()).contains("at most 100 channels");
    assertThat(trigger(event("task.update", "1", java.util.Arrays.copyOf(hundredAndOne, 100))).status()).isEqualTo(200);
  }

  @Test
  void data_over_10_kb_is_a_413_and_10_kb_is_accepted() {
    try (BridgeClient ann = member("ann", "board-8")) {
      SignedCall.Answer tooLarge = trigger(event("task.update", "x".repeat(10 * 1024 + 1), "board-8"));
      SignedCall.Answer justRight = trigger(event("task.update", "y".repeat(10 * 1024), "board-8"));

      assertThat(tooLarge.status()).isEqualTo(413);
      assertThat(tooLarge.body()).contains("10 KB");
      assertThat(justRight.status()).isEqualTo(200);
      assertThat(nextPublished(ann, "board-8").getString("data")).as("the refused event was not published").startsWith("y");
    }
  }

  @Test
  void a_batch_holds_at_most_10_events_and_a_bad_event_in_it_publishes_none() {
    try (BridgeClient ann = member("ann", "board-9")) {
      JsonArray eleven = new JsonArray();
      IntStream.range(0, 11).forEach(i -> eleven.add(new JsonObject().put("channel", "board-9").put("name", "step.n").put("data", "" + i)));
      JsonArray withABadOne = new JsonArray()
        .add(new JsonObject().put("channel", "board-9").put("name", "step.good").put("data", "1"))
        .add(new JsonObject().put("channel", "board-9").put("name", "step bad").put("data", "2"));

      SignedCall.Answer tooMany = SignedCall.post(node.port(), "/apps/parley-dev/batch_events", new JsonObject().put("batch", eleven).encode()).send();
      SignedCall.Answer bad = SignedCall.post(node.port(), "/apps/parley-dev/batch_events", new JsonObject().put("batch", withABadOne).encode()).send();
      trigger(event("step.marker", "3", "board-9"));

      assertThat(tooMany.status()).isEqualTo(400);
      assertThat(tooMany.body()).contains("at most 10 events");
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.body()).contains("batch[1].name");
      assertThat(nextPublished(ann, "board-9").getString("event")).as("nothing of either batch").isEqualTo("step.marker");
    }
  }

  @Test
  void event_names_a_room_cannot_carry_are_refused_with_a_400_that_says_why() {
    try (BridgeClient ann = member("ann", "board-10")) {
      List<String> refused = List.of("x".repeat(65), "with space", "pusher:subscribe", "pusher_internal:member_added", "é");

      for (String name : refused) {
        SignedCall.Answer answer = trigger(event(name, "1", "board-10"));
        assertThat(answer.status()).as(name).isEqualTo(400);
        assertThat(answer.body()).as(name).containsAnyOf("[A-Za-z0-9_.:-]{1,64}", "the protocol's own");
      }
      trigger(event("client-moved", "1", "board-10"));

      assertThat(nextPublished(ann, "board-10").getString("event")).as("any name a room carries, client- too").isEqualTo("client-moved");
    }
  }

  @Test
  void a_channel_that_is_no_parley_room_and_a_malformed_body_are_400s() {
    assertThat(trigger(event("task.update", "1", "private-with:colon")).status()).isEqualTo(400);
    assertThat(trigger(event("task.update", "1", "presence-" + "r".repeat(129))).status()).isEqualTo(400);
    assertThat(trigger(new JsonObject().put("name", "task.update").put("data", new JsonObject()).put("channel", "board-11")).body())
      .contains("data must be a string");
    assertThat(trigger(new JsonObject().put("name", "task.update").put("data", "1").put("channel", "board-11").put("socket_id", "abc")).body())
      .contains("socket_id");
    assertThat(SignedCall.post(node.port(), EVENTS, "not json").send().status()).isEqualTo(400);
  }

  @Test
  void a_body_over_256_kb_is_a_413() {
    SignedCall.Answer answer = SignedCall.post(node.port(), EVENTS, "{\"pad\":\"" + "p".repeat(256 * 1024) + "\"}").send();

    assertThat(answer.status()).isEqualTo(413);
    assertThat(answer.body()).contains("over");
  }

  // ---------------------------------------------------------------- signatures

  @Test
  void an_unknown_app_is_a_404_and_a_disabled_one_a_403() {
    SignedCall.Answer unknown = SignedCall.post(node.port(), "/apps/nobody/events", event("a.b", "1", "board-12").encode()).send();
    SignedCall.Answer disabled = SignedCall.post(node.port(), "/apps/off/events", event("a.b", "1", "board-12").encode())
      .credentials("off-key", "off-secret").send();

    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body()).contains("no Pusher app with id nobody");
    assertThat(disabled.status()).isEqualTo(403);
    assertThat(disabled.body()).contains("disabled");
  }

  @Test
  void a_wrong_signature_key_timestamp_or_body_digest_is_a_401() {
    String body = event("a.b", "1", "board-13").encode();
    long now = System.currentTimeMillis() / 1000;

    SignedCall.Answer wrongSecret = SignedCall.post(node.port(), EVENTS, body).credentials("parley-dev-key", "not-the-secret").send();
    SignedCall.Answer otherKey = SignedCall.post(node.port(), EVENTS, body).credentials("off-key", "parley-dev-pusher-secret").send();
    SignedCall.Answer stale = SignedCall.post(node.port(), EVENTS, body).timestamp(now - 601).send();
    SignedCall.Answer future = SignedCall.post(node.port(), EVENTS, body).timestamp(now + 601).send();
    SignedCall.Answer wrongDigest = SignedCall.post(node.port(), EVENTS, body).bodyMd5("0".repeat(32)).send();
    SignedCall.Answer tampered = SignedCall.post(node.port(), EVENTS, body).signature("0".repeat(64)).send();
    SignedCall.Answer withinSkew = SignedCall.post(node.port(), EVENTS, body).timestamp(now - 590).send();

    assertThat(List.of(wrongSecret, otherKey, stale, future, wrongDigest, tampered)).extracting(SignedCall.Answer::status)
      .containsOnly(401);
    assertThat(wrongSecret.body()).startsWith("Invalid signature");
    assertThat(otherKey.body()).contains("auth_key");
    assertThat(stale.body()).contains("Timestamp expired");
    assertThat(wrongDigest.body()).contains("body_md5");
    assertThat(withinSkew.status()).isEqualTo(200);
  }

  @Test
  void query_parameters_are_signed_in_key_order_whatever_order_they_are_sent_in() {
    SignedCall.Answer answer = SignedCall.get(node.port(), "/apps/parley-dev/channels")
      .param("info", "user_count").param("filter_by_prefix", "presence-").send();

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- channels

  @Test
  void channels_lists_each_occupied_room_under_the_name_the_prefix_asks_for() {
    try (BridgeClient ann = member("ann", "board-list-a"); BridgeClient bob = member("bob", "board-list-a");
         BridgeClient cid = member("cid", "board-list-b")) {
      SignedCall.Answer presence = SignedCall.get(node.port(), "/apps/parley-dev/channels")
        .param("filter_by_prefix", "presence-board-list-").param("info", "user_count").send();
      SignedCall.Answer privates = SignedCall.get(node.port(), "/apps/parley-dev/channels")
        .param("filter_by_prefix", "private-board-list-").send();
      SignedCall.Answer plain = SignedCall.get(node.port(), "/apps/parley-dev/channels").param("filter_by_prefix", "board-list-").send();
      SignedCall.Answer countWithoutPresence = SignedCall.get(node.port(), "/apps/parley-dev/channels")
        .param("filter_by_prefix", "private-").param("info", "user_count").send();

      assertThat(new JsonObject(presence.body())).isEqualTo(new JsonObject().put("channels", new JsonObject()
        .put("presence-board-list-a", new JsonObject().put("user_count", 2))
        .put("presence-board-list-b", new JsonObject().put("user_count", 1))));
      assertThat(new JsonObject(privates.body()).getJsonObject("channels").fieldNames())
        .containsExactlyInAnyOrder("private-board-list-a", "private-board-list-b");
      assertThat(new JsonObject(plain.body()).getJsonObject("channels").fieldNames())
        .containsExactlyInAnyOrder("board-list-a", "board-list-b");
      assertThat(countWithoutPresence.status()).isEqualTo(400);
      assertThat(countWithoutPresence.body()).contains("presence-");
    }
  }

  @Test
  void a_channels_info_says_whether_it_is_occupied_and_counts_users_and_connections() {
    try (BridgeClient ann = member("ann", "board-14"); BridgeClient annAgain = member("ann", "board-14")) {
      JsonObject presence = json(SignedCall.get(node.port(), "/apps/parley-dev/channels/presence-board-14")
        .param("info", "user_count,subscription_count").send());
      JsonObject privateChannel = json(SignedCall.get(node.port(), "/apps/parley-dev/channels/private-board-14").send());
      JsonObject empty = json(SignedCall.get(node.port(), "/apps/parley-dev/channels/presence-board-nobody")
        .param("info", "user_count").send());
      SignedCall.Answer userCountOfPrivate = SignedCall.get(node.port(), "/apps/parley-dev/channels/private-board-14")
        .param("info", "user_count").send();

      assertThat(presence).isEqualTo(new JsonObject().put("occupied", true).put("user_count", 1).put("subscription_count", 2));
      assertThat(privateChannel).isEqualTo(new JsonObject().put("occupied", true));
      assertThat(empty).isEqualTo(new JsonObject().put("occupied", false).put("user_count", 0));
      assertThat(userCountOfPrivate.status()).isEqualTo(400);
    }
  }

  @Test
  void a_presence_channels_users_are_the_rooms_members_and_other_channels_have_none_to_list() {
    try (BridgeClient ann = member("ann", "board-15"); BridgeClient bob = member("bob", "board-15")) {
      JsonObject users = json(SignedCall.get(node.port(), "/apps/parley-dev/channels/presence-board-15/users").send());
      SignedCall.Answer ofPrivate = SignedCall.get(node.port(), "/apps/parley-dev/channels/private-board-15/users").send();

      assertThat(users.getJsonArray("users")).containsExactlyInAnyOrder(new JsonObject().put("id", "ann"), new JsonObject().put("id", "bob"));
      assertThat(ofPrivate.status()).isEqualTo(400);
      assertThat(ofPrivate.body()).contains("presence channels");
    }
  }

  @Test
  void a_server_to_user_channel_is_the_users_room_in_the_path_as_in_the_body() {
    try (BridgeClient dee = node.signIn("dee")) {
      dee.join("user-dee");

      SignedCall.Answer triggered = trigger(event("note.sent", "{}", "#server-to-user-dee"));
      JsonObject info = json(SignedCall.get(node.port(), "/apps/parley-dev/channels/%23server-to-user-dee")
        .param("info", "subscription_count").send());

      assertThat(triggered.status()).isEqualTo(200);
      assertThat(nextPublished(dee, "user-dee").getString("event")).isEqualTo("note.sent");
      assertThat(info).as("signed over the decoded path").isEqualTo(new JsonObject().put("occupied", true).put("subscription_count", 1));
    }
  }

  @Test
  void terminating_a_users_connections_is_published_to_every_node() throws Exception {
    CompletableFuture<JsonObject> heard = new CompletableFuture<>();
    node.vertx().eventBus().<JsonObject>consumer(Addresses.PUSHER_TERMINATE, message -> heard.complete(message.body()))
      .completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    SignedCall.Answer answer = SignedCall.post(node.port(), "/apps/parley-dev/users/ann/terminate_connections", "{}").send();

    assertThat(answer.status()).isEqualTo(200);
    assertThat(heard.get(10, TimeUnit.SECONDS)).isEqualTo(new JsonObject().put("app", "parley-dev").put("userId", "ann"));
  }

  @Test
  void a_room_store_outage_is_a_503_that_says_to_try_again() {
    try (OwnRedis redis = OwnRedis.start();
         TestNode withRedis = TestNode.start(new JsonObject().put("redis", new JsonObject().put("uri", redis.uri()).put("prefix", "pusher-outage:")))) {
      redis.kill();

      SignedCall.Answer trigger = SignedCall.post(withRedis.port(), EVENTS, event("a.b", "1", "board-16").encode()).send();
      SignedCall.Answer channels = SignedCall.get(withRedis.port(), "/apps/parley-dev/channels").send();
      SignedCall.Answer channel = SignedCall.get(withRedis.port(), "/apps/parley-dev/channels/presence-board-16").send();

      assertThat(List.of(trigger, channels, channel)).extracting(SignedCall.Answer::status).containsOnly(503);
      assertThat(List.of(trigger, channels, channel)).extracting(SignedCall.Answer::body).allMatch(body -> body.contains("try again"));
    }
  }

  // ---------------------------------------------------------------- helpers

  private static BridgeClient member(String userId, String room) {
    return RoomMembers.member(node, userId, room);
  }

  private static JsonObject event(String name, String data, String... channels) {
    return new JsonObject().put("name", name).put("data", data).put("channels", new JsonArray(List.of(channels)));
  }

  private static SignedCall.Answer trigger(JsonObject body) {
    return SignedCall.post(node.port(), EVENTS, body.encode()).send();
  }

  private static JsonObject json(SignedCall.Answer answer) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return new JsonObject(answer.body());
  }
}
