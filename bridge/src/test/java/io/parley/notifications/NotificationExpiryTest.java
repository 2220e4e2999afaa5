package io.parley.notifications;

import io.parley.shared.TestPostgres;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static io.parley.notifications.NotificationsOverBridgeTest.publish;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Expiry on a real node with Postgres: a notification outlives {@code notifications.ttlMs} in
 * no replay, the node's expiry job deletes its row, and a replay that asked for it says
 * {@code complete: false}. The store contract covers the rules with a controlled clock; this
 * is the real job on real time, so the time to live is short.
 */
class NotificationExpiryTest {

  private static final long TTL_MS = 1_000;
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.startWithPostgres(new JsonObject().put("notifications", new JsonObject()
      .put("ttlMs", TTL_MS).put("expiryIntervalMs", 50)));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void an_expired_notification_is_deleted_and_a_replay_that_asked_for_it_is_incomplete() {
    try (NotificationTab tab = new NotificationTab(node, "eve")) {
      tab.subscribe("Pet");
      long expiring = publish(node, "Pet", "soon gone", null);
      assertThat(tab.replayedIds(0)).containsExactly(expiring);

      awaitCondition("the expiry job deleted the row", Duration.ofSeconds(15),
        () -> TestPostgres.count(node.schema(), "notifications") == 0);
      long fresh = publish(node, "Pet", "fresh", null);

      JsonObject fromStart = tab.since(0);
      assertThat(tab.replayedIds(0)).containsExactly(fresh);
      assertThat(fromStart.getBoolean("complete")).as("the expired one was asked for and is gone").isFalse();
      assertThat(tab.since(expiring).getBoolean("complete")).as("nothing after it is missing").isTrue();
    }
  }

  /** Polls {@code condition} until it holds, failing after {@code limit}. */
  private static void awaitCondition(String what, Duration limit, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + limit + ": " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }
}
