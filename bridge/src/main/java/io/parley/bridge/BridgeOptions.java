package io.parley.bridge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The {@code bridge} section of the configuration: the limits that keep one socket from
 * hurting the node; {@code docs/configuration.md} lists them.
 *
 * <pre>
 * "bridge": {
 *   "maxBodyBytes": 65536,        // a larger body: 413, the socket stays open
 *   "maxFrameBytes": 1048576,     // a larger transport frame closes that socket (1009)
 *   "maxQueuedBytes": 1048576,    // a socket owed more unsent bytes than this (deliveries, replies,
 *                                 // refusals alike) is too slow: closed (4006)
 *   "maxRoomsPerSocket": 100,
 *   "ratePerSecond": 100, "rateBurst": 200,   // frames per socket, valid or not: 429 beyond
 *   "serviceRatePerSecond": 5000, "serviceRateBurst": 10000,   // the same for a service's connection,
 *                                 // once authenticated: it answers for many users
 *   "maxRefusalsPerMinute": 60,   // refused frames a socket may send (a burst of this many, then
 *                                 // one a second); past that it is closed (4007)
 *   "pingTimeoutMs": 10000,       // a socket that sends nothing this long is closed
 *   "replyTimeoutMs": 10000,      // how long a client's request may wait for its verticle, and a
 *                                 // service's answer to a request it consumed (then: 503)
 *   "maxPendingRequests": 1000,   // requests a service connection may hold unanswered; more: 503
 *   "origin": null,               // allowed Origin for SockJS (null: any)
 *   "transports": ["WEBSOCKET", "XHR"],
 *   "warmUp": {"sockets": 100, "messages": 500}   // the fan-out run before /health says UP
 *                                 // ({@link FanOutWarmUp}); messages 0: none
 * }
 * </pre>
 */
public record BridgeOptions(int maxBodyBytes, int maxFrameBytes, int maxQueuedBytes, int maxRoomsPerSocket,
                            double ratePerSecond, double rateBurst, double serviceRatePerSecond, double serviceRateBurst,
                            int maxRefusalsPerMinute, long pingTimeoutMs,
                            long replyTimeoutMs, int maxPendingRequests, String origin, List<String> transports, WarmUp warmUp) {

  /**
   * The node's warm-up ({@link FanOutWarmUp}): {@code messages} envelopes delivered to
   * {@code sockets} loopback sockets of its own before it reports ready; no warm-up when either is 0.
   */
  public record WarmUp(int sockets, int messages) {
    public static final WarmUp NONE = new WarmUp(0, 0);

    public WarmUp {
      if (sockets < 0 || messages < 0 || sockets > 10_000) {
        throw new IllegalArgumentException("bridge.warmUp.sockets (at most 10000) and bridge.warmUp.messages must not be negative");
      }
    }

    public boolean enabled() {
      return sockets > 0 && messages > 0;
    }

    static WarmUp fromConfig(JsonObject warmUp) {
      return warmUp == null ? NONE : new WarmUp(warmUp.getInteger("sockets", 0), warmUp.getInteger("messages", 0));
    }
  }

  public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
  public static final int DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

  public BridgeOptions {
    transports = List.copyOf(transports);
    if (maxBodyBytes <= 0 || maxFrameBytes < maxBodyBytes) {
      throw new IllegalArgumentException("bridge.maxFrameBytes must be at least bridge.maxBodyBytes, both positive");
    }
    if (maxQueuedBytes <= 0 || maxRoomsPerSocket <= 0 || ratePerSecond <= 0 || rateBurst < 1
      || serviceRatePerSecond <= 0 || serviceRateBurst < 1 || maxRefusalsPerMinute < 1
      || pingTimeoutMs <= 0 || replyTimeoutMs <= 0 || maxPendingRequests <= 0) {
      throw new IllegalArgumentException("bridge limits must be positive");
    }
  }

  public static BridgeOptions fromConfig(JsonObject bridge) {
    JsonObject json = bridge == null ? new JsonObject() : bridge;
    JsonArray transports = json.getJsonArray("transports", new JsonArray().add("WEBSOCKET").add("XHR"));
    return new BridgeOptions(
      json.getInteger("maxBodyBytes", DEFAULT_MAX_BODY_BYTES),
      json.getInteger("maxFrameBytes", DEFAULT_MAX_FRAME_BYTES),
      json.getInteger("maxQueuedBytes", DEFAULT_MAX_FRAME_BYTES),
      json.getInteger("maxRoomsPerSocket", 100),
      json.getDouble("ratePerSecond", 100.0),
      json.getDouble("rateBurst", 200.0),
      json.getDouble("serviceRatePerSecond", 5000.0),
      json.getDouble("serviceRateBurst", 10000.0),
      json.getInteger("maxRefusalsPerMinute", 60),
      json.getLong("pingTimeoutMs", 10_000L),
      json.getLong("replyTimeoutMs", 10_000L),
      json.getInteger("maxPendingRequests", 1000),
      json.getString("origin"),
      transports.stream().map(String::valueOf).toList(),
      WarmUp.fromConfig(json.getJsonObject("warmUp")));
  }
}
