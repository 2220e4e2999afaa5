package io.parley.bridge;

import io.parley.shared.RealtimeService;
import io.parley.testing.BridgeClient;
import io.parley.testing.TcpBridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.parley.testing.TestNode.boards;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TCP endpoint is the same security boundary as the websocket bridge: every frame is judged
 * by the same connection rules, and a misbehaving connection is refused or closed without any
 * other connection noticing. After each test a bystander service, connected all along, still
 * publishes and is answered, and a browser member of the room still receives it.
 */
class TcpBridgeSecurityTest {

  private static final String KEY = "billing-secret-key-0123456789";
  private static final int MAX_FRAME_BYTES = 8192;

  private static TestNode node;
  private static TcpBridgeClient bystander;
  private static BridgeClient member;
  /** What reaches poker.start, which this node's votes verticle does not serve: the headers as written by the bridge. */
  private static final BlockingQueue<io.vertx.core.MultiMap> pokerHeaders = new LinkedBlockingQueue<>();
  private static MessageConsumer<Object> poker;

  @BeforeAll
  static void start() {
    node = TestNode.start(TestNode.TCP.copy()
      .put("api", new JsonObject().put("keys", new JsonArray().add("dev-api-key").add(new JsonObject().put("id", "billing").put("key", KEY))))
      .put("deployment", new JsonObject().put("votes", 0))
      .put("bridge", new JsonObject().put("maxBodyBytes", 4096).put("maxFrameBytes", MAX_FRAME_BYTES)));
    poker = node.vertx().eventBus().consumer("poker.start", message -> {
      pokerHeaders.add(message.headers());
      message.reply(new JsonObject());
    });
    poker.completion().await();
  }

  @BeforeEach
  void a_bystander_service_and_a_member_are_connected() {
    bystander = node.service(KEY);
    member = node.signIn("mia", boards("7"));
    member.join("board-7");
  }

  @AfterEach
  void the_bystander_noticed_nothing() {
    assertThat(bystander.isClosed()).isFalse();
    assertThat(bystander.request("rooms.publish", new JsonObject().put("room", "board-7").put("event", "board.update").put("data", "still"))
      .getInteger("offset")).isPositive();
    assertThat(member.envelopesUntil("room.board-7", "board.update")).last()
      .satisfies(envelope -> assertThat(envelope.getString("data")).isEqualTo("still"));
  }

  @AfterAll
  static void stop() {
    bystander.close();
    member.close();
    node.close();
  }

  @Test
  void before_authenticating_only_auth_authenticate_and_ping_pass_and_every_other_frame_is_refused_with_401() {
    try (TcpBridgeClient client = node.connectTcp()) {
      assertThat(client.ping().getString("type")).isEqualTo("pong");
      assertThat(client.requestCode("rooms.publish", new JsonObject().put("room", "board-7").put("event", "x.y").put("data", 1))).isEqualTo(401);
      client.register("rooms.authorize");
      JsonObject refused = client.next("rooms.authorize");
      assertThat(refused.getString("type")).isEqualTo("err");
      assertThat(refused.getInteger("failureCode")).isEqualTo(401);
      client.send(new JsonObject().put("type", "send").put("address", "notifications.publish").put("body", new JsonObject()));
      JsonObject err = client.nextError();
      assertThat(err.getString("body")).isEqualTo("unauthenticated");
      assertThat(err.getInteger("failureCode")).isEqualTo(401);
    }
  }

  @Test
  void a_connection_that_does_not_authenticate_in_time_is_told_and_closed() {
    try (TcpBridgeClient silent = node.connectTcp()) {
      assertThat(silent.errorsUntilClosed()).extracting(err -> err.getString("body")).containsExactly("auth_timeout");
    }
  }

  @Test
  void a_wrong_api_key_is_refused_with_401_and_the_connection_may_try_again() {
    try (TcpBridgeClient client = node.connectTcp()) {
      assertThat(client.requestCode("auth.authenticate", new JsonObject().put("apiKey", KEY + "x"))).isEqualTo(401);
      assertThat(client.requestCode("auth.authenticate", new JsonObject().put("apiKey", ""))).isEqualTo(401);
      JsonObject reply = client.authenticateService(KEY);
      assertThat(reply.getString("service")).isEqualTo("billing");
      assertThat(reply.getString("connectionId")).isNotBlank();
      assertThat(reply.encode()).as("the key is never told back").doesNotContain(KEY);
    }
  }

