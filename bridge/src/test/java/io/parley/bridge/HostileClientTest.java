package io.parley.bridge;

import io.parley.shared.RealtimeService;
import io.parley.testing.BridgeClient;
import io.parley.testing.RawWebSocketWire;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that misbehave on purpose: each one is refused or closed, what the node holds for it
 * stays within its bound, and no other socket notices. The bounds are the page
 * {@code docs/protocol.md} (limits) describes: a socket is owed at most {@code bridge.maxQueuedBytes},
 * and refused at most {@code bridge.maxRefusalsPerMinute} times before it is closed.
 */
class HostileClientTest {

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @ParameterizedTest
  @EnumSource(BridgeClient.Transport.class)
  void a_socket_that_keeps_sending_garbage_is_closed_after_a_bounded_number_of_refusals(BridgeClient.Transport transport) {
    try (BridgeClient gus = node.signIn("gus", new JsonObject(), UUID.randomUUID().toString(), transport);
         BridgeClient bystander = node.signIn("bea")) {
      for (int i = 0; i < 1_000; i++) {
        gus.sendText("x");
      }
      // the refusals it was sent, then the close: the bound (60, one more earned each second), never one per frame
      int refusals = gus.errorsUntilClosed(Frames.INVALID_JSON);
      assertThat(gus.awaitClosed()).isEqualTo(CloseReason.TOO_MANY_REFUSALS.code());
      assertThat(refusals).isBetween(61, 65);
      assertThat(bystander.requestCode("rooms.activity", new JsonObject().put("active", true))).isZero();
    }
  }

