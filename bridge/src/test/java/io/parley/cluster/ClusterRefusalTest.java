package io.parley.cluster;

import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Clustered with node-local memory stores is refused at start, naming the fix. */
class ClusterRefusalTest {

  @Test
  void a_clustered_node_without_shared_stores_refuses_to_start() throws Exception {
    JsonObject memoryStores = new JsonObject().put("redis", new JsonObject().put("uri", (String) null));
    int port = TestNode.freePort();
    assertThatThrownBy(() -> TestNode.startClustered("refuse-" + UUID.randomUUID(), port, TestNode.members(port), memoryStores))
      .hasMessageContaining("refusing to start")
      .hasMessageContaining("PARLEY_REDIS_URI");
  }
}
