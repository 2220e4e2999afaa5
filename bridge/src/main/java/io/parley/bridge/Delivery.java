package io.parley.bridge;

import io.parley.bridge.netty.SharedFrame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;

import java.nio.charset.StandardCharsets;

/**
 * One envelope on its way to a room's local members: the {@code rec} frame built once per node,
 * its two websocket messages (raw, and SockJS's {@code a["..."]}) built at most once each as
 * {@link SharedFrame}s that every member socket writes as they are, and its TCP frame (length
 * prefix and {@code message}) built at most once, as a {@link SharedFrame} too, for every TCP
 * member. {@link #release} after
 * the fan-out.
 */
final class Delivery {

  private final Buffer frame;
  private SharedFrame raw;
  private SharedFrame sockJs;
  private SharedFrame tcp;

  Delivery(Buffer prefix, Buffer envelope) {
    this.frame = Frames.delivery(prefix, envelope);
  }

  /** The bridge frame, for transports that encode per socket (SockJS HTTP fallbacks). */
  Buffer frame() {
    return frame;
  }

  /** The frame as one binary websocket message on the raw endpoint. */
  SharedFrame raw() {
    if (raw == null) {
      raw = SharedFrame.binary(frame.getBytes());
    }
    return raw;
  }

  /** The frame as one SockJS text websocket message, {@code a["<the frame as a JSON string>"]}. */
  SharedFrame sockJs() {
    if (sockJs == null) {
      sockJs = SharedFrame.text(SockJsFraming.messages(frame.toString(StandardCharsets.UTF_8)));
    }
    return sockJs;
  }

  /** The frame as the TCP event-bus bridge writes it: length-prefixed, {@code message} for {@code rec}. */
  SharedFrame tcp() {
    if (tcp == null) {
      tcp = SharedFrame.framed(Frames.tcpDelivery(frame));
    }
    return tcp;
  }

  void release() {
    if (raw != null) {
      raw.release();
    }
    if (sockJs != null) {
      sockJs.release();
    }
    if (tcp != null) {
      tcp.release();
    }
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
