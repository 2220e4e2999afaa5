package io.parley.outages;

import io.parley.testing.OwnRedis;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /health} while a store is down: 503, the store's check DOWN with the reason in words,
 * and UP again once it is back, so a load balancer stops and resumes sending tabs. Postgres:
 * {@link PostgresOutageTest}.
 */
class StoreHealthTest {

  @Test
  void health_says_redis_is_unreachable_while_it_is_down_and_up_again_once_it_is_back() {
    try (OwnRedis redis = OwnRedis.start();
         TestNode node = TestNode.start(new JsonObject().put("redis", new JsonObject().put("uri", redis.uri())))) {
      assertThat(Health.check(Health.await(node, 200), "redis").getString("status")).isEqualTo("UP");

      redis.kill();

      TestNode.HttpResult down = Health.await(node, 503);
      assertThat(down.json().getString("outcome")).isEqualTo("DOWN");
      JsonObject check = Health.check(down, "redis");
      assertThat(check.getString("status")).isEqualTo("DOWN");
      assertThat(check.getJsonObject("data").getString("error")).startsWith("redis unreachable: ");
      assertThat(Health.check(down, "node").getString("status")).as("the node itself is fine").isEqualTo("UP");

      redis.restart();

      TestNode.HttpResult up = Health.await(node, 200);
      assertThat(up.json().getString("outcome")).isEqualTo("UP");
      assertThat(Health.check(up, "redis").getString("status")).isEqualTo("UP");
    }
  }
}
