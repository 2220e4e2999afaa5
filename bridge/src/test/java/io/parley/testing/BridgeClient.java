package io.parley.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A bridge client for tests, over a real websocket: either SockJS framing (what sockjs-client
 * speaks on its websocket transport) or the raw {@code /eventbus/websocket} endpoint. Calls
 * block the test thread with a bound, so tests read top to bottom.
 */
public final class BridgeClient implements AutoCloseable {

  public enum Transport { SOCKJS, RAW }

  /** A failed reply or refusal, as the client received it. */
  public static final class BridgeError extends RuntimeException {
    public final int code;

    BridgeError(int code, String message) {
      super(code + " " + message);
      this.code = code;
    }
  }

  private static final long WAIT_SECONDS = Inbox.WAIT_SECONDS;
  private static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

  private final Transport transport;
  private final WebSocketClient client;
  private final WebSocket socket;
  private final Inbox inbox = new Inbox();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();

  private BridgeClient(Transport transport, WebSocketClient client, WebSocket socket) {
    this.transport = transport;
    this.client = client;
    this.socket = socket;
    socket.textMessageHandler(this::onText);
    // the raw endpoint writes frames as binary messages, like Vert.x's stock bridge
    socket.binaryMessageHandler(buffer -> onText(buffer.toString()));
    socket.closeHandler(v -> {
      Short status = socket.closeStatusCode();
      closed.complete(status == null ? -1 : (int) status);
    });
  }

