package io.parley.bridge;

import io.parley.bridge.netty.ClientFrameReader;
import io.parley.shared.RoomName;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A delivery is written to every member socket as one pre-built websocket frame; a client's
 * websocket decoder must read it as the message it stands for, whatever its length (the
 * header has three length encodings).
 */
class DeliveryTest {

  /** Runs {@code check} on a delivery of a room envelope with {@code dataLength} characters of data. */
  private static void withDelivery(int dataLength, Consumer<Delivery> check) {
    JsonObject envelope = new JsonObject().put("room", "chat-al-bob").put("offset", 7).put("data", "x".repeat(dataLength));
    Delivery delivery = new Delivery(RoomName.of("chat-al-bob"), Frames.deliveryPrefix("room.chat-al-bob"), envelope.toBuffer());
    try {
      check.accept(delivery);
    } finally {
      delivery.release();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 60, 200, 70_000})
  void the_raw_endpoint_gets_the_bridge_frame_as_one_binary_message(int dataLength) {
    withDelivery(dataLength, delivery -> {
      ClientFrameReader.Message message = ClientFrameReader.read(delivery.raw());
      assertThat(message.text()).as("a text message").isFalse();
      assertThat(Buffer.buffer(message.payload())).isEqualTo(delivery.frame());
    });
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 60, 200, 70_000})
  void a_sockjs_socket_gets_the_bridge_frame_as_one_string_in_an_a_array(int dataLength) {
    withDelivery(dataLength, delivery -> {
      ClientFrameReader.Message message = ClientFrameReader.read(delivery.sockJs());
      assertThat(message.text()).as("a text message").isTrue();
      assertThat(message.payload()).startsWith("a[");
      JsonArray messages = new JsonArray(message.payload().substring(1));
      assertThat(messages.size()).isEqualTo(1);
      assertThat(new JsonObject(messages.getString(0))).isEqualTo(new JsonObject(delivery.frame()));
    });
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 60, 70_000})
  void a_tcp_connection_gets_the_frame_length_prefixed_as_a_message_of_the_tcp_bridge(int dataLength) {
    withDelivery(dataLength, delivery -> {
      Buffer tcp = delivery.tcp().wireBytes();
      assertThat(tcp.getInt(0)).as("the length prefix").isEqualTo(tcp.length() - 4);
      JsonObject frame = new JsonObject(tcp.getBuffer(4, tcp.length()));
      JsonObject websocket = new JsonObject(delivery.frame());
      assertThat(frame.getString("type")).isEqualTo("message");
      assertThat(frame.getString("address")).isEqualTo("room.chat-al-bob");
      assertThat(frame.getJsonObject("body")).isEqualTo(websocket.getJsonObject("body"));
      assertThat(delivery.tcp()).as("built once, for every TCP member").isSameAs(delivery.tcp());
    });
  }
}
