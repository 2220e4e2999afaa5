package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Parley's bridge: a subscriber opens the SockJS websocket (or the raw endpoint, or every
 * other one raw with {@code --transport mixed}), sends {@code auth.authenticate} and registers
 * {@code room.<room>}; the publisher, authenticated the same way, sends {@code rooms.publish}.
 * Deliveries are read from the frames' bytes, not parsed.
 */
final class ParleyFanOutClient extends FanOutClient {

  private final DevTokens tokens;
  private BridgeSocket bridge;

  ParleyFanOutClient(FanOutTally tally, DevTokens tokens) {
    super(tally, Transport.SOCKJS.path("/eventbus"));
    this.tokens = tokens;
  }

  @Override
  FanOutSubscriber subscriber(int index) {
    return new Subscriber(index);
  }

  @Override
  Future<Void> openPublisher(FanOutPublisher publisher, WebSocket ws) {
    bridge = BridgeSocket.wrap(ws, Transport.SOCKJS);
    publisher.vertx().setPeriodic(settings.pingMs(), id -> bridge.ping());
    bridge.errorHandler(f -> {
      publisher.publishErrors++;
      tally.reason("publisher err", String.valueOf(f));
    });
    return bridge.opened().compose(v -> bridge.request("auth.authenticate",
      new JsonObject().put("token", tokens.sign("fan-publisher", "publisher"))
        .put("sessionId", UUID.randomUUID().toString()))).mapEmpty();
  }

  @Override
  void publish(FanOutPublisher publisher, String data) {
    bridge.request("rooms.publish", new JsonObject().put("room", settings.room())
        .put("event", "chat.new-message").put("data", data))
      .onFailure(e -> {
        publisher.publishErrors++;
        tally.reason("rooms.publish failed", String.valueOf(e));
      });
  }

  private final class Subscriber extends FanOutSubscriber {
    final String sessionId = UUID.randomUUID().toString();
    final String authReply = UUID.randomUUID().toString();
    final String stateReply = UUID.randomUUID().toString();
    final String token;
    final Transport transport;
    final int port;
    /** How an err frame looks on this transport: SockJS carries each frame as an escaped JSON string. */
    final String errMark;
    int state;
    long pingTimer = -1;

    Subscriber(int index) {
      super(ParleyFanOutClient.this.tally);
      token = tokens.sign("fan-" + index, "fan " + index);
      transport = switch (settings.transport()) {
        case "raw" -> Transport.RAW;
        case "mixed" -> index % 2 == 0 ? Transport.SOCKJS : Transport.RAW;
        default -> Transport.SOCKJS;
      };
      port = settings.ports().get(index % settings.ports().size());
      errMark = transport == Transport.RAW ? "\"type\":\"err\"" : "\\\"type\\\":\\\"err\\\"";
    }

    @Override
    int port() {
      return port;
    }

    @Override
    String uri() {
      return transport.path("/eventbus");
    }

    void send(JsonObject frame) {
      ws.writeTextMessage(transport.wrap(frame.encode()));
    }

    @Override
    void start(Promise<Void> p) {
      ws.handler(buffer -> {
        if (buffer.length() == 0) {
          return;
        }
        byte first = buffer.getByte(0);
        // deliveries: an a[...] array of frames (SockJS) or one {...} frame per message (raw)
        if (state == 2 && (first == 'a' || first == '{') && tally.onBytes(this, buffer)) {
          return;
        }
        String text = buffer.toString(StandardCharsets.UTF_8);
        switch (text.charAt(0)) {
          case 'o' -> authenticate();
          case 'a', '{' -> onFrames(text, p);
          case 'c' -> tally.reason("sockjs close frame", text);
          default -> { }
        }
      });
      Vertx lane = Vertx.currentContext().owner();
      ws.closeHandler(v -> {
        lane.cancelTimer(pingTimer);
        onClose(p);
      });
      // every socket pings on its own clock from its connect on, as the client's setInterval does:
      // a shared tick would send the pings of all the sockets that connected in one second together
      pingTimer = lane.setPeriodic(settings.pingMs(), id -> ws.writeTextMessage(transport.wrap("{\"type\":\"ping\"}")));
      if (transport == Transport.RAW) {
        authenticate(); // no open frame on the raw endpoint
      }
    }

    void authenticate() {
      state = 1;
      send(new JsonObject().put("type", "send").put("address", "auth.authenticate")
        .put("body", new JsonObject().put("token", token).put("sessionId", sessionId))
        .put("replyAddress", authReply));
    }

    void onFrames(String text, Promise<Void> p) {
      if (text.contains(errMark)) {
        tally.serverErrors.incrementAndGet();
        tally.reason("parley err frame", text.length() > 300 ? text.substring(0, 300) : text);
        if (state == 1) {
          p.tryFail("auth refused");
          return;
        }
      }
      if (state == 1 && text.contains(authReply)) {
        state = 2;
        send(new JsonObject().put("type", "register").put("address", "room." + settings.room()));
        if (settings.idle()) {
          // a second room, and rooms.state as the "both registers are decided" signal
          send(new JsonObject().put("type", "register").put("address", "room.client-" + sessionId));
          send(new JsonObject().put("type", "send").put("address", "rooms.state")
            .put("body", new JsonObject().put("room", "client-" + sessionId)).put("replyAddress", stateReply));
        } else {
          markJoined(p); // confirmed by the probe phase (a delivery reaches it)
        }
      } else if (state == 2 && settings.idle() && text.contains(stateReply)) {
        markJoined(p);
      }
    }
  }
}
