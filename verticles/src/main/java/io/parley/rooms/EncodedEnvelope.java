package io.parley.rooms;

import io.parley.shared.Envelope;
import io.parley.shared.RoomName;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * An envelope on its way to a node's members, as the bytes the room store published, with what
 * delivery needs without decoding them: the room, and whether the envelope is in the room's
 * stream (published, with an offset, so the room's alias hears it too) or presence. Every node
 * hands these bytes on as they are ({@link RoomDelivery}); nothing decodes and re-encodes an
 * envelope per node.
 *
 * <p>On the Redis delivery channel the same three travel as one message:
 * {@code E<room>\n<envelope json>} for the stream, {@code P<room>\n<envelope json>} for presence
 * ({@link #toMessage}, {@link #fromMessage}).
 */
public record EncodedEnvelope(RoomName room, boolean inStream, Buffer bytes) {

  private static final byte STREAM = 'E';
  private static final byte PRESENCE = 'P';

  /** Encodes {@code envelope} once. */
  public static EncodedEnvelope of(Envelope envelope) {
    return new EncodedEnvelope(RoomName.of(envelope.destination()), envelope.offset() != null, envelope.encode());
  }

  /** The envelope itself, decoded (tests, diagnostics; delivery never needs it). */
  public Envelope envelope() {
    return Envelope.fromJson(new JsonObject(bytes));
  }

  /** The message the Redis store publishes on its delivery channel. */
  public static String toMessage(Envelope envelope) {
    return (char) (envelope.offset() != null ? STREAM : PRESENCE) + envelope.destination() + "\n" + envelope.encode();
  }

  /** Reads a delivery channel message; the envelope's bytes are a slice of {@code message}, not a copy. */
  public static EncodedEnvelope fromMessage(Buffer message) {
    int newline = -1;
    for (int i = 1; i < Math.min(message.length(), RoomName.MAX_LENGTH + 2); i++) {
      if (message.getByte(i) == '\n') {
        newline = i;
        break;
      }
    }
    byte kind = message.length() > 0 ? message.getByte(0) : 0;
    if (newline < 0 || (kind != STREAM && kind != PRESENCE)) {
      throw new IllegalArgumentException("not a delivery message: it starts " + message.getString(0, Math.min(message.length(), 40)));
    }
    return new EncodedEnvelope(RoomName.of(message.getString(1, newline)), kind == STREAM, message.slice(newline + 1, message.length()));
  }
}
