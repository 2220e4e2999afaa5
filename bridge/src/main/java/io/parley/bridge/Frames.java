package io.parley.bridge;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The frames Parley writes to a socket, as the published bridge client reads them
 * ({@code docs/protocol.md}, frames).
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

  /** The reply to a client's send with {@code replyAddress}. */
  static Buffer reply(String replyAddress, Object body) {
    return new JsonObject().put("type", "rec").put("address", replyAddress).put("body", body).toBuffer();
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

  /** The bytes before an encoded envelope in every delivery on {@code address}. */
  static Buffer deliveryPrefix(String address) {
    String quoted = new JsonObject().put("a", address).encode(); // {"a":"<escaped>"}
    return Buffer.buffer("{\"type\":\"rec\",\"address\":" + quoted.substring(5, quoted.length() - 1) + ",\"body\":");
  }

  /** A delivery: one buffer, built once per room per node and written to every member. */
  static Buffer delivery(Buffer prefix, Buffer envelope) {
    return Buffer.buffer(prefix.length() + envelope.length() + 1).appendBuffer(prefix).appendBuffer(envelope).appendByte((byte) '}');
  }

  private Frames() {
  }
}
