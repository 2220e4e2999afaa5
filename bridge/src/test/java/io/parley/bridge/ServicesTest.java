package io.parley.bridge;

import io.parley.testing.BridgeClient;
import io.parley.testing.TcpBridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A service in any language joins the bus over the TCP endpoint with an API key: it answers the
 * host hooks (with {@code rooms.policy: "bus"}, who joins which room), hears the server events,
 * publishes into rooms as the server, and watches rooms without being a member. Browsers are on
 * the websocket bridge, as they would be. A service may connect over the websocket bridge too.
 */
class ServicesTest {

  private static final long AUTHORIZE_TIMEOUT_MS = 1000;

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(TestNode.TCP.copy()
      .put("rooms", new JsonObject().put("policy", "bus").put("authorizeTimeoutMs", AUTHORIZE_TIMEOUT_MS)));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** A service answering rooms.authorize: org rooms open to users whose id starts with the org's name. */
  private static TcpBridgeClient authorizingService() {
    TcpBridgeClient service = node.service(HttpOptions.DEV_API_KEY);
    service.answerEach("rooms.authorize", question -> {
      JsonObject q = question.getJsonObject("body");
      String room = q.getString("room");
      return new JsonObject().put("allowed", room.startsWith("org-") && q.getString("userId").startsWith(room.substring(4)));
    });
    service.registerAndAwait("rooms.authorize");
    return service;
  }

  @Test
  void the_service_answering_rooms_authorize_decides_who_joins() {
    try (TcpBridgeClient service = authorizingService();
         BridgeClient acmeAnn = node.signIn("acme.ann"); BridgeClient bob = node.signIn("bob")) {
      JsonObject state = acmeAnn.join("org-acme");
      assertThat(BridgeClient.connectionsOf(state, "acme.ann")).isEqualTo(1);
      bob.register("room.org-acme");
      assertThat(bob.nextRefusal("room.org-acme").getInteger("failureCode")).isEqualTo(403);
    }
  }

  @Test
  void with_the_service_gone_joins_are_refused_with_503_in_time_and_allowed_again_once_it_is_back() {
    TcpBridgeClient first = authorizingService();
    first.close();
    try (BridgeClient ann = node.signIn("acme.ann")) {
      // until the node has seen the close, a question may still reach the closing connection:
      // it fails at once then (503), as does a question nobody consumes
      long asked = System.nanoTime();
      ann.register("room.org-acme");
      assertThat(ann.nextRefusal("room.org-acme").getInteger("failureCode")).isEqualTo(503);
      assertThat((System.nanoTime() - asked) / 1_000_000).as("refused within rooms.authorizeTimeoutMs")
        .isLessThanOrEqualTo(AUTHORIZE_TIMEOUT_MS + 500);
      try (TcpBridgeClient again = authorizingService()) {
        JsonObject state = ann.join("org-acme");
        assertThat(BridgeClient.connectionsOf(state, "acme.ann")).isEqualTo(1);
      }
    }
  }

  @Test
  void a_service_that_holds_a_question_without_answering_gets_the_join_refused_with_503() {
    try (TcpBridgeClient mute = node.service(HttpOptions.DEV_API_KEY); BridgeClient ann = node.signIn("acme.ann")) {
      mute.registerAndAwait("rooms.authorize");
      ann.register("room.org-acme");
      assertThat(ann.nextRefusal("room.org-acme").getInteger("failureCode")).isEqualTo(503);
      assertThat(mute.next("rooms.authorize").getString("replyAddress")).as("it was asked").isNotBlank();
    }
  }

  @Test
  void a_service_hears_rooms_joined_and_rooms_left() {
    try (TcpBridgeClient authorizing = authorizingService(); TcpBridgeClient listener = node.service(HttpOptions.DEV_API_KEY);
         BridgeClient ann = node.signIn("acme.ann")) {
      listener.registerAndAwait("rooms.joined", "rooms.left");
      ann.join("org-acme");
      JsonObject joined = listener.next("rooms.joined");
      assertThat(joined.getString("type")).isEqualTo("message");
      assertThat(joined.getBoolean("send")).as("a publish: nothing to answer").isFalse();
      assertThat(joined.getString("replyAddress")).isNull();
      assertThat(joined.getJsonObject("body").getString("room")).isEqualTo("org-acme");
      assertThat(joined.getJsonObject("body").getString("userId")).isEqualTo("acme.ann");
      ann.unregister("room.org-acme");
      assertThat(listener.next("rooms.left").getJsonObject("body").getString("userId")).isEqualTo("acme.ann");
    }
  }

  @Test
  void a_service_publishes_into_a_room_with_any_event_name_and_members_receive_it_without_a_from() {
    try (TcpBridgeClient authorizing = authorizingService(); TcpBridgeClient billing = node.service(HttpOptions.DEV_API_KEY);
         BridgeClient ann = node.signIn("acme.ann")) {
      ann.join("org-acme");
      JsonObject published = billing.request("rooms.publish",
        new JsonObject().put("room", "org-acme").put("event", "billing.invoice-paid").put("data", new JsonObject().put("invoice", 17)));
      assertThat(published.getInteger("offset")).isPositive();
      List<JsonObject> seen = ann.envelopesUntil("room.org-acme", "billing.invoice-paid");
      JsonObject envelope = seen.get(seen.size() - 1);
      assertThat(envelope.getJsonObject("data").getInteger("invoice")).isEqualTo(17);
      assertThat(envelope.getInteger("offset")).isEqualTo(published.getInteger("offset"));
      assertThat(envelope.containsKey("from")).isFalse();
    }
  }

