package io.parley.bench;

import io.vertx.core.json.JsonArray;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How bridge frames travel over a websocket (docs/protocol.md, endpoints).
 *
 * <ul>
 *   <li>{@link #SOCKJS}: what a browser with sockjs-client uses,
 *       {@code /eventbus/<server>/<session>/websocket}. The server sends {@code o} (open),
 *       {@code h} (heartbeat), {@code a[...]} (an array of frames, each a JSON string) and
 *       {@code c[code,"reason"]} (close); the client sends a JSON array of strings.</li>
 *   <li>{@link #RAW}: {@code /eventbus/websocket}, one JSON frame per websocket message,
 *       which Parley writes as binary messages.</li>
 * </ul>
 */
enum Transport {
  SOCKJS, RAW;

  static Transport parse(String value) {
    return switch (value.toLowerCase()) {
      case "sockjs" -> SOCKJS;
      case "raw" -> RAW;
      default -> throw new Args.UsageException("--transport must be sockjs or raw, not '" + value + "'");
    };
  }

  /** The websocket path under {@code base} (e.g. {@code /eventbus}); a fresh SockJS session each call. */
  String path(String base) {
    if (this == RAW) {
      return base + "/websocket";
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder session = new StringBuilder(8);
    for (int i = 0; i < 8; i++) {
      session.append(Character.forDigit(random.nextInt(36), 36));
    }
    return base + "/" + String.format("%03d", random.nextInt(1000)) + "/" + session + "/websocket";
  }

  /** One outgoing bridge frame, as this transport carries it. */
  String wrap(String frame) {
    return this == RAW ? frame : JsonArray.of(frame).encode();
  }
}
