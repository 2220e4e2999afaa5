package io.parley.locks;

import io.parley.shared.TestPostgres;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What happens when nobody acts, over real SockJS connections on Postgres: a kicked holder who
 * does not answer loses the lock at the deadline, and a lock without heartbeats expires. The
 * node runs with short timeouts (and a fast sweep) so the tests wait for the expected event,
 * within the client's bound, rather than sleep. That heartbeats keep a lock past its ttl is
 * shown with a moved clock: LockStoreContract and LocksVerticleTest.
 */
class LockTimeoutsOverBridgeTest {

  private static final long KICK_TIMEOUT_MS = 250;
  private static final long TTL_MS = 1_500;

  private static TestNode node;
  private static String schema;

  @BeforeAll
  static void start() {
    node = TestNode.startWithPostgres(new JsonObject()
      .put("locks", new JsonObject().put("heartbeatMs", 500).put("ttlMs", TTL_MS).put("kickTimeoutMs", KICK_TIMEOUT_MS)
        .put("sweepMs", 20)));
    schema = node.schema();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void a_kicked_holder_who_does_not_answer_loses_the_lock_at_the_deadline() {
    String resource = "project-version:3";
    try (LockTab ann = new LockTab(node, "ann"); LockTab bob = new LockTab(node, "bob"); LockTab carol = new LockTab(node, "carol")) {
      carol.watch(resource);
      ann.acquire(resource);
      carol.nextStatus(resource);

      long kickedAt = System.currentTimeMillis();
      int receipt = bob.kick(resource);
      JsonObject asked = ann.next("lock.kick-requested");
      assertThat(asked.getLong("deadline")).isBetween(kickedAt + KICK_TIMEOUT_MS - 50, System.currentTimeMillis() + KICK_TIMEOUT_MS);

      JsonObject granted = bob.next("lock.granted");
      assertThat(granted.getInteger("receiptNumber")).isEqualTo(receipt);
      assertThat(granted.getString("reason")).isEqualTo("timeout");
      assertThat(System.currentTimeMillis()).as("not before the deadline").isGreaterThanOrEqualTo(asked.getLong("deadline"));
      JsonObject lost = ann.next("lock.lost");
      assertThat(lost.getString("reason")).isEqualTo("timeout");
      assertThat(lost.getJsonObject("by").getString("userId")).isEqualTo("bob");
      assertThat(carol.nextStatus(resource).getJsonObject("holder").getString("sessionId")).isEqualTo(bob.sessionId);

      assertThat(ann.answerCode(receipt, false)).as("too late: already settled").isEqualTo(404);
      assertThat(bob.status(resource).getBoolean("okToEdit")).isTrue();
      assertThat(TestPostgres.rows(schema, "SELECT old_session_token, new_session_token FROM connection_kickoffs "
        + "WHERE resource = '" + resource + "'")).singleElement()
        .isEqualTo(java.util.Map.of("old_session_token", ann.sessionId, "new_session_token", bob.sessionId));
      assertThat(TestPostgres.count(schema, "lock_kicks")).isZero();
      bob.release(resource);
    }
  }

  @Test
  void a_lock_without_heartbeats_expires_and_everyone_is_told() {
    String resource = "doc:forgotten";
    try (LockTab ann = new LockTab(node, "ann"); LockTab bob = new LockTab(node, "bob")) {
      bob.watch(resource);
      JsonObject acquired = ann.acquire(resource);
      assertThat(bob.nextStatus(resource).getJsonObject("holder").getString("sessionId")).isEqualTo(ann.sessionId);

      JsonObject lost = ann.next("lock.lost");

      assertThat(lost.getString("resource")).isEqualTo(resource);
      assertThat(lost.getString("reason")).isEqualTo("expired");
      assertThat(lost.getValue("by")).isNull();
      assertThat(System.currentTimeMillis()).as("not before the ttl").isGreaterThan(acquired.getLong("lastUpdated") + TTL_MS);
      assertThat(bob.nextStatus(resource).getValue("holder")).isNull();
      assertThat(ann.heartbeat(resource).getBoolean("okToEdit")).as("a heartbeat comes too late").isFalse();
      assertThat(TestPostgres.count(schema, "connections WHERE resource = '" + resource + "'")).isZero();
      assertThat(bob.acquire(resource).getBoolean("okToEdit")).isTrue();
      bob.release(resource);
    }
  }
}
