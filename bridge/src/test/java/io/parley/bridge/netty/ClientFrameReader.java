package io.parley.bridge.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads a {@link SharedFrame}'s bytes as a browser's websocket would: exactly one whole message. */
public final class ClientFrameReader {

  /** What a client read: a text or a binary message, and its payload as text. */
  public record Message(boolean text, String payload) {
  }

  public static Message read(SharedFrame frame) {
    EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 20));
    client.writeInbound(Unpooled.wrappedBuffer(frame.wireBytes().getBytes()));
    WebSocketFrame message = client.readInbound();
    assertThat(message).isNotNull();
    assertThat(message.isFinalFragment()).isTrue();
    assertThat((Object) client.readInbound()).as("nothing after the one message").isNull();
    Message read = new Message(message instanceof TextWebSocketFrame, message.content().toString(StandardCharsets.UTF_8));
    message.release();
    return read;
  }

  private ClientFrameReader() {
  }
}
