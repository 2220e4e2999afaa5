package io.parley.bench;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * One frame from the server, decoded only when asked.
 *
 * <p>A load generator receives far more than it reads: every member of a 10,000-member room
 * gets every presence envelope, and a {@code rooms.state} reply for such a room is most of a
 * megabyte. So the frame's {@code type} and {@code address} are read from its first bytes —
 * Parley writes {@code {"type":..,"address":..,} first, compact — and the JSON is parsed only
 * by {@link #json()}. A frame laid out any other way is parsed at once, so the shortcut
 * changes the cost, never the result.
 */
final class InboundFrame {

  private final String text;
  /** For a SockJS frame, the JSON string literal (quotes included) holding the frame; else the frame. */
  private final int start;
  private final int end;
  private final boolean escaped;
  private String type;
  private String address;
  private JsonObject json;

  private InboundFrame(String text, int start, int end, boolean escaped) {
    this.text = text;
    this.start = start;
    this.end = end;
    this.escaped = escaped;
    if (!peek()) {
      JsonObject decoded = json();
      type = decoded.getValue("type") instanceof String t ? t : "";
      address = decoded.getValue("address") instanceof String a ? a : null;
    }
  }

  /** A raw-endpoint message: the frame itself. */
  static InboundFrame plain(String text) {
    return new InboundFrame(text, 0, text.length(), false);
  }

  /** An element of a SockJS {@code a[...]} array: the JSON string literal at {@code [start, end)}. */
  static InboundFrame sockJsElement(String text, int start, int end) {
    return new InboundFrame(text, start, end, true);
  }

  /** {@code rec} or {@code err} (or whatever the server sent; "" when it named none). */
  String type() {
    return type;
  }

  /** The frame's address, or null for an address-less {@code err}. */
  String address() {
    return address;
  }

  /** The size of the frame as received, in characters. */
  int length() {
    return end - start;
  }

  /**
   * The frame as received, without copying or parsing (a SockJS element still JSON-escaped): for
   * a generator that looks for a marker of its own in the frame's bytes.
   */
  CharSequence raw() {
    return java.nio.CharBuffer.wrap(text, start, end);
  }

  /** The whole frame, parsed on first use. */
  JsonObject json() {
    if (json == null) {
      String frame = escaped ? (String) Json.decodeValue(text.substring(start, end)) : text.substring(start, end);
      json = new JsonObject(frame);
    }
    return json;
  }

  /** Reads {@code {"type":"<t>","address":"<a>"} from the first bytes; false when the layout differs. */
  private boolean peek() {
    String q = escaped ? "\\\"" : "\"";
    int at = escaped ? start + 1 : start;
    String head = "{" + q + "type" + q + ":" + q;
    if (!text.startsWith(head, at)) {
      return false;
    }
    at += head.length();
    int typeEnd = plainValueEnd(at, q);
    if (typeEnd < 0) {
      return false;
    }
    type = text.substring(at, typeEnd);
    at = typeEnd + q.length();
    String addressHead = "," + q + "address" + q + ":" + q;
    if (!text.startsWith(addressHead, at)) {
      // an address-less err: routed by its body, so parse it (it is small)
      return false;
    }
    at += addressHead.length();
    int addressEnd = plainValueEnd(at, q);
    if (addressEnd < 0) {
      return false;
    }
    address = text.substring(at, addressEnd);
    return true;
  }

  /** Where a string value without escapes ends (the index of its closing quote), or -1. */
  private int plainValueEnd(int from, String q) {
    int limit = Math.min(end, from + 512);
    for (int i = from; i < limit; i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        return escaped && text.startsWith(q, i) ? i : -1;
      }
      if (c == '"') {
        return escaped ? -1 : i;
      }
    }
    return -1;
  }
}
