package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Parley's bridge: a subscriber opens the SockJS websocket (or the raw endpoint, or every
 * other one raw with {@code --transport mixed}, or a connection to the TCP event-bus bridge with
 * {@code --transport tcp}), sends {@code auth.authenticate} with a user's token and registers
 * {@code room.<room>}, or subscribes to the room's public channel on the Pusher endpoint
 * ({@code --transport pusher}, {@link PusherSubscriber}); the publisher, authenticated the same way on the SockJS websocket (or as a
 * service with the API key on the TCP bridge, {@code --publisher tcp}), sends
 * {@code rooms.publish}. Deliveries are read from the frames' bytes, not parsed.
 */
final class ParleyFanOutClient extends FanOutClient {

  /** The event every publish carries: a service may use any name, and uses the user's, so the envelopes match. */
  private static final String EVENT = "chat.new-message";
  private static final String PING = "{\"type\":\"ping\"}";
  /** An err frame in plain JSON (raw endpoint, TCP); SockJS carries each frame as an escaped JSON string. */
  private static final String ERR = "\"type\":\"err\"";
  private static final String SOCKJS_ERR = "\\\"type\\\":\\\"err\\\"";

  private final DevTokens tokens;
  private BridgeSocket bridge;

  ParleyFanOutClient(FanOutTally tally, DevTokens tokens) {
    super(tally, Transport.SOCKJS.path("/eventbus"));
    this.tokens = tokens;
  }

  @Override
  FanOutSubscriber subscriber(int index) {
    return switch (settings.transport()) {
      case "tcp" -> new TcpSubscriber(index);
      case "pusher" -> new PusherSubscriber(tally, settings.pusherKey(), index);
      default -> new WebSocketSubscriber(index);
    };
  }

  /** {@code --publisher tcp}: a service on the TCP event-bus bridge; else the user on the SockJS websocket. */
  @Override
  Future<Void> connectPublisher(FanOutPublisher publisher, SourceClients sources) {
    if (!settings.tcpPublisher()) {
      return super.connectPublisher(publisher, sources);
    }
    return sources.tcp(0).connect(settings.tcpPort(), settings.host())
      .compose(socket -> startBridge(publisher, BridgeSocket.tcp(socket), new JsonObject().put("apiKey", settings.apiKey())));
  }

  @Override
  Future<Void> openPublisher(FanOutPublisher publisher, WebSocket ws) {
    return startBridge(publisher, BridgeSocket.wrap(ws, Transport.SOCKJS), new JsonObject()
      .put("token", tokens.sign("fan-publisher", "publisher")).put("sessionId", UUID.randomUUID().toString()));
  }

  private Future<Void> startBridge(FanOutPublisher publisher, BridgeSocket socket, JsonObject credentials) {
    bridge = socket;
    publisher.vertx().setPeriodic(settings.pingMs(), id -> bridge.ping());
    bridge.errorHandler(f -> {
      publisher.publishErrors++;
      tally.reason("publisher err", String.valueOf(f));
    });
    bridge.closeHandler(why -> tally.reason("publisher closed", why));
    return bridge.opened().compose(v -> bridge.request("auth.authenticate", credentials)).mapEmpty();
  }

  @Override
  void publish(FanOutPublisher publisher, String data) {
    bridge.request("rooms.publish", new JsonObject().put("room", settings.room()).put("event", EVENT).put("data", data))
      .onFailure(e -> {
        publisher.publishErrors++;
        tally.reason("rooms.publish failed", String.valueOf(e));
      });
  }

  /**
   * A user's connection, whatever carries it: authenticates with its token and a fresh sessionId,
   * registers the room, and pings on its own clock from its connect on, as the client's
   * {@code setInterval} does (a shared tick would send the pings of all the connections made in one
   * second together).
   */
  private abstract class Subscriber extends FanOutSubscriber {
    final String sessionId = UUID.randomUUID().toString();
    final String authReply = UUID.randomUUID().toString();
    final String stateReply = UUID.randomUUID().toString();
    final String token;
    /** How an err frame looks on this connection. */
    final String errMark;
    int state;
    private Vertx lane;
    private long pingTimer = -1;