  @Test
  void a_browser_token_on_tcp_gets_exactly_a_browsers_rights() {
    String sessionId = UUID.randomUUID().toString();
    try (TcpBridgeClient tab = node.connectTcp()) {
      JsonObject reply = tab.request("auth.authenticate", new JsonObject().put("token", node.token("ann", boards("7"))).put("sessionId", sessionId));
      assertThat(reply.getString("userId")).isEqualTo("ann");
      // a browser's requests work, as a member of its rooms
      tab.register("room.board-7");
      JsonObject state = tab.request("rooms.state", new JsonObject().put("room", "board-7"));
      assertThat(BridgeClient.connectionsOf(state, "ann")).isEqualTo(1);
      assertThat(tab.request("rooms.publish", new JsonObject().put("room", "board-7").put("event", "task.update").put("data", 1))
        .getInteger("offset")).isPositive();
      JsonObject delivery = tab.nextWithEvent("room.board-7", "task.update");
      assertThat(delivery.getString("type")).as("a delivery in the TCP dialect").isEqualTo("message");
      assertThat(delivery.getJsonObject("body").getJsonObject("from").getString("userId")).isEqualTo("ann");
      // and nothing of a service's
      assertThat(tab.requestCode("notifications.publish", new JsonObject().put("topic", "t").put("data", 1))).isEqualTo(403);
      assertThat(tab.requestCode("poker.start", new JsonObject().put("id", "p").put("taskId", "t"))).isEqualTo(403);
      assertThat(tab.requestCode("rooms.publish", new JsonObject().put("room", "board-7").put("event", "invoice.paid").put("data", 1)))
        .as("an event name outside rooms.clientEvents").isEqualTo(403);
      assertThat(tab.requestCode("rooms.publish", new JsonObject().put("room", "board-8").put("event", "task.update").put("data", 1)))
        .as("a room the policy closes").isEqualTo(403);
      tab.register("rooms.authorize");
      assertThat(tab.next("rooms.authorize").getInteger("failureCode")).isEqualTo(403);
      tab.register("room.user-bob");
      assertThat(tab.next("room.user-bob").getInteger("failureCode")).isEqualTo(403);
      assertThat(tab.requestCode("auth.authenticate", new JsonObject().put("apiKey", KEY)))
        .as("a user's connection does not become a service").isEqualTo(409);
    }
  }

  @Test
  void forged_identity_headers_are_overwritten_on_every_transport_and_kind() throws Exception {
    JsonObject forged = new JsonObject().put("userId", "bob").put("sessionId", "forged").put("connectionId", "forged")
      .put("userName", "Bob").put("service", "forged");
    try (TcpBridgeClient service = node.service(KEY); TcpBridgeClient tab = node.connectTcp()) {
      pokerHeaders.clear();
      service.request("poker.start", new JsonObject().put("id", "p1").put("taskId", "t1"), forged);
      io.vertx.core.MultiMap headers = pokerHeaders.poll(10, TimeUnit.SECONDS);
      assertThat(headers).isNotNull();
      assertThat(headers.names()).containsExactly("service");
      assertThat(headers.get("service")).isEqualTo("billing");

      service.request("rooms.publish", new JsonObject().put("room", "board-7").put("event", "invoice.paid").put("data", 1), forged);
      JsonObject fromService = member.envelopesUntil("room.board-7", "invoice.paid").get(0);
      assertThat(fromService.containsKey("from")).as("a service publishes as the server").isFalse();

      tab.request("auth.authenticate", new JsonObject().put("token", node.token("ann", boards("7"))).put("sessionId", UUID.randomUUID().toString()));
      tab.request("rooms.publish", new JsonObject().put("room", "board-7").put("event", "task.create").put("data", 2), forged);
      List<JsonObject> seen = member.envelopesUntil("room.board-7", "task.create");
      JsonObject fromTab = seen.get(seen.size() - 1);
      assertThat(fromTab.getJsonObject("from").getString("userId")).isEqualTo("ann");
      assertThat(fromTab.getJsonObject("from").getString("sessionId")).isNotEqualTo("forged");
    }
  }

  @Test
  void a_length_prefix_over_max_frame_bytes_is_refused_with_413_and_closes_that_connection() {
    try (TcpBridgeClient client = node.service(KEY)) {
      client.sendRaw(ByteBuffer.allocate(4).putInt(MAX_FRAME_BYTES + 1).array());
      assertThat(client.errorsUntilClosed()).singleElement().satisfies(err -> {
        assertThat(err.getString("body")).isEqualTo("too_large");
        assertThat(err.getInteger("failureCode")).isEqualTo(413);
      });
    }
  }