  @Test
  void a_service_watching_a_room_receives_its_deliveries_but_is_never_a_member() {
    try (TcpBridgeClient authorizing = authorizingService(); TcpBridgeClient watcher = node.service(HttpOptions.DEV_API_KEY);
         BridgeClient ann = node.signIn("acme.ann")) {
      ann.join("org-acme");
      watcher.registerAndAwait("room.org-acme");
      ann.request("rooms.publish", new JsonObject().put("room", "org-acme").put("event", "organization.update").put("data", 1));
      JsonObject delivery = watcher.nextWithEvent("room.org-acme", "organization.update");
      assertThat(delivery.getString("type")).isEqualTo("message");
      assertThat(delivery.getJsonObject("body").getJsonObject("from").getString("userId")).isEqualTo("acme.ann");
      JsonArray members = ann.request("rooms.state", new JsonObject().put("room", "org-acme")).getJsonArray("members");
      assertThat(members.stream().map(m -> ((JsonObject) m).getString("userId")).toList()).containsExactly("acme.ann");
    }
  }

  @Test
  void a_service_may_connect_over_the_websocket_bridge_too() {
    try (TcpBridgeClient authorizing = authorizingService(); BridgeClient ann = node.signIn("acme.ann");
         BridgeClient service = node.connect(BridgeClient.Transport.RAW)) {
      ann.join("org-acme");
      JsonObject reply = service.request("auth.authenticate", new JsonObject().put("apiKey", HttpOptions.DEV_API_KEY));
      assertThat(reply.getString("service")).isEqualTo(ApiKeys.hashId(HttpOptions.DEV_API_KEY));
      service.request("rooms.publish", new JsonObject().put("room", "org-acme").put("event", "billing.refund").put("data", 5));
      List<JsonObject> seen = ann.envelopesUntil("room.org-acme", "billing.refund");
      assertThat(seen.get(seen.size() - 1).containsKey("from")).isFalse();
    }
  }

  @Test
  void a_service_may_not_use_what_is_not_opened_to_services() {
    try (TcpBridgeClient service = node.service(HttpOptions.DEV_API_KEY)) {
      assertThat(service.requestCode("locks.acquire", new JsonObject().put("resource", "project-version:1"))).isEqualTo(403);
      assertThat(service.requestCode("rooms.join", new JsonObject().put("room", "org-acme"))).isEqualTo(403);
      assertThat(service.requestCode("auth.dev-token", new JsonObject().put("userId", "x"))).isEqualTo(403);
      service.register("auth.revoked");
      assertThat(service.next("auth.revoked").getInteger("failureCode")).isEqualTo(403);
      assertThat(service.requestCode("auth.authenticate", new JsonObject().put("token", node.token("ann")).put("sessionId", java.util.UUID.randomUUID().toString())))
        .as("a service's connection does not become a user's").isEqualTo(409);
    }
  }

  @Test
  void requests_a_service_holds_are_bounded_in_number_and_in_time() throws Exception {
    try (TestNode bounded = TestNode.start(TestNode.TCP.copy()
           .put("bridge", new JsonObject().put("maxPendingRequests", 2).put("replyTimeoutMs", 1000)));
         TcpBridgeClient mute = bounded.service(HttpOptions.DEV_API_KEY)) {
      mute.registerAndAwait("rooms.authorize");
      io.vertx.core.eventbus.DeliveryOptions patient = new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(30_000);
      var first = bounded.vertx().eventBus().request("rooms.authorize", new JsonObject().put("room", "org-a"), patient);
      var second = bounded.vertx().eventBus().request("rooms.authorize", new JsonObject().put("room", "org-b"), patient);
      mute.next("rooms.authorize");
      mute.next("rooms.authorize");
      var third = bounded.vertx().eventBus().request("rooms.authorize", new JsonObject().put("room", "org-c"), patient);
      assertThat(failureOf(third)).as("one more than bridge.maxPendingRequests fails at once")
        .satisfies(e -> assertThat(e.failureCode()).isEqualTo(503)).hasMessageContaining("pending");
      assertThat(failureOf(first)).as("not answered within bridge.replyTimeoutMs")
        .satisfies(e -> assertThat(e.failureCode()).isEqualTo(503)).hasMessageContaining("did not answer in time");
      assertThat(failureOf(second).failureCode()).isEqualTo(503);
    }
  }

  @Test
  void a_service_may_fail_a_request_and_the_requester_sees_its_code_and_message() throws Exception {
    try (TcpBridgeClient service = node.service(HttpOptions.DEV_API_KEY)) {
      service.registerAndAwait("rooms.authorize");
      var asked = node.vertx().eventBus().request("rooms.authorize", new JsonObject().put("room", "org-x").put("userId", "u"));
      String replyId = service.next("rooms.authorize").getString("replyAddress");
      service.send(new JsonObject().put("type", "send").put("address", replyId)
        .put("failureCode", 409).put("message", "directory is being rebuilt"));
      assertThat(failureOf(asked)).satisfies(e -> assertThat(e.failureCode()).isEqualTo(409))
        .hasMessage("directory is being rebuilt");
      assertThat(service.requestCode(replyId, new JsonObject())).as("an answered request takes no second answer").isEqualTo(403);
    }
  }

  private static io.vertx.core.eventbus.ReplyException failureOf(io.vertx.core.Future<?> request) throws Exception {
    try {
      request.await(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (io.vertx.core.eventbus.ReplyException e) {
      return e;
    }
    throw new AssertionError("the request did not fail");
  }
}
