package io.parley.rooms;

import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** With {@code rooms.policy: "bus"} the host application decides who joins, on rooms.authorize. */
class HostRoomPolicyTest {

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(new JsonObject().put("rooms", new JsonObject().put("policy", "bus").put("authorizeTimeoutMs", 500)));
    // the host's rule: org rooms are open to users whose id starts with the org name
    node.vertx().eventBus().<JsonObject>consumer("rooms.authorize", question -> {
      JsonObject q = question.body();
      String room = q.getString("room");
      boolean allowed = room.startsWith("org-") && q.getString("userId").startsWith(room.substring(4));
      question.reply(new JsonObject().put("allowed", allowed));
    }).completion().await();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void the_host_application_decides_org_and_board_rooms() {
    try (BridgeClient acmeAnn = node.signIn("acme.ann"); BridgeClient bob = node.signIn("bob")) {
      acmeAnn.register("room.org-acme");
      assertThat(acmeAnn.request("rooms.state", new JsonObject().put("room", "org-acme")).getJsonArray("members")).hasSize(1);
      bob.register("room.org-acme");
      assertThat(bob.next("room.org-acme").getInteger("failureCode")).isEqualTo(403);
      assertThat(bob.requestCode("rooms.publish", new JsonObject().put("room", "org-acme").put("event", "organization.update").put("data", 1)))
        .isEqualTo(403);
    }
  }

  @Test
  void identity_rooms_stay_closed_whatever_the_host_says() {
    try (BridgeClient user = node.signIn("user-x")) {
      user.register("room.user-bob");
      assertThat(user.next("room.user-bob").getInteger("failureCode")).isEqualTo(403);
      user.register("room.user-user-x");
      assertThat(user.request("rooms.state", new JsonObject().put("room", "user-user-x")).getJsonArray("members")).hasSize(1);
    }
  }

  @Test
  void a_host_policy_that_does_not_answer_refuses_with_503() {
    try (TestNode silent = TestNode.start(new JsonObject().put("rooms", new JsonObject().put("policy", "bus").put("authorizeTimeoutMs", 200)));
         BridgeClient ann = silent.signIn("ann")) {
      ann.register("room.org-acme");
      assertThat(ann.next("room.org-acme").getInteger("failureCode")).isEqualTo(503);
    }
  }
}
