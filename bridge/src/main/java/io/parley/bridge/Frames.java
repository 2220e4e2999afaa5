package io.parley.bridge;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The frames Parley writes to a connection, in one of two dialects of the same JSON: the
 * event-bus bridge's ({@link #EVENT_BUS}, what {@code @vertx/eventbus-bridge-client.js} reads:
 * deliveries and replies are {@code rec}) and the TCP event-bus bridge's ({@link #TCP}: they are
 * {@code message}, and a {@code ping} is answered with {@code pong}). Refusals ({@code err}) are
 * alike in both. The shapes are listed in {@code docs/protocol.md}.
 */
final class Frames {

  /** Why an address-less {@code err} was sent; the client hands it to {@code eb.onerror}. */
  static final String INVALID_JSON = "invalid_json";
  static final String INVALID_TYPE = "invalid_type";
  static final String ACCESS_DENIED = "access_denied";
  static final String MISSING_ADDRESS = "missing_address";
  static final String TOO_LARGE = "too_large";
  static final String RATE_LIMITED = "rate_limited";
  static final String UNAUTHENTICATED = "unauthenticated";
  /** TCP only: a length prefix that is negative; the connection is closed after it. */
  static final String INVALID_FRAME = "invalid_frame";

  static final Frames EVENT_BUS = new Frames("rec", false);
  static final Frames TCP = new Frames("message", true);

  /** The {@code type} of a delivery or reply in the event-bus bridge dialect. */
  private static final String REC = "rec";

  private final String messageType;
  private final boolean pongs;

  private Frames(String messageType, boolean pongs) {
    this.messageType = messageType;
    this.pongs = pongs;
  }

  /** The reply to a client's send with {@code replyAddress}. */
  Buffer reply(String replyAddress, Object body) {
    return new JsonObject().put("type", messageType).put("address", replyAddress).put("body", body).toBuffer();
  }

  /**
   * A bus message a service consumes on an address it registered: {@code replyAddress}, when
   * the sender waits for an answer, is an id this connection answers to with a send.
   */
  Buffer consumed(String address, Object body, String replyAddress) {
    JsonObject frame = new JsonObject().put("type", messageType).put("address", address).put("body", body);
    if (replyAddress != null) {
      frame.put("replyAddress", replyAddress);
    }
    return frame.put("send", replyAddress != null).toBuffer();
  }

  /** The answer to a {@code ping}, or null where the dialect has none. */
  Buffer pong() {
    return pongs ? new JsonObject().put("type", "pong").toBuffer() : null;
  }

  /** A failed reply; the client's reply callback gets it as the error. */
  static Buffer failedReply(String replyAddress, int code, String message) {
    return new JsonObject().put("type", "err").put("address", replyAddress)
      .put("failureCode", code).put("failureType", "RECIPIENT_FAILURE").put("message", message).toBuffer();
  }

  /** A refused REGISTER; it goes to that address's handler as an error. */
  static Buffer refusedRegister(String address, int code, String message) {
    return new JsonObject().put("type", "err").put("address", address)
      .put("failureCode", code).put("message", message).toBuffer();
  }

  /** A refusal that cannot be routed to a handler. */
  static Buffer error(String body, int code, String message) {
    return new JsonObject().put("type", "err").put("body", body)
      .put("failureCode", code).put("message", message).toBuffer();
  }

  /** The bytes before an encoded envelope in every delivery on {@code address}, in the event-bus bridge dialect. */
  static Buffer deliveryPrefix(String address) {
    String quoted = new JsonObject().put("a", address).encode(); // {"a":"<escaped>"}
    return Buffer.buffer("{\"type\":\"" + REC + "\",\"address\":" + quoted.substring(5, quoted.length() - 1) + ",\"body\":");
  }

  /** A delivery: one buffer, built once per room per node and written to every member. */
  static Buffer delivery(Buffer prefix, Buffer envelope) {
    return Buffer.buffer(prefix.length() + envelope.length() + 1).appendBuffer(prefix).appendBuffer(envelope).appendByte((byte) '}');
  }

  /**
   * A delivery (from {@link #delivery}) in the TCP dialect, framed as the TCP bridge frames
   * everything: a 4-byte big-endian length, then the JSON with {@code message} for {@code rec}.
   */
  static Buffer tcpDelivery(Buffer delivery) {
    int typeEnd = "{\"type\":\"".length() + REC.length();
    Buffer head = Buffer.buffer("{\"type\":\"" + TCP.messageType);
    int length = head.length() + delivery.length() - typeEnd;
    return Buffer.buffer(4 + length).appendInt(length).appendBuffer(head).appendBuffer(delivery, typeEnd, delivery.length() - typeEnd);
  }

  /** Any frame in TCP framing: its length (4 bytes, big-endian), then the frame. */
  static Buffer lengthPrefixed(Buffer frame) {
    return Buffer.buffer(4 + frame.length()).appendInt(frame.length()).appendBuffer(frame);
  }
}
