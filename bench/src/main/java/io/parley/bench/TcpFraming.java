package io.parley.bench;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;

import java.nio.charset.StandardCharsets;

/**
 * The framing of the TCP event-bus bridge, as {@code io.vertx:vertx-tcp-eventbus-bridge}'s clients
 * speak it (docs/protocol.md, "The TCP endpoint"): each frame, both ways, a 4-byte big-endian
 * length, then that many bytes of UTF-8 JSON.
 */
final class TcpFraming {

  /** One outgoing frame: its length, then the JSON. */
  static Buffer frame(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(4 + bytes.length).appendInt(bytes.length).appendBytes(bytes);
  }

  /**
   * A handler for a socket's bytes that hands {@code frames} each whole frame, without its length
   * and not decoded, however the stream was cut into reads. Vert.x's {@link RecordParser}
   * alternates between reading a length (4 bytes) and reading that many.
   */
  static Handler<Buffer> reader(Handler<Buffer> frames) {
    RecordParser parser = RecordParser.newFixed(4);
    parser.handler(new Handler<>() {
      private boolean inFrame;

      @Override
      public void handle(Buffer record) {
        if (inFrame) {
          inFrame = false;
          parser.fixedSizeMode(4);
          frames.handle(record);
          return;
        }
        int length = record.getInt(0);
        if (length <= 0) {
          // the node never sends one: the stream is out of step, and nothing after it can be read
          throw new IllegalStateException("TCP frame length " + length);
        }
        inFrame = true;
        parser.fixedSizeMode(length);
      }
    });
    return parser;
  }

  private TcpFraming() {
  }
}