  public static BridgeClient connect(Vertx vertx, int port, Transport transport) {
    String path = transport == Transport.RAW
      ? "/eventbus/websocket"
      : "/eventbus/" + ThreadLocalRandom.current().nextInt(100, 1000) + "/" + UUID.randomUUID().toString().substring(0, 8) + "/websocket";
    // a browser takes messages of any size; Vert.x's client defaults stop at 64 kB frames
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxFrameSize(MAX_MESSAGE_BYTES).setMaxMessageSize(MAX_MESSAGE_BYTES));
    WebSocket socket = await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path))
      .toCompletionStage().toCompletableFuture());
    return new BridgeClient(transport, client, socket);
  }

  // ---- the bridge protocol

  /** send with a reply handler: the reply body, or a {@link BridgeError}. */
  public JsonObject request(String address, Object body) {
    return request(address, body, null);
  }

  public JsonObject request(String address, Object body, JsonObject headers) {
    return await(requestAsync(address, body, headers));
  }

  /** Sends without waiting: the reply body, or a failure with a {@link BridgeError}. */
  public CompletableFuture<JsonObject> requestAsync(String address, Object body, JsonObject headers) {
    return inbox.requestAsync(address, body, headers, this::send);
  }

  /** Like {@link #request} but answers the failure code, or 0 on success. */
  public int requestCode(String address, Object body) {
    return requestCode(address, body, null);
  }

  public int requestCode(String address, Object body, JsonObject headers) {
    return Inbox.failureCodeOf(() -> request(address, body, headers));
  }

  public void register(String address) {
    inbox.on(address);
    send(new JsonObject().put("type", "register").put("address", address));
  }

  /**
   * Registers {@code room.<room>} and answers the room's state, asked right after: the bridge
   * forwards a send only once the register before it was decided, so the socket is a member
   * (and receives everything published to the room) from here on.
   */
  public JsonObject join(String room) {
    register("room." + room);
    return request("rooms.state", new JsonObject().put("room", room));
  }

  public void unregister(String address) {
    send(new JsonObject().put("type", "unregister").put("address", address));
  }

  /** Stops reading from the socket, as a stalled browser tab would (the server's writes back up). */
  public void stopReading() {
    socket.pause();
  }

  public void resumeReading() {
    socket.resume();
  }

  public void ping() {
    send(new JsonObject().put("type", "ping"));
  }

  public void send(JsonObject frame) {
    sendText(frame.encode());
  }

  /** Any text as one bridge frame (wrapped in SockJS framing when that is the transport). */
  public void sendText(String frame) {
    socket.writeTextMessage(transport == Transport.SOCKJS ? new JsonArray().add(frame).encode() : frame);
  }

  /** Text straight onto the websocket, without SockJS framing: for malformed-transport tests. */
  public void sendTransportText(String text) {
    socket.writeTextMessage(text);
  }

  /**
   * Asks {@code rooms.state} until it satisfies {@code condition} (a 404 counts as an empty
   * room), within the client's wait bound: for changes the server makes asynchronously, such
   * as the leave after another socket closed.
   */
  public JsonObject awaitState(String room, java.util.function.Predicate<JsonObject> condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    JsonObject state = null;
    while (System.nanoTime() < deadline) {
      try {
        state = request("rooms.state", new JsonObject().put("room", room));
      } catch (BridgeError e) {
        if (e.code != 404) {
          throw e;
        }
        state = new JsonObject().put("room", room).put("members", new JsonArray());
      }
      if (condition.test(state)) {
        return state;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("rooms.state of " + room + " never satisfied the condition; last: " + state);
  }

  /** The connections a user has in a room, per {@code rooms.state} (0 when absent). */
  public static int connectionsOf(JsonObject state, String userId) {
    return state.getJsonArray("members").stream().map(JsonObject.class::cast)
      .filter(m -> m.getString("userId").equals(userId)).mapToInt(m -> m.getInteger("connections")).sum();
  }

  // ---- what arrived

  /**
   * Hands every later frame on {@code address} to {@code listener} as it arrives, on the
   * client's event loop, instead of queueing it: for tests that time arrivals.
   */
  public void listen(String address, java.util.function.Consumer<JsonObject> listener) {
    inbox.listen(address, listener);
  }

  /** The next frame on a registered address (a delivery, or an {@code err} for that address). */
  public JsonObject next(String address) {
    return inbox.next(address);
  }

  /** The next delivery's envelope on a room address (fails on an {@code err}). */
  public JsonObject nextEnvelope(String address) {
    JsonObject frame = next(address);
    if (!"rec".equals(frame.getString("type"))) {
      throw new AssertionError("expected a delivery on " + address + " but got " + frame);
    }
    return frame.getJsonObject("body");
  }

  /** Envelopes on an address until one with {@code event} arrives; all of them, that one last. */
  public List<JsonObject> envelopesUntil(String address, String event) {
    java.util.ArrayList<JsonObject> seen = new java.util.ArrayList<>();
    while (true) {
      JsonObject envelope = nextEnvelope(address);
      seen.add(envelope);
      if (event.equals(envelope.getString("event"))) {
        return seen;
      }
    }
  }

  /** The next {@code err} frame on an address, skipping deliveries before it. */
  public JsonObject nextRefusal(String address) {
    while (true) {
      JsonObject frame = next(address);
      if ("err".equals(frame.getString("type"))) {
        return frame;
      }
    }
  }

  /** The next {@code err} frame that named no address (the client's onerror). */
  public JsonObject nextError() {
    return inbox.nextError();
  }

  /**
   * The address-less {@code err} frames with {@code body} that arrive before the server closes
   * the socket: how many of them it was sent.
   */
  public int errorsUntilClosed(String body) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    int count = 0;
    try {
      while (System.nanoTime() < deadline) {
        JsonObject frame = inbox.addressless().poll(50, TimeUnit.MILLISECONDS);
        if (frame != null) {
          count += body.equals(frame.getString("body")) ? 1 : 0;
        } else if (closed.isDone()) {
          return count;
        }
      }
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the socket was not closed within " + WAIT_SECONDS + " s");
  }

  /** Takes every frame that arrived on an address and was not taken yet, without waiting. */
  public List<JsonObject> drain(String address) {
    java.util.ArrayList<JsonObject> frames = new java.util.ArrayList<>();
    inbox.on(address).drainTo(frames);
    return frames;
  }

  /** Frames that arrived and were not taken yet on an address. */
  public List<JsonObject> pendingOn(String address) {
    return inbox.pendingOn(address);
  }

  /** Waits for the server to close the socket; the websocket close code (raw) or -1/1000 (SockJS). */
  public int awaitClosed() {
    return await(closed);
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      socket.close();
      try {
        closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException | ExecutionException | TimeoutException ignored) {
        // best effort: the test is over
      }
    }
    client.close();
  }

  private void onText(String text) {
    if (transport == Transport.RAW) {
      inbox.accept(new JsonObject(text));
      return;
    }
    switch (text.charAt(0)) {
      case 'a' -> new JsonArray(text.substring(1)).forEach(message -> inbox.accept(new JsonObject((String) message)));
      case 'c' -> {
        JsonArray close = new JsonArray(text.substring(1));
        closed.complete(close.getInteger(0));
      }
      default -> {
        // 'o' open and 'h' heartbeat carry no frames
      }
    }
  }

  private static <T> T await(CompletableFuture<T> future) {
    return Inbox.await(future);
  }
}
