package io.parley.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;

import java.nio.charset.StandardCharsets;

/**
 * One envelope on its way to a room's local members: the {@code rec} frame built once per node,
 * and its two wire encodings (raw, and SockJS's {@code a["..."]}) built at most once each, in
 * direct buffers that every member socket writes without copying (each takes a retained
 * duplicate). {@link #release} after the fan-out; Netty releases the duplicates after writing.
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

  /** The frame as one websocket message on the raw endpoint. */
  ByteBuf raw() {
    if (raw == null) {
      raw = direct(frame.getBytes());
    }
    return raw;
  }

  /** The frame as one SockJS websocket message: {@code a["<the frame as a JSON string>"]}. */
  ByteBuf sockJs() {
    if (sockJs == null) {
      sockJs = direct(SockJsFraming.messages(frame.toString(StandardCharsets.UTF_8)));
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

  private static ByteBuf direct(byte[] bytes) {
    return PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
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
