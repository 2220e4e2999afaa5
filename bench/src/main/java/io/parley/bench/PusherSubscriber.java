package io.parley.bench;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A fan-out subscriber on Parley's Pusher endpoint ({@code docs/pusher.md}), speaking what
 * {@code pusher-js} 8.6.0 sends over its websocket transport: it connects to
 * {@code /app/<key>?protocol=7&client=js&version=8.6.0&flash=false}, waits for
 * {@code pusher:connection_established}, sends {@code pusher:subscribe} for the public channel
 * {@code --room} (its room is open to public channels: bench/README.md says why public), and is
 * joined at {@code pusher_internal:subscription_succeeded}. Deliveries are counted from the
 * message's bytes ({@link FanOutTally#onBytes}), never parsed; anything else is read as text.
 *
 * <p>Pings as pusher-js does, on this socket's own clock: {@code activity_timeout} after the
 * last message it received it sends {@code pusher:ping}, and a socket that then hears nothing
 * for 30 s (pusher-js's {@code pongTimeout}) is one pusher-js would reconnect, counted as a
 * problem. The server's {@code pusher:ping} is answered with {@code pusher:pong}.
 */
final class PusherSubscriber extends FanOutSubscriber {

  /** pusher-js 8.6.0's protocol and version, as it puts them in the URL. */
  static final String QUERY = "?protocol=7&client=js&version=8.6.0&flash=false";
  private static final String PING = "{\"event\":\"pusher:ping\",\"data\":{}}";
  private static final String PONG = "{\"event\":\"pusher:pong\",\"data\":{}}";
  /** pusher-js's default pongTimeout. */
  private static final long PONG_TIMEOUT = TimeUnit.SECONDS.toNanos(30);

  private final String key;
  private final int port;
  private final String channel;
  /** {@code --mode idle}: a second channel, this socket's own (its room starts like {@code --room}, so it is public too). */
  private final String ownChannel;
  private int subscribed;
  private Vertx lane;
  private long timer = -1;
  private long activityTimeout;
  private long lastHeard;
  /** When the last ping went out, 0 once anything was heard after it. */
  private long pingSentAt;

  PusherSubscriber(FanOutTally tally, String key, int index) {
    super(tally);
    this.key = key;
    this.port = tally.settings.ports().get(index % tally.settings.ports().size());
    this.channel = tally.settings.room();
    this.ownChannel = tally.settings.room() + "-own-" + index;
  }

  @Override
  String uri() {
    return "/app/" + key + QUERY;
  }

  @Override
  int port() {
    return port;
  }

  @Override
  void start(Promise<Void> p) {
    lane = Vertx.currentContext().owner();
    lastHeard = System.nanoTime();
    ws.handler(buffer -> {
      lastHeard = System.nanoTime();
      if (joinedFlag && tally.onBytes(this, buffer)) {
        return;
      }
      onMessage(buffer.toString(StandardCharsets.UTF_8), p);
    });
    ws.closeHandler(v -> {
      if (timer >= 0) {
        lane.cancelTimer(timer);
      }
      onClose(p);
    });
  }

  private void onMessage(String text, Promise<Void> p) {
    JsonObject message;
    try {
      message = new JsonObject(text);
    } catch (RuntimeException e) {
      tally.reason("pusher: not a JSON object", text.length() > 300 ? text.substring(0, 300) : text);
      return;
    }
    String event = message.getString("event", "");
    switch (event) {
      case "pusher:connection_established" -> {
        activityTimeout = TimeUnit.SECONDS.toNanos(new JsonObject(message.getString("data")).getLong("activity_timeout", 120L));
        check();
        subscribe(channel);
        if (tally.settings.idle()) {
          subscribe(ownChannel);
        }
      }
      case "pusher_internal:subscription_succeeded" -> {
        if (++subscribed == (tally.settings.idle() ? 2 : 1)) {
          markJoined(p); // confirmed by the probe phase (a delivery reaches it)
        }
      }
      case "pusher:ping" -> ws.writeTextMessage(PONG);
      case "pusher:pong" -> { }
      case "pusher:error", "pusher:subscription_error" -> {
        tally.serverErrors.incrementAndGet();
        tally.reason(event, text.length() > 300 ? text.substring(0, 300) : text);
        if (!joinedFlag) {
          p.tryFail(event + " " + message.getValue("data"));
        }
      }
      default -> tally.reason("pusher: unexpected " + event, text.length() > 300 ? text.substring(0, 300) : text);
    }
  }

  private void subscribe(String name) {
    // what pusher-js sends for a public channel: its authorizer answers {auth: ""}
    ws.writeTextMessage(new JsonObject().put("event", "pusher:subscribe")
      .put("data", new JsonObject().put("auth", "").put("channel", name)).encode());
  }

  /**
   * pusher-js's activity check, on one timer per socket: its timer is restarted by every message
   * received, which here is a timestamp per message and a timer that re-arms for what is left.
   */
  private void check() {
    long now = System.nanoTime();
    if (pingSentAt != 0 && lastHeard >= pingSentAt) {
      pingSentAt = 0;
    }
    long next;
    if (pingSentAt == 0) {
      long quiet = now - lastHeard;
      if (quiet >= activityTimeout) {
        ws.writeTextMessage(PING);
        pingSentAt = now;
        next = activityTimeout;
      } else {
        next = activityTimeout - quiet;
      }
    } else {
      long waited = now - pingSentAt;
      if (waited >= PONG_TIMEOUT) {
        tally.reason("pusher: nothing heard 30 s after a ping (pusher-js would reconnect)", "");
        pingSentAt = 0;
        lastHeard = now;
        next = activityTimeout;
      } else {
        next = Math.min(activityTimeout, PONG_TIMEOUT - waited);
      }
    }
    timer = lane.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(next)), id -> check());
  }

  @Override
  void close() {
    if (timer >= 0) {
      lane.cancelTimer(timer);
    }
    super.close();
  }
}
