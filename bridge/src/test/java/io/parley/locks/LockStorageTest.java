package io.parley.locks;

import io.parley.shared.TestPostgres;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where a node keeps its locks, and what it refuses at start. */
class LockStorageTest {

  @Test
  void the_embedded_default_keeps_locks_in_memory() {
    try (TestNode node = TestNode.start(); LockTab ann = new LockTab(node, "ann"); LockTab bob = new LockTab(node, "bob")) {
      assertThat(ann.acquire("project-version:42").getJsonObject("info").getString("templateName")).isEqualTo("Onboarding checklist");
      assertThat(bob.acquire("project-version:42").getBoolean("okToEdit")).isFalse();
    }
  }

  @Test
  void a_clustered_node_running_locks_without_postgres_refuses_to_start() throws Exception {
    int port = TestNode.freePort();
    JsonObject memoryLocks = new JsonObject().put("pg", new JsonObject().put("uri", (String) null));

    assertThatThrownBy(() -> TestNode.startClustered("refuse-" + UUID.randomUUID(), port, TestNode.members(port), memoryLocks))
      .hasMessageContaining("refusing to start")
      .hasMessageContaining("PARLEY_PG_URI");
  }

  @Test
  void a_clustered_node_without_the_locks_and_notifications_verticles_needs_no_postgres() throws Exception {
    int port = TestNode.freePort();
    JsonObject bridgeOnly = new JsonObject().put("pg", new JsonObject().put("uri", (String) null))
      .put("deployment", new JsonObject().put("locks", 0).put("notifications", 0));

    try (TestNode node = TestNode.startClustered("no-locks-" + UUID.randomUUID(), port, TestNode.members(port), bridgeOnly)) {
      assertThat(node.get("/health").status()).isEqualTo(200);
    }
  }

  @Test
  void an_unreachable_postgres_stops_the_start_and_says_where() {
    JsonObject unreachable = new JsonObject().put("pg", new JsonObject().put("uri", "postgresql://postgres@127.0.0.1:1/test"));

    assertThatThrownBy(() -> TestNode.start(unreachable))
      .hasMessageContaining("refusing to start: the Postgres migrations did not run")
      .hasMessageContaining("127.0.0.1:1/test")
      .hasMessageContaining("PARLEY_PG_URI");
  }

  @Test
  void a_schema_name_that_is_not_a_plain_identifier_is_refused() {
    JsonObject quoted = new JsonObject().put("pg", new JsonObject().put("uri", TestPostgres.URI).put("schema", "x; drop table y"));

    assertThatThrownBy(() -> TestNode.start(quoted)).hasMessageContaining("pg.schema");
  }
}
