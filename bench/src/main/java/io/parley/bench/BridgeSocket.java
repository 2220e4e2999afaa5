package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One connection speaking the event-bus bridge protocol, as a browser tab running
 * {@code @vertx/eventbus-bridge-client.js} would (over a websocket, {@link #wrap}), or a client
 * of the TCP event-bus bridge ({@link #tcp}): requests with reply addresses, registers
 * with deliveries and refusals routed to their address, address-less refusals to
 * {@link #errorHandler}. No thread of its own: it lives on the event loop of the context
 * that connected it, and must be used from there.
 *
 * <p>Frames are decoded lazily ({@link InboundFrame}), so receiving a delivery nobody reads
 * costs a look at its first bytes.
 */
final class BridgeSocket {

  /** Where refusals of a register go; deliveries on that address go to {@code deliveries}. */
  private record Registration(Handler<InboundFrame> deliveries, Handler<BridgeFailure> refused) {
  }

  /**
   * The connection under the protocol: how one frame (JSON) is written, how it closes, and the
   * close code and reason the peer sent, as text ("" when none).
   */
  private record Wire(Consumer<String> write, Supplier<Future<Void>> close, Supplier<String> closeStatus) {
  }

  private static final String PING = new JsonObject().put("type", "ping").encode();

  private final Transport transport;
  private final Wire wire;
  private final Promise<Void> opened = Promise.promise();
  private final Map<String, Promise<InboundFrame>> pending = new HashMap<>(4);
  private final Map<String, Registration> registered = new HashMap<>(4);
  private Handler<BridgeFailure> errorHandler = failure -> { };
  private Handler<String> closeHandler = why -> { };
  private String sockJsClose;
  private Throwable transportFailure;
  private boolean closing;
  private boolean closed;
  private long framesIn;
  private long unrouted;

  /** {@code transport}: the websocket's; null for TCP, whose frames are plain JSON like the raw endpoint's. */
  private BridgeSocket(Transport transport, Wire wire) {
    this.transport = transport;
    this.wire = wire;
    if (transport != Transport.SOCKJS) {
      opened.complete();
    }
  }

  /** Takes over a freshly connected websocket on {@code transport}'s path. */
  static BridgeSocket wrap(WebSocket ws, Transport transport) {
    BridgeSocket socket = new BridgeSocket(transport,
      new Wire(frame -> ws.writeTextMessage(transport.wrap(frame)), ws::close, () -> closeStatus(ws)));
    ws.textMessageHandler(socket::onMessage);
    ws.binaryMessageHandler(buffer -> socket.onMessage(buffer.toString(StandardCharsets.UTF_8)));
    ws.exceptionHandler(e -> socket.transportFailure = e);
    ws.closeHandler(v -> socket.onClosed());
    return socket;
  }

  private static String closeStatus(WebSocket ws) {
    Short code = ws.closeStatusCode();
    if (code == null) {
      return "";
    }
    return ws.closeReason() == null || ws.closeReason().isEmpty() ? code.toString() : code + " " + ws.closeReason();
  }

  /**
   * Takes over a freshly connected TCP connection to the TCP event-bus bridge (framing in
   * {@link TcpFraming}; replies and deliveries come as {@code message}, pings are answered with
   * {@code pong}). TCP has no close code: the node names its reason in an {@code err} first.
   */
  static BridgeSocket tcp(NetSocket socket) {
    BridgeSocket bridge = new BridgeSocket(null, new Wire(frame -> socket.write(TcpFraming.frame(frame)), socket::close, () -> ""));
    socket.handler(TcpFraming.reader(frame -> bridge.onMessage(frame.toString(StandardCharsets.UTF_8))));
    socket.exceptionHandler(e -> bridge.transportFailure = e);
    socket.closeHandler(v -> bridge.onClosed());
    return bridge;
  }

  /** Completes when the bridge may be spoken to: SockJS's {@code o}, or at once on the raw endpoint and TCP. */
  Future<Void> opened() {
    return opened.future();
  }

  /** A {@code send} with a reply address; completes with the {@code rec} ({@code message} on TCP), fails with the {@code err}. */
  Future<InboundFrame> request(String address, JsonObject body) {
    if (closed) {
      return Future.failedFuture(new BridgeFailure(-1, null, describeClose()));
    }
    String replyAddress = UUID.randomUUID().toString();
    Promise<InboundFrame> reply = Promise.promise();
    pending.put(replyAddress, reply);
    write(new JsonObject().put("type", "send").put("address", address).put("body", body).put("replyAddress", replyAddress));
    return reply.future();
  }

  /** A {@code register}: deliveries on {@code address} and its refusal, if any, go to the handlers. */
  void register(String address, Handler<InboundFrame> deliveries, Handler<BridgeFailure> refused) {
    registered.put(address, new Registration(deliveries, refused));
    write(new JsonObject().put("type", "register").put("address", address));
  }

  void ping() {
    writeFrame(PING);
  }

  /** Refusals that name no pending request or registered address (e.g. {@code rate_limited}). */
  BridgeSocket errorHandler(Handler<BridgeFailure> handler) {
    errorHandler = handler;
    return this;
  }

  /** Called once when the socket closes, with why (the server's close frame, or the transport's). */
  BridgeSocket closeHandler(Handler<String> handler) {
    closeHandler = handler;
    return this;
  }

  boolean isClosed() {
    return closed;
  }

  /** Frames received, and those no pending request or registration was waiting for. */
  long framesIn() {
    return framesIn;
  }

  long unrouted() {
    return unrouted;
  }

  Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closing = true;
    return wire.close().get();
  }

  private void write(JsonObject frame) {
    writeFrame(frame.encode());
  }

  private void writeFrame(String frame) {
    if (!closed) {
      wire.write().accept(frame);
    }
  }

  private void onMessage(String message) {
    if (message.isEmpty()) {
      return;
    }
    if (transport != Transport.SOCKJS) {
      dispatch(InboundFrame.plain(message));
      return;
    }
    switch (message.charAt(0)) {
      case 'o' -> opened.tryComplete();
      case 'h' -> { } // heartbeat
      case 'a' -> {
        for (InboundFrame frame : sockJsArray(message)) {
          dispatch(frame);
        }
      }
      case 'm' -> dispatch(InboundFrame.sockJsElement(message, 1, message.length()));
      case 'c' -> sockJsClose = message.substring(1);
      default -> unrouted++;
    }
  }

  /**
   * The frames of {@code a["...","..."]}: each element is a JSON string literal, found by
   * scanning for its closing quote, so a large frame is not copied or parsed here.
   */
  private static List<InboundFrame> sockJsArray(String message) {
    List<InboundFrame> frames = new ArrayList<>(1);
    int n = message.length();
    int i = 2;
    boolean wellFormed = n >= 3 && message.charAt(1) == '[';
    while (wellFormed && i < n) {
      char c = message.charAt(i);
      if (c == ']') {
        return frames;
      }
      if (c == ',' || Character.isWhitespace(c)) {
        i++;
        continue;
      }
      if (c != '"') {
        break;
      }
      int j = i + 1;
      while (j < n) {
        char d = message.charAt(j);
        if (d == '\\') {
          j += 2;
        } else if (d == '"') {
          break;
        } else {
          j++;
        }
      }
      if (j >= n) {
        break;
      }
      frames.add(InboundFrame.sockJsElement(message, i, j + 1));
      i = j + 1;
    }
    // not the layout expected: parse it the slow, certain way
    frames.clear();
    for (Object element : new JsonArray(message.substring(1))) {
      frames.add(InboundFrame.plain(String.valueOf(element)));
    }
    return frames;
  }

  private void dispatch(InboundFrame frame) {
    framesIn++;
    String address = frame.address();
    // rec on the event-bus bridge, message on the TCP one: the same replies and deliveries
    if ("rec".equals(frame.type()) || "message".equals(frame.type())) {
      if (address != null) {
        Promise<InboundFrame> reply = pending.remove(address);
        if (reply != null) {
          reply.complete(frame);
          return;
        }
        Registration registration = registered.get(address);
        if (registration != null) {
          registration.deliveries().handle(frame);
          return;
        }
      }
      unrouted++;
    } else if ("err".equals(frame.type())) {
      BridgeFailure failure = BridgeFailure.of(frame.json());
      if (address != null) {
        Promise<InboundFrame> reply = pending.remove(address);
        if (reply != null) {
          reply.fail(failure);
          return;
        }
        Registration registration = registered.remove(address);
        if (registration != null) {
          registration.refused().handle(failure);
          return;
        }
      }
      errorHandler.handle(failure);
    } else if (!"pong".equals(frame.type())) {
      unrouted++;
    }
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    String why = describeClose();
    BridgeFailure failure = new BridgeFailure(-1, null, why);
    opened.tryFail(failure);
    List<Promise<InboundFrame>> waiting = new ArrayList<>(pending.values());
    pending.clear();
    waiting.forEach(reply -> reply.tryFail(failure));
    closeHandler.handle(why);
  }

  private String describeClose() {
    StringBuilder why = new StringBuilder(closing ? "closed by the client" : "closed by the server");
    if (sockJsClose != null) {
      why.append(": sockjs c").append(sockJsClose);
    }
    String status = wire.closeStatus().get();
    if (!status.isEmpty()) {
      why.append(": ").append(status);
    }
    if (transportFailure != null) {
      why.append(" (").append(transportFailure).append(')');
    }
    return why.toString();
  }
}