  @Test
  void ten_sockets_flooding_garbage_without_reading_leave_the_heap_bounded_and_the_room_flowing() throws Exception {
    try (BridgeClient calm = node.signIn("cal")) {
      calm.join("votes-calm");
      long before = heapAfterGc();
      List<BridgeClient> flooders = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        BridgeClient flooder = node.signIn("flo" + i, new JsonObject(), UUID.randomUUID().toString(),
          i % 2 == 0 ? BridgeClient.Transport.RAW : BridgeClient.Transport.SOCKJS);
        flooder.stopReading();
        flooders.add(flooder);
      }
      for (int round = 0; round < 20; round++) {
        for (BridgeClient flooder : flooders) {
          for (int i = 0; i < 2_500; i++) {
            flooder.sendText("x");
          }
        }
      }
      RealtimeService realtime = node.node().realtime();
      realtime.trigger("votes-calm", "user.update", "still here").await(10, TimeUnit.SECONDS);
      assertThat(calm.envelopesUntil("room.votes-calm", "user.update")).last()
        .satisfies(e -> assertThat(e.getString("data")).isEqualTo("still here"));
      long grown = heapAfterGc() - before;
      // 500,000 refused frames; each flooder is owed at most ~61 small err frames, and what the
      // node holds for a socket is bounded by bridge.maxQueuedBytes (1 MiB) and maxFrameBytes
      // (1 MiB). The heap here is shared with the ten clients and their own write queues, so the
      // bound is the node's worst case for ten sockets with room for the clients' share
      System.out.printf("heap after GC grew by %,d bytes with 10 sockets that sent 50,000 invalid frames each without reading%n", grown);
      assertThat(grown).isLessThan(10 * 2L * 1024 * 1024 + 48L * 1024 * 1024);
      for (BridgeClient flooder : flooders) {
        flooder.resumeReading();
        assertThat(flooder.awaitClosed()).isEqualTo(CloseReason.TOO_MANY_REFUSALS.code());
        flooder.close();
      }
    }
  }

  @Test
  void a_socket_that_asks_without_reading_is_closed_once_its_replies_pass_the_bound() throws Exception {
    JsonObject smallQueue = new JsonObject().put("bridge", new JsonObject().put("maxQueuedBytes", 64 * 1024));
    try (TestNode small = TestNode.start(smallQueue);
         BridgeClient asker = small.signIn("ada", new JsonObject(), UUID.randomUUID().toString(), BridgeClient.Transport.RAW);
         BridgeClient healthy = small.signIn("hal")) {
      RealtimeService realtime = small.node().realtime();
      for (int i = 0; i < 100; i++) {
        realtime.trigger("votes-big", "load", "x".repeat(4_000)).await(10, TimeUnit.SECONDS);
      }
      healthy.join("votes-big");
      asker.join("votes-big");
      asker.stopReading();
      // each reply holds the room's 400 kB history: far past loopback buffers and the 64 kB bound
      JsonObject history = new JsonObject().put("room", "votes-big").put("sinceOffset", 0);
      for (int i = 0; i < 60; i++) {
        asker.send(new JsonObject().put("type", "send").put("address", "rooms.history").put("body", history)
          .put("replyAddress", "r" + i));
      }
      realtime.trigger("votes-big", "user.update", "flowing").await(10, TimeUnit.SECONDS);
      assertThat(healthy.envelopesUntil("room.votes-big", "user.update")).last()
        .satisfies(e -> assertThat(e.getString("data")).isEqualTo("flowing"));
      asker.resumeReading();
      assertThat(asker.awaitClosed()).isEqualTo(CloseReason.SLOW_CONSUMER.code());
    }
  }

  @Test
  void every_frame_pings_included_takes_from_the_rate() {
    JsonObject slow = new JsonObject().put("bridge", new JsonObject().put("ratePerSecond", 1).put("rateBurst", 10));
    try (TestNode limited = TestNode.start(slow); BridgeClient ann = limited.signIn("ann")) {
      for (int i = 0; i < 20; i++) {
        ann.ping();
      }
      assertThat(ann.requestCode("rooms.activity", new JsonObject().put("active", true))).isEqualTo(429);
      assertThat(ann.isClosed()).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(BridgeClient.Transport.class)
  void a_text_frame_that_is_not_utf8_closes_that_socket_with_1007(BridgeClient.Transport transport) throws Exception {
    String path = transport == BridgeClient.Transport.RAW ? "/eventbus/websocket" : "/eventbus/123/abcdefgh/websocket";
    try (RawWebSocketWire wire = RawWebSocketWire.open(node.port(), path); BridgeClient bystander = node.signIn("bea")) {
      wire.send(RawWebSocketWire.TEXT, new byte[]{'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
      assertThat(wire.awaitCloseCode()).isEqualTo(1007);
      assertThat(bystander.requestCode("rooms.activity", new JsonObject().put("active", true))).isZero();
    }
  }

  @Test
  void a_binary_frame_that_is_not_utf8_closes_a_raw_socket_with_1007() throws Exception {
    try (RawWebSocketWire wire = RawWebSocketWire.open(node.port(), "/eventbus/websocket")) {
      wire.send(RawWebSocketWire.BINARY, new byte[]{'{', '"', (byte) 0xFF, '"', '}'});
      assertThat(wire.awaitCloseCode()).isEqualTo(1007);
    }
    try (RawWebSocketWire wire = RawWebSocketWire.open(node.port(), "/eventbus/websocket")) {
      wire.send(RawWebSocketWire.BINARY, "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
      wire.send(RawWebSocketWire.TEXT, "{\"type\":\"explode\"}".getBytes(StandardCharsets.UTF_8));
      // valid UTF-8 in either kind of message is read as a frame: refused, not closed
      assertThat(wire.awaitFrame()).contains("invalid_type");
    }
  }

  @Test
  void a_sockjs_message_that_is_not_an_array_of_strings_is_broken_framing() {
    for (String framing : List.of("[1,2]", "[{\"type\":\"ping\"}]", "not json")) {
      try (BridgeClient client = node.signIn("sam")) {
        client.sendTransportText(framing);
        assertThat(client.awaitClosed()).as(framing).isEqualTo(1002);
      }
    }
  }

  private static long heapAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
