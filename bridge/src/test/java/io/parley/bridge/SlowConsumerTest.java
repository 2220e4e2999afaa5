package io.parley.bridge;

import io.parley.shared.RealtimeService;
import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A socket that stops draining is closed, not buffered for without bound; its room goes on. */
class SlowConsumerTest {

  @Test
  void a_socket_that_stops_reading_is_closed_and_the_others_keep_receiving() throws Exception {
    JsonObject smallQueue = new JsonObject().put("bridge", new JsonObject().put("maxQueuedBytes", 64 * 1024));
    try (TestNode node = TestNode.start(smallQueue);
         BridgeClient stalled = node.signIn("stan", new JsonObject(), UUID.randomUUID().toString(), BridgeClient.Transport.RAW);
         BridgeClient healthy = node.signIn("hal")) {
      for (BridgeClient client : new BridgeClient[]{stalled, healthy}) {
        client.join("votes-slow");
      }
      stalled.stopReading();
      RealtimeService realtime = node.node().realtime();
      String chunk = "x".repeat(5_000);
      // 2,000 × 5 kB: far more than loopback socket buffers plus the 64 kB queue hold for a
      // socket that reads nothing, while one that reads stays far below the bound
      for (int i = 0; i < 2_000; i++) {
        realtime.trigger("votes-slow", "load", chunk).await(10, TimeUnit.SECONDS);
        // paced by the healthy reader, so only the stalled socket falls behind
        healthy.envelopesUntil("room.votes-slow", "load");
      }
      stalled.resumeReading();
      // what was buffered arrives, then the close the server sent when the queue overflowed
      assertThat(stalled.awaitClosed()).isEqualTo(BridgeConnection.CLOSE_SLOW_CONSUMER);
      realtime.trigger("votes-slow", "user.update", "still flowing").await(10, TimeUnit.SECONDS);
      assertThat(healthy.envelopesUntil("room.votes-slow", "user.update")).last()
        .satisfies(e -> assertThat(e.getString("data")).isEqualTo("still flowing"));
    }
  }
}
