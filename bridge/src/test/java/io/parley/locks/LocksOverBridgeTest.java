package io.parley.locks;

import io.parley.shared.TestPostgres;
import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The lock flow over real SockJS connections, on a node whose locks live in a real Postgres and
 * whose demo host answers what a project version shows: acquire, status, heartbeat, release, refusal,
 * kick-out with consent or refusal, a tab that reconnects, and bad input that changes nothing.
 * Deadlines and expiry: {@link LockTimeoutsOverBridgeTest}.
 */
class LocksOverBridgeTest {

  private static final String VERSION = "project-version:42";

  private static TestNode node;
  private static String schema;

  @BeforeAll
  static void start() {
    node = TestNode.startWithPostgres(new JsonObject());
    schema = node.schema();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void one_tab_edits_the_others_are_told_who_and_release_frees_it() {
    String resource = "project-version:1";
    try (LockTab ann = new LockTab(node, "ann"); LockTab bob = new LockTab(node, "bob")) {
      bob.watch(resource);

      JsonObject acquired = ann.acquire(resource, 7);

      assertThat(acquired.fieldNames()).containsExactlyInAnyOrder("resource", "receiptNumber", "okToEdit", "holder", "lastUpdated", "info", "seq");
      assertThat(acquired.getString("resource")).isEqualTo(resource);
      assertThat(acquired.getValue("receiptNumber")).as("no kick-out request is involved").isNull();
      assertThat(acquired.getBoolean("okToEdit")).isTrue();
      assertThat(acquired.getJsonObject("holder").getString("userId")).isEqualTo("ann");
      assertThat(acquired.getJsonObject("holder").getString("sessionId")).isEqualTo(ann.sessionId);
      assertThat(acquired.getJsonObject("holder").getString("name")).as("the token's name, via the bridge").isEqualTo("User ann");
      assertThat(acquired.getLong("lastUpdated")).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
      assertThat(acquired.getJsonObject("info")).as("the demo host's answer").isEqualTo(new JsonObject().put("versionId", 1).put("versionName", "Draft")
        .put("templateId", 1).put("templateName", "Website launch"));
      assertThat(acquired.getLong("seq")).isEqualTo(7);

      JsonObject watched = bob.nextStatus(resource);
      assertThat(watched.getBoolean("okToEdit")).as("a broadcast grants nothing").isFalse();
      assertThat(watched.getJsonObject("holder").getString("sessionId")).isEqualTo(ann.sessionId);

      JsonObject seen = bob.status(resource);
      assertThat(seen.getBoolean("okToEdit")).isFalse();
      assertThat(seen.getJsonObject("holder")).isEqualTo(acquired.getJsonObject("holder"));
      assertThat(seen.containsKey("seq")).isFalse();

      JsonObject refused = bob.acquire(resource, 8);
      assertThat(refused.getBoolean("okToEdit")).isFalse();
      assertThat(refused.getJsonObject("holder").getString("userId")).isEqualTo("ann");
      assertThat(refused.getLong("seq")).isEqualTo(8);
      assertThat(bob.heartbeat(resource).getBoolean("okToEdit")).isFalse();
      assertThat(bob.release(resource).getJsonObject("holder").getString("userId")).as("only the holder releases").isEqualTo("ann");

      JsonObject beat = ann.heartbeat(resource);
      assertThat(beat.getBoolean("okToEdit")).isTrue();
      assertThat(beat.getLong("lastUpdated")).isGreaterThanOrEqualTo(acquired.getLong("lastUpdated"));

      JsonObject released = ann.release(resource);
      assertThat(released.getBoolean("okToEdit")).isFalse();
      assertThat(released.getValue("holder")).isNull();
      assertThat(released.getValue("lastUpdated")).isNull();
      assertThat(bob.nextStatus(resource).getValue("holder")).isNull();

      assertThat(bob.acquire(resource).getBoolean("okToEdit")).isTrue();
      assertThat(ann.status(resource).getJsonObject("holder").getString("userId")).isEqualTo("bob");
      bob.release(resource);
    }
  }

  @Test
  void another_tab_of_the_same_user_is_another_editor_but_the_same_tab_after_a_reconnect_keeps_the_lock() {
    String resource = "doc:reconnect";
    String sessionId = UUID.randomUUID().toString();
    JsonObject first;
    try (LockTab tab = new LockTab(node, "kim", sessionId); LockTab otherTab = new LockTab(node, "kim")) {
      first = tab.acquire(resource);
      assertThat(first.getBoolean("okToEdit")).isTrue();
      assertThat(otherTab.acquire(resource).getBoolean("okToEdit")).as("identity is the tab, not the user").isFalse();
    }
    try (LockTab again = new LockTab(node, "kim", sessionId); LockTab lee = new LockTab(node, "lee")) {
      JsonObject resumed = again.acquire(resource);

      assertThat(resumed.getBoolean("okToEdit")).isTrue();
      assertThat(resumed.getJsonObject("holder")).isEqualTo(first.getJsonObject("holder"));
      int receipt = lee.kick(resource);
      assertThat(again.next("lock.kick-requested").getInteger("receiptNumber")).as("kicks reach the reconnected tab").isEqualTo(receipt);
      again.answer(receipt, false);
      again.release(resource);
    }
  }

  @Test
  void a_kick_the_holder_refuses_moves_nothing() {
    try (LockTab ann = new LockTab(node, "ann"); LockTab bob = new LockTab(node, "bob")) {
      ann.acquire(VERSION);

      int receipt = bob.kick(VERSION);

      JsonObject asked = ann.next("lock.kick-requested");
      assertThat(asked.getString("resource")).isEqualTo(VERSION);
      assertThat(asked.getInteger("receiptNumber")).isEqualTo(receipt);
      assertThat(asked.getJsonObject("by").getString("userId")).isEqualTo("bob");
      assertThat(asked.getLong("deadline")).isGreaterThan(System.currentTimeMillis());
      assertThat(ann.answer(receipt, false)).isEqualTo(new JsonObject());

      JsonObject refused = bob.next("lock.kick-refused");
      assertThat(refused.getInteger("receiptNumber")).isEqualTo(receipt);
      assertThat(refused.getJsonObject("by").getString("userId")).isEqualTo("ann");
      assertThat(refused.getString("reason")).isEqualTo("refused");
      assertThat(ann.status(VERSION).getBoolean("okToEdit")).isTrue();
      assertThat(TestPostgres.count(schema, "connection_kickoffs WHERE resource = '" + VERSION + "'")).isZero();
      ann.release(VERSION);
    }
  }

  @Test
  void a_kick_the_holder_consents_to_moves_the_lock_and_logs_exactly_one_kickoff_that_cannot_be_changed() {
    String resource = "project-version:2";
    try (LockTab ann = new LockTab(node, "ann"); LockTab bob = new LockTab(node, "bob"); LockTab carol = new LockTab(node, "carol")) {
      carol.watch(resource);
      ann.acquire(resource);
      carol.nextStatus(resource);

      int receipt = bob.kick(resource);
      assertThat(ann.next("lock.kick-requested").getInteger("receiptNumber")).isEqualTo(receipt);
      ann.answer(receipt, true);

      JsonObject granted = bob.next("lock.granted");
      assertThat(granted.getString("resource")).isEqualTo(resource);
      assertThat(granted.getInteger("receiptNumber")).isEqualTo(receipt);
      assertThat(granted.getJsonObject("by").getString("userId")).isEqualTo("ann");
      assertThat(granted.getString("reason")).isEqualTo("consent");
      JsonObject lost = ann.next("lock.lost");
      assertThat(lost.getJsonObject("by").getString("userId")).isEqualTo("bob");
      assertThat(lost.getString("reason")).isEqualTo("consent");
      JsonObject watched = carol.nextStatus(resource);
      assertThat(watched.getJsonObject("holder").getString("sessionId")).isEqualTo(bob.sessionId);
      assertThat(watched.getInteger("receiptNumber")).isEqualTo(receipt);
      assertThat(bob.status(resource).getBoolean("okToEdit")).isTrue();
      assertThat(ann.acquire(resource).getBoolean("okToEdit")).isFalse();

      String where = " WHERE resource = '" + resource + "'";
      List<Map<String, String>> log = TestPostgres.rows(schema, "SELECT * FROM connection_kickoffs" + where);
      assertThat(log).singleElement().satisfies(row -> {
        assertThat(row.get("kicker_user_id")).isEqualTo("bob");
        assertThat(row.get("receiver_user_id")).isEqualTo("ann");
        assertThat(row.get("old_session_token")).isEqualTo(ann.sessionId);
        assertThat(row.get("new_session_token")).isEqualTo(bob.sessionId);
        assertThat(row.get("receipt_number")).isEqualTo(String.valueOf(receipt));
      });
      assertThat(TestPostgres.rows(schema, "SELECT session_token FROM connections" + where))
        .containsExactly(Map.of("session_token", bob.sessionId));
      for (String change : List.of("UPDATE connection_kickoffs SET receiver_user_id = 'nobody'" + where,
                                   "DELETE FROM connection_kickoffs" + where)) {
        assertThatThrownBy(() -> TestPostgres.executeOrThrow(schema, change)).as(change)
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getMessage()).contains("connection_kickoffs is append-only"));
      }
      assertThat(TestPostgres.rows(schema, "SELECT * FROM connection_kickoffs" + where)).isEqualTo(log);
      bob.release(resource);
    }
  }

  @Test
  void a_holder_who_releases_while_kicked_hands_the_lock_to_the_kicker() {
    String resource = "doc:handover";
    try (LockTab ann = new LockTab(node, "ann"); LockTab bob = new LockTab(node, "bob")) {
      ann.acquire(resource);
      int receipt = bob.kick(resource);
      ann.next("lock.kick-requested");

      JsonObject released = ann.release(resource);

      assertThat(released.getJsonObject("holder").getString("sessionId")).isEqualTo(bob.sessionId);
      JsonObject granted = bob.next("lock.granted");
      assertThat(granted.getInteger("receiptNumber")).isEqualTo(receipt);
      assertThat(granted.getString("reason")).isEqualTo("holder-left");
      assertThat(bob.status(resource).getBoolean("okToEdit")).isTrue();
      assertThat(ann.answerCode(receipt, true)).as("nothing left to answer").isEqualTo(404);
      assertThat(TestPostgres.count(schema, "connection_kickoffs WHERE resource = '" + resource + "'"))
        .as("nobody was kicked out").isZero();
      bob.release(resource);
    }
  }

  @Test
  void bad_input_is_refused_with_the_design_codes_and_changes_nothing() {
    String resource = "doc:bad-input";
    try (LockTab ann = new LockTab(node, "ann"); LockTab bob = new LockTab(node, "bob"); LockTab carol = new LockTab(node, "carol")) {
      ann.acquire(resource);
      int receipt = bob.kick(resource);
      ann.next("lock.kick-requested");
      Map<String, List<Map<String, String>>> before = TestPostgres.lockTables(schema);
      BridgeClient c = carol.client;

      for (String address : List.of("locks.status", "locks.acquire", "locks.heartbeat", "locks.release", "locks.kick")) {
        assertThat(c.requestCode(address, new JsonObject())).as(address + " without resource").isEqualTo(400);
        assertThat(c.requestCode(address, new JsonObject().put("resource", 42))).as(address + " numeric").isEqualTo(400);
        for (String key : List.of("no-colon", "a:b:c", "a b:c", ":x", "x:", "doc:é", "k:" + "x".repeat(65),
            "project-version:007", "project-version:abc", "a".repeat(60) + ":" + "b".repeat(63))) {
          assertThat(c.requestCode(address, new JsonObject().put("resource", key))).as(address + " " + key).isEqualTo(400);
        }
        assertThat(c.requestCode(address, new JsonObject().put("resource", resource).put("seq", "one"))).as(address + " seq").isEqualTo(400);
        assertThat(c.requestCode(address, new JsonObject().put("resource", resource).put("seq", -1))).as(address + " seq").isEqualTo(400);
        assertThat(c.requestCode(address, "not an object")).as(address + " body").isEqualTo(400);
      }
      for (String address : List.of("locks.status", "locks.acquire", "locks.kick")) {
        assertThat(c.requestCode(address, new JsonObject().put("resource", "project-version:999999")))
          .as(address + " of a project version that does not exist").isEqualTo(404);
      }
      assertThat(c.requestCode("locks.kick.answer", new JsonObject().put("receiptNumber", receipt))).isEqualTo(400);
      assertThat(c.requestCode("locks.kick.answer", new JsonObject().put("kickMeOut", true))).isEqualTo(400);
      assertThat(c.requestCode("locks.kick.answer", new JsonObject().put("receiptNumber", receipt).put("kickMeOut", "yes"))).isEqualTo(400);
      for (Object bad : List.of(0, -5, 1.5, "1", 4_294_967_296L)) {
        assertThat(c.requestCode("locks.kick.answer", new JsonObject().put("receiptNumber", bad).put("kickMeOut", true)))
          .as("receiptNumber " + bad).isEqualTo(400);
      }
      assertThat(carol.answerCode(receipt, true)).as("someone else's receipt").isEqualTo(403);
      assertThat(bob.answerCode(receipt, true)).as("the kicker cannot answer for the holder").isEqualTo(403);
      assertThat(ann.answerCode(receipt == 1 ? 2 : receipt - 1, true)).as("unknown receipt").isEqualTo(404);
      assertThat(carol.kickCode(resource)).as("a kick is already pending").isEqualTo(409);
      assertThat(ann.kickCode(resource)).as("kicking yourself").isEqualTo(409);
      assertThat(carol.kickCode("doc:nobody-holds-this")).as("kicking nobody").isEqualTo(409);
      assertThat(bob.kick(resource)).as("asking again answers the pending kick").isEqualTo(receipt);
      // who acts is the bridge's identity headers, never the body or headers a client sends
      JsonObject forgedRelease = c.request("locks.release",
        new JsonObject().put("resource", resource).put("sessionId", ann.sessionId).put("userId", "ann"));
      assertThat(forgedRelease.getJsonObject("holder").getString("userId")).isEqualTo("ann");
      assertThatThrownBy(() -> c.request("locks.kick.answer",
        new JsonObject().put("receiptNumber", receipt).put("kickMeOut", true).put("sessionId", ann.sessionId),
        new JsonObject().put("sessionId", ann.sessionId).put("userId", "ann")))
        .isInstanceOfSatisfying(BridgeClient.BridgeError.class, e -> assertThat(e.code).isEqualTo(403));

      assertThat(TestPostgres.lockTables(schema)).isEqualTo(before);
      ann.answer(receipt, false);
      ann.release(resource);
    }
  }

  @Test
  void only_authenticated_sockets_reach_the_locks() {
    try (BridgeClient stranger = node.connect()) {
      assertThat(stranger.requestCode("locks.acquire", new JsonObject().put("resource", "doc:1"))).isEqualTo(401);
    }
  }

  @Test
  void client_config_tells_the_heartbeat_interval() {
    assertThat(node.get("/client-config").json().getLong("lockHeartbeatMs")).isEqualTo(300_000);
  }
}
