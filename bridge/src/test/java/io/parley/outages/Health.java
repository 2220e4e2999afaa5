package io.parley.outages;

import io.parley.shared.Await;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/** A node's {@code /health} as a load balancer polls it. */
final class Health {

  private static final Duration DEADLINE = Duration.ofSeconds(20);

  /** Polls {@code /health} until it answers {@code status}: that answer. */
  static TestNode.HttpResult await(TestNode node, int status) {
    TestNode.HttpResult[] last = new TestNode.HttpResult[1];
    Await.until("/health answering " + status, DEADLINE, () -> {
      last[0] = node.get("/health");
      return last[0].status() == status;
    });
    return last[0];
  }

  /** The check named {@code id} in a {@code /health} answer. */
  static JsonObject check(TestNode.HttpResult health, String id) {
    return health.json().getJsonArray("checks").stream().map(JsonObject.class::cast)
      .filter(check -> id.equals(check.getString("id"))).findFirst()
      .orElseThrow(() -> new AssertionError("no " + id + " check in " + health.body()));
  }

  private Health() {
  }
}
