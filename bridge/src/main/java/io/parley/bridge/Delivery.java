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

  private static final int PUSHER_SLOTS = PusherChannel.Kind.values().length * 2;

  private final RoomName room;
  private final Buffer envelope;
  private final Buffer frame;
  private SharedFrame raw;
  private SharedFrame sockJs;
  private SharedFrame tcp;
  private Envelope decoded;
  /** The Pusher messages by {@link #pusherSlot}; a slot built as nothing (the envelope is nothing to that channel) stays null. */
  private SharedFrame[] pusher;
  private boolean[] pusherBuilt;

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

  /** The session that published the envelope (a Pusher socket's id for its client event), or null; read once per fan-out. */
  String sender() {
    Envelope.From from = envelope().from();
    return from == null ? null : from.sessionId();
  }

  /**
   * Where a channel's message is kept in a delivery: within one room's delivery a channel's name
   * follows from its kind and whether it caches, so the message is found by index, with no
   * hashing or comparing of names per member (that lookup was a sixth of the Pusher fan-out's
   * time, bench/README.md). Computed once per subscription.
   */
  static int pusherSlot(PusherChannel channel) {
    return channel.kind().ordinal() * 2 + (channel.cache() ? 1 : 0);
  }

  /**
   * The envelope as one Pusher text message for subscribers of {@code channel} (kept at its
   * {@code slot}), built once per channel name ({@link PusherFrames#delivery}); null when it is
   * nothing to them (presence on a channel that is not a presence channel).
   */
  SharedFrame pusher(int slot, PusherChannel channel) {
    if (pusher == null) {
      pusher = new SharedFrame[PUSHER_SLOTS];
      pusherBuilt = new boolean[PUSHER_SLOTS];
    }
    if (!pusherBuilt[slot]) {
      pusherBuilt[slot] = true;
      String text = PusherFrames.delivery(envelope(), channel);
      pusher[slot] = text == null ? null : SharedFrame.text(text.getBytes(StandardCharsets.UTF_8));
    }
    return pusher[slot];
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
      for (SharedFrame message : pusher) {
        if (message != null) {
          message.release();
        }
      }
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
