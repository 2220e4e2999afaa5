package io.parley.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;

import java.nio.charset.StandardCharsets;

/**
 * One envelope on its way to a room's local members: the {@code rec} frame built once per node,
 * and its two websocket messages (raw, and SockJS's {@code a["..."]}) built at most once each,
 * header included, in direct buffers that every member socket writes as they are (each takes a
 * retained duplicate): a server's websocket frames are not masked, so the bytes are the same for
 * every socket, and no socket encodes or copies its own. {@link #release} after the fan-out;
 * Netty releases the duplicates after writing.
 */
final class Delivery {

  private final Buffer frame;
  private ByteBuf raw;
  private ByteBuf sockJs;

  Delivery(Buffer prefix, Buffer envelope) {
    this.frame = Frames.delivery(prefix, envelope);
  }

  /** The bridge frame, for transports that encode per socket (SockJS HTTP fallbacks). */
  Buffer frame() {
    return frame;
  }

  /** The frame as one binary websocket message on the raw endpoint, header included. */
  ByteBuf raw() {
    if (raw == null) {
      raw = webSocketMessage(OPCODE_BINARY, frame.getBytes());
    }
    return raw;
  }

  /** The frame as one SockJS text websocket message, {@code a["<the frame as a JSON string>"]}, header included. */
  ByteBuf sockJs() {
    if (sockJs == null) {
      sockJs = webSocketMessage(OPCODE_TEXT, SockJsFraming.messages(frame.toString(StandardCharsets.UTF_8)));
    }
    return sockJs;
  }

  void release() {
    if (raw != null) {
      raw.release();
    }
    if (sockJs != null) {
      sockJs.release();
    }
  }

  private static final int OPCODE_TEXT = 0x1;
  private static final int OPCODE_BINARY = 0x2;

  /** One final, unmasked websocket frame (RFC 6455 §5.2), as a server sends it. */
  private static ByteBuf webSocketMessage(int opcode, byte[] payload) {
    int length = payload.length;
    ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(length + 10);
    out.writeByte(0x80 | opcode);
    if (length < 126) {
      out.writeByte(length);
    } else if (length <= 0xFFFF) {
      out.writeByte(126).writeShort(length);
    } else {
      out.writeByte(127).writeLong(length);
    }
    return out.writeBytes(payload);
  }

  /** SockJS framing (the websocket transport of the SockJS protocol). */
  static final class SockJsFraming {
    static final String OPEN = "o";
    static final String HEARTBEAT = "h";

    /** {@code a[...]}: one or more messages, each a JSON string. */
    static byte[] messages(String message) {
      return ("a[" + Json.encode(message) + "]").getBytes(StandardCharsets.UTF_8);
    }

    static String close(int code, String reason) {
      return "c[" + code + "," + Json.encode(reason) + "]";
    }

    private SockJsFraming() {
    }
  }
}