    Subscriber(int index, String errMark) {
      super(ParleyFanOutClient.this.tally);
      token = tokens.sign("fan-" + index, "fan " + index);
      this.errMark = errMark;
    }

    /** Writes one bridge frame (JSON) as this connection carries it. */
    abstract void send(String frame);

    void send(JsonObject frame) {
      send(frame.encode());
    }

    void startPinging() {
      lane = Vertx.currentContext().owner();
      pingTimer = lane.setPeriodic(settings.pingMs(), id -> send(PING));
    }

    void stopPinging() {
      if (lane != null) {
        lane.cancelTimer(pingTimer);
      }
    }

    /**
     * A delivery is counted from its bytes ({@link FanOutTally#onBytes}), without decoding it;
     * anything else (replies, refusals) is read as text.
     */
    void onMessage(Buffer buffer, Promise<Void> p) {
      if (state == 2 && tally.onBytes(this, buffer)) {
        return;
      }
      onFrames(buffer.toString(StandardCharsets.UTF_8), p);
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

  /** On the SockJS websocket, the raw endpoint, or either ({@code --transport mixed}). */
  private final class WebSocketSubscriber extends Subscriber {
    final Transport transport;
    final int port;

    WebSocketSubscriber(int index) {
      this(index, switch (settings.transport()) {
        case "raw" -> Transport.RAW;
        case "mixed" -> index % 2 == 0 ? Transport.SOCKJS : Transport.RAW;
        default -> Transport.SOCKJS;
      });
    }

    private WebSocketSubscriber(int index, Transport transport) {
      super(index, transport == Transport.RAW ? ERR : SOCKJS_ERR);
      this.transport = transport;
      port = settings.ports().get(index % settings.ports().size());
    }

    @Override
    int port() {
      return port;
    }

    @Override
    String uri() {
      return transport.path("/eventbus");
    }

    @Override
    void send(String frame) {
      ws.writeTextMessage(transport.wrap(frame));
    }

    @Override
    void start(Promise<Void> p) {
      ws.handler(buffer -> {
        if (buffer.length() == 0) {
          return;
        }
        switch (buffer.getByte(0)) {
          // frames: an a[...] array of them (SockJS) or one {...} per message (raw)
          case 'a', '{' -> onMessage(buffer, p);
          case 'o' -> authenticate();
          case 'c' -> tally.reason("sockjs close frame", buffer.toString(StandardCharsets.UTF_8));
          default -> { }
        }
      });
      ws.closeHandler(v -> {
        stopPinging();
        onClose(p);
      });
      startPinging();
      if (transport == Transport.RAW) {
        authenticate(); // no open frame on the raw endpoint
      }
    }
  }

  /**
   * On the TCP event-bus bridge ({@code --tcp-port}), as a user: what a native or device client
   * of the TCP bridge does with its user's token, with a browser's rights (bench/README.md says
   * why not a service). Each frame is handed over whole by {@link TcpFraming#reader}.
   */
  private final class TcpSubscriber extends Subscriber {
    private NetSocket socket;
    private boolean closed;

    TcpSubscriber(int index) {
      super(index, ERR);
    }

    @Override
    String uri() {
      return "tcp://" + settings.host() + ":" + settings.tcpPort();
    }

    @Override
    Future<Void> open(SourceClients sources, int source) {
      return sources.tcp(source).connect(settings.tcpPort(), settings.host()).map(connected -> {
        socket = connected;
        return null;
      });
    }

    @Override
    void send(String frame) {
      socket.write(TcpFraming.frame(frame));
    }

    @Override
    void start(Promise<Void> p) {
      socket.handler(TcpFraming.reader(frame -> onMessage(frame, p)));
      socket.closeHandler(v -> {
        closed = true;
        stopPinging();
        onClose(p);
      });
      startPinging();
      authenticate(); // no open frame on TCP
    }

    @Override
    void close() {
      if (socket != null && !closed) {
        closedByUs = true;
        socket.close();
      }
    }

    /** TCP has no close code: the node's reason came in an err before the close (counted with the err frames). */
    @Override
    String closeWhy() {
      return "TCP connection closed by the node";
    }
  }
}
