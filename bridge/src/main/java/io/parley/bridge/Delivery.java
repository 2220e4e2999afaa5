package io.parley.bridge;

import io.parley.bridge.netty.SharedFrame;
import io.parley.pusher.PusherChannel;
import io.parley.pusher.PusherFrames;
import io.parley.shared.Envelope;
import io.parley.shared.RoomName;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * One envelope on its way to a room's local members: the {@code rec} frame built once per node,
 * its two websocket messages (raw, and SockJS's {@code a["..."]}) built at most once each as
 * {@link SharedFrame}s that every member socket writes as they are, and its TCP frame (length
 * prefix and {@code message}) built at most once, as a {@link SharedFrame} too, for every TCP
 * member. For Pusher subscribers, one text message per channel name ({@link #pusher}), built
 * the first time a member subscribed under that name needs it, from the envelope decoded once.
 * {@link #release} after the fan-out.
 */
final class Delivery {

  private final RoomName room;
  private final Buffer envelope;
  private final Buffer frame;
  private SharedFrame raw;
  private SharedFrame sockJs;
  private SharedFrame tcp;
  private Envelope decoded;
  /** Channel name → its Pusher message, or null when the envelope is nothing to that channel. */
  private Map<String, SharedFrame> pusher;

  /**
   * @param room     the room whose consumer received the envelope (for an alias delivery, the parent room)
   * @param prefix   the bridge frame's bytes before the envelope ({@link Frames#deliveryPrefix})
   * @param envelope the envelope's bytes as the store published them
   */
  Delivery(RoomName room, Buffer prefix, Buffer envelope) {
    this.room = room;
    this.envelope = envelope;
    this.frame = Frames.delivery(prefix, envelope);
  }

  RoomName room() {
    return room;
  }

  /** The envelope, decoded once per delivery, the first time a Pusher member needs it. */
  Envelope envelope() {
    if (decoded == null) {
      decoded = Envelope.fromJson(new JsonObject(envelope));
    }
    return decoded;
  }

  /**
   * The envelope as one Pusher text message for subscribers of {@code channel}, built once per
   * channel name ({@link PusherFrames#delivery}); null when it is nothing to them (presence on a
   * channel that is not a presence channel).
   */
  SharedFrame pusher(PusherChannel channel) {
    if (pusher == null) {
      pusher = new HashMap<>(4);
    }
    SharedFrame known = pusher.get(channel.name());
    // one lookup per member in the common case; a channel the envelope is nothing to is kept as null
    if (known != null || pusher.containsKey(channel.name())) {
      return known;
    }
    String text = PusherFrames.delivery(envelope(), channel);
    SharedFrame message = text == null ? null : SharedFrame.text(text.getBytes(StandardCharsets.UTF_8));
    pusher.put(channel.name(), message);
    return message;
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
    if (pusher != null) {
      pusher.values().stream().filter(java.util.Objects::nonNull).forEach(SharedFrame::release);
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