  @Test
  void a_negative_length_prefix_is_refused_with_400_and_closes_that_connection() {
    try (TcpBridgeClient client = node.service(KEY)) {
      client.sendRaw(ByteBuffer.allocate(4).putInt(-5).array());
      assertThat(client.errorsUntilClosed()).singleElement().satisfies(err -> {
        assertThat(err.getString("body")).isEqualTo("invalid_frame");
        assertThat(err.getInteger("failureCode")).isEqualTo(400);
      });
    }
  }

  @Test
  void a_frame_cut_off_mid_way_waits_for_its_rest() {
    try (TcpBridgeClient client = node.connectTcp()) {
      byte[] json = new JsonObject().put("type", "send").put("address", "auth.authenticate")
        .put("body", new JsonObject().put("apiKey", KEY)).put("replyAddress", "r1").encode().getBytes(StandardCharsets.UTF_8);
      byte[] framed = ByteBuffer.allocate(4 + json.length).putInt(json.length).put(json).array();
      // the length itself split, then the JSON split
      client.sendRaw(Arrays.copyOfRange(framed, 0, 2));
      client.sendRaw(Arrays.copyOfRange(framed, 2, 4 + json.length / 2));
      client.sendRaw(Arrays.copyOfRange(framed, 4 + json.length / 2, framed.length));
      JsonObject reply = client.next("r1");
      assertThat(reply.getString("type")).isEqualTo("message");
      assertThat(reply.getJsonObject("body").getString("service")).isEqualTo("billing");
    }
  }

  @Test
  void a_frame_without_type_is_refused_with_400_and_the_connection_keeps_working() {
    try (TcpBridgeClient client = node.service(KEY)) {
      client.send(new JsonObject().put("address", "rooms.publish").put("body", new JsonObject()));
      assertRefusedAndStillWorking(client, "invalid_type", 400);
    }
  }

  @Test
  void a_frame_that_is_not_json_is_refused_with_400_and_the_connection_keeps_working() {
    try (TcpBridgeClient client = node.service(KEY)) {
      client.sendBytes("{\"type\":\"send\",".getBytes(StandardCharsets.UTF_8));
      assertRefusedAndStillWorking(client, "invalid_json", 400);
      client.sendBytes("[1,2]".getBytes(StandardCharsets.UTF_8));
      assertRefusedAndStillWorking(client, "invalid_json", 400);
    }
  }

  @Test
  void a_frame_that_is_not_utf8_is_refused_with_400_and_the_connection_keeps_working() {
    try (TcpBridgeClient client = node.service(KEY)) {
      byte[] prefix = "{\"type\":\"ping\",\"x\":\"".getBytes(StandardCharsets.UTF_8);
      byte[] frame = Arrays.copyOf(prefix, prefix.length + 4);
      frame[prefix.length] = (byte) 0xC3;   // a two-byte sequence cut short
      frame[prefix.length + 1] = (byte) 0x28;
      frame[prefix.length + 2] = '"';
      frame[prefix.length + 3] = '}';
      client.sendBytes(frame);
      assertRefusedAndStillWorking(client, "invalid_json", 400);
    }
  }

  @Test
  void registering_an_address_twice_is_refused_with_409() {
    try (TcpBridgeClient client = node.service(KEY)) {
      client.register("rooms.joined");
      client.register("rooms.joined");
      JsonObject refused = client.next("rooms.joined");
      assertThat(refused.getString("type")).isEqualTo("err");
      assertThat(refused.getInteger("failureCode")).isEqualTo(409);
      client.register("room.board-7");
      client.register("room.board-7");
      assertThat(client.next("room.board-7").getInteger("failureCode")).isEqualTo(409);
    }
  }

  @Test
  void a_reply_to_a_reply_address_never_sent_to_this_connection_is_refused_with_403() {
    try (TcpBridgeClient asked = node.service(KEY); TcpBridgeClient other = node.service(KEY)) {
      asked.registerAndAwait("rooms.authorize");
      // a request the first service holds, under an id only it was told
      node.vertx().eventBus().request("rooms.authorize", new JsonObject().put("room", "org-x").put("userId", "u"));
      String replyId = asked.next("rooms.authorize").getString("replyAddress");
      assertThat(replyId).isNotBlank();
      assertThat(other.requestCode(replyId, new JsonObject().put("allowed", true))).isEqualTo(403);
      assertThat(other.requestCode(UUID.randomUUID().toString(), new JsonObject().put("allowed", true))).isEqualTo(403);
    }
  }

