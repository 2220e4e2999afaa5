package io.parley.bridge;

import io.parley.shared.RealtimeService;
import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A socket that stops draining is closed, not buffered for without bound; its room goes on. One
 * that only reads late gets every delivery, whole and in order.
 */
class SlowConsumerTest {

  @ParameterizedTest
  @EnumSource(BridgeClient.Transport.class)
  void a_socket_that_reads_late_gets_every_delivery_whole_and_in_order(BridgeClient.Transport transport) throws Exception {
    JsonObject largeQueue = new JsonObject().put("bridge", new JsonObject().put("maxQueuedBytes", 64 * 1024 * 1024));
    try (TestNode node = TestNode.start(largeQueue);
         BridgeClient late = node.signIn("lou", new JsonObject(), UUID.randomUUID().toString(), transport);
         BridgeClient prompt = node.signIn("pat")) {
      for (BridgeClient client : new BridgeClient[]{late, prompt}) {
        client.join("votes-late");
      }
      late.stopReading();
      RealtimeService realtime = node.node().realtime();
      // 400 × 25 kB: more than loopback socket buffers hold, so the late socket's deliveries wait
      // in the server's queue (below its bound) until it reads again
      int count = 400;
      loadPacedBy(prompt, realtime, "votes-late", count, i -> i + ":" + "x".repeat(25_000));
      realtime.trigger("votes-late", "done", "").await(10, TimeUnit.SECONDS);
      late.resumeReading();
      List<String> loads = late.envelopesUntil("room.votes-late", "done").stream()
        .filter(envelope -> "load".equals(envelope.getString("event"))).map(envelope -> envelope.getString("data")).toList();
      assertThat(loads).hasSize(count);
      for (int i = 0; i < count; i++) {
        assertThat(loads.get(i).equals(i + ":" + "x".repeat(25_000))).as("delivery %d arrived whole and in its place", i).isTrue();
      }
      assertThat(late.isClosed()).isFalse();
    }
  }

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
      loadPacedBy(healthy, realtime, "votes-slow", 2_000, i -> chunk);
      stalled.resumeReading();
      // what was buffered arrives, then the close the server sent when the queue overflowed
      assertThat(stalled.awaitClosed()).isEqualTo(CloseReason.SLOW_CONSUMER.code());
      realtime.trigger("votes-slow", "user.update", "still flowing").await(10, TimeUnit.SECONDS);
      assertThat(healthy.envelopesUntil("room.votes-slow", "user.update")).last()
        .satisfies(e -> assertThat(e.getString("data")).isEqualTo("still flowing"));
    }
  }

  /**
   * Publishes {@code count} "load" events to {@code room}, each once {@code reader} has received
   * the one before: paced by a socket that reads, so only a socket that does not falls behind.
   */
  private static void loadPacedBy(BridgeClient reader, RealtimeService realtime, String room, int count, IntFunction<String> data)
    throws Exception {
    for (int i = 0; i < count; i++) {
      realtime.trigger(room, "load", data.apply(i)).await(10, TimeUnit.SECONDS);
      reader.envelopesUntil("room." + room, "load");
    }
  }
}
