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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A delivery is written to every member socket as one pre-built websocket frame; a client's
 * websocket decoder must read it as the message it stands for, whatever its length (the
 * header has three length encodings).
 */
class DeliveryTest {

  private static Delivery delivery(int dataLength) {
    JsonObject envelope = new JsonObject().put("room", "chat-al-bob").put("offset", 7).put("data", "x".repeat(dataLength));
    return new Delivery(Frames.deliveryPrefix("room.chat-al-bob"), envelope.toBuffer());
  }

  /** What a browser's websocket reads from the bytes a server sent (unmasked frames). */
  private static WebSocketFrame read(ByteBuf wire) {
    EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 20));
    client.writeInbound(wire.retainedDuplicate());
    WebSocketFrame frame = client.readInbound();
    assertThat(frame).isNotNull();
    assertThat(frame.isFinalFragment()).isTrue();
    assertThat((Object) client.readInbound()).isNull();
    return frame;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 60, 200, 70_000})
  void the_raw_endpoint_gets_the_bridge_frame_as_one_binary_message(int dataLength) {
    Delivery delivery = delivery(dataLength);
    try {
      WebSocketFrame frame = read(delivery.raw());
      assertThat(frame).isInstanceOf(BinaryWebSocketFrame.class);
      assertThat(Buffer.buffer(frame.content().toString(StandardCharsets.UTF_8))).isEqualTo(delivery.frame());
      frame.release();
    } finally {
      delivery.release();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 60, 200, 70_000})
  void a_sockjs_socket_gets_the_bridge_frame_as_one_string_in_an_a_array(int dataLength) {
    Delivery delivery = delivery(dataLength);
    try {
      WebSocketFrame frame = read(delivery.sockJs());
      assertThat(frame).isInstanceOf(TextWebSocketFrame.class);
      String text = ((TextWebSocketFrame) frame).text();
      assertThat(text).startsWith("a[");
      JsonArray messages = new JsonArray(text.substring(1));
      assertThat(messages.size()).isEqualTo(1);
      assertThat(new JsonObject(messages.getString(0))).isEqualTo(new JsonObject(delivery.frame()));
      frame.release();
    } finally {
      delivery.release();
    }
  }
}