  @Test
  void a_flood_beyond_the_rate_limit_is_refused_with_429_then_closed_for_too_many_refusals() {
    try (TcpBridgeClient flooder = node.connectTcp()) {
      flooder.request("auth.authenticate", new JsonObject().put("token", node.token("flo")).put("sessionId", UUID.randomUUID().toString()));
      byte[] ping = new JsonObject().put("type", "ping").encode().getBytes(StandardCharsets.UTF_8);
      ByteBuffer flood = ByteBuffer.allocate(400 * (4 + ping.length));
      for (int i = 0; i < 400; i++) {
        flood.putInt(ping.length).put(ping);
      }
      flooder.sendRaw(flood.array());
      List<JsonObject> errors = flooder.errorsUntilClosed();
      assertThat(errors.get(0).getString("body")).isEqualTo("rate_limited");
      assertThat(errors.get(0).getInteger("failureCode")).isEqualTo(429);
      assertThat(errors.get(errors.size() - 1).getString("body")).isEqualTo("too_many_refusals");
    }
  }

  @Test
  void a_service_has_a_rate_of_its_own_once_authenticated_and_a_user_keeps_the_users() {
    JsonObject tight = TestNode.TCP.copy().put("bridge", new JsonObject().put("ratePerSecond", 1).put("rateBurst", 20));
    try (TestNode limited = TestNode.start(tight); TcpBridgeClient service = limited.service(HttpOptions.DEV_API_KEY);
         TcpBridgeClient tab = limited.connectTcp()) {
      tab.request("auth.authenticate", new JsonObject().put("token", limited.token("ann")).put("sessionId", UUID.randomUUID().toString()));
      byte[] ping = new JsonObject().put("type", "ping").encode().getBytes(StandardCharsets.UTF_8);
      ByteBuffer pings = ByteBuffer.allocate(100 * (4 + ping.length));
      for (int i = 0; i < 100; i++) {
        pings.putInt(ping.length).put(ping);
      }
      service.sendRaw(pings.array());
      tab.sendRaw(pings.array());
      assertThat(tab.nextError().getString("body")).as("the user's rate: 20 at once").isEqualTo("rate_limited");
      for (int i = 0; i < 100; i++) {
        assertThat(service.pong().getString("type")).isEqualTo("pong");
      }
      assertThat(service.request("rooms.publish", new JsonObject().put("room", "org-x").put("event", "x.y").put("data", 1))
        .getInteger("offset")).as("no refusal came before this reply").isPositive();
    }
  }

  @Test
  void a_connection_that_stops_reading_is_told_and_closed_and_the_room_goes_on() throws Exception {
    try (TestNode small = TestNode.start(TestNode.TCP.copy().put("bridge", new JsonObject().put("maxQueuedBytes", 64 * 1024)));
         TcpBridgeClient stalled = TcpBridgeClient.connectNotReading(small.tcpPort());
         BridgeClient healthy = small.signIn("hal")) {
      stalled.send(new JsonObject().put("type", "send").put("address", "auth.authenticate")
        .put("body", new JsonObject().put("apiKey", "dev-api-key")));
      stalled.send(new JsonObject().put("type", "register").put("address", "room.votes-slow"));
      healthy.join("votes-slow");
      RealtimeService realtime = small.node().realtime();
      String chunk = "x".repeat(5_000);
      // far more than loopback socket buffers and the 64 kB bound hold for a connection that reads nothing
      for (int i = 0; i < 2_000; i++) {
        realtime.trigger("votes-slow", "load", chunk).await(10, TimeUnit.SECONDS);
        healthy.envelopesUntil("room.votes-slow", "load");
      }
      stalled.resumeReading();
      List<JsonObject> errors = stalled.errorsUntilClosed();
      assertThat(errors).last().satisfies(err -> {
        assertThat(err.getString("body")).isEqualTo("slow_consumer");
        assertThat(err.getInteger("failureCode")).isEqualTo(503);
      });
      realtime.trigger("votes-slow", "user.update", "still flowing").await(10, TimeUnit.SECONDS);
      assertThat(healthy.envelopesUntil("room.votes-slow", "user.update")).last()
        .satisfies(e -> assertThat(e.getString("data")).isEqualTo("still flowing"));
    }
  }

  private static void assertRefusedAndStillWorking(TcpBridgeClient client, String body, int code) {
    JsonObject err = client.nextError();
    assertThat(err.getString("type")).isEqualTo("err");
    assertThat(err.getString("body")).isEqualTo(body);
    assertThat(err.getInteger("failureCode")).isEqualTo(code);
    assertThat(client.ping().getString("type")).isEqualTo("pong");
    assertThat(client.authenticateService(KEY).getString("service")).isEqualTo("billing");
  }
}
