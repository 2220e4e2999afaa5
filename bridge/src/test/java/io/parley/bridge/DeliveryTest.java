package io.parley.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A delivery is written to every member socket as one pre-built websocket frame; a client's
 * websocket decoder must read it as the message it stands for, whatever its length (the
 * header has three length encodings).
 */
class DeliveryTest {

  /** What a browser's websocket reads from the bytes a server sent (unmasked frames). */
  private record Received(Class<?> type, String text) {
  }

  /** Runs {@code check} on a delivery of a room envelope with {@code dataLength} characters of data. */
  private static void withDelivery(int dataLength, Consumer<Delivery> check) {
    JsonObject envelope = new JsonObject().put("room", "chat-al-bob").put("offset", 7).put("data", "x".repeat(dataLength));
    Delivery delivery = new Delivery(Frames.deliveryPrefix("room.chat-al-bob"), envelope.toBuffer());
    try {
      check.accept(delivery);
    } finally {
      delivery.release();
    }
  }

  private static Received read(ByteBuf wire) {
    EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 20));
    client.writeInbound(wire.retainedDuplicate());
    WebSocketFrame frame = client.readInbound();
    assertThat(frame).isNotNull();
    assertThat(frame.isFinalFragment()).isTrue();
    assertThat((Object) client.readInbound()).isNull();
    Received received = new Received(frame.getClass(), frame.content().toString(StandardCharsets.UTF_8));
    frame.release();
    return received;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 60, 200, 70_000})
  void the_raw_endpoint_gets_the_bridge_frame_as_one_binary_message(int dataLength) {
    withDelivery(dataLength, delivery -> {
      Received message = read(delivery.raw());
      assertThat(message.type()).isEqualTo(BinaryWebSocketFrame.class);
      assertThat(Buffer.buffer(message.text())).isEqualTo(delivery.frame());
    });
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 60, 200, 70_000})
  void a_sockjs_socket_gets_the_bridge_frame_as_one_string_in_an_a_array(int dataLength) {
    withDelivery(dataLength, delivery -> {
      Received message = read(delivery.sockJs());
      assertThat(message.type()).isEqualTo(TextWebSocketFrame.class);
      assertThat(message.text()).startsWith("a[");
      JsonArray messages = new JsonArray(message.text().substring(1));
      assertThat(messages.size()).isEqualTo(1);
      assertThat(new JsonObject(messages.getString(0))).isEqualTo(new JsonObject(delivery.frame()));
    });
  }
}
