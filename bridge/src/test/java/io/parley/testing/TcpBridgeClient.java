package io.parley.testing;

import io.parley.testing.BridgeClient.BridgeError;
import io.vertx.core.json.JsonObject;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client of the TCP event-bus bridge for tests, over a real socket: each frame a 4-byte
 * big-endian length and UTF-8 JSON, as {@code io.vertx:vertx-tcp-eventbus-bridge}'s clients
 * write them. A thread reads what arrives into queues: replies by reply address, messages by
 * address, address-less {@code err} frames, {@code pong}s. Calls block the test thread with a
 * bound, so tests read top to bottom.
 */
public final class TcpBridgeClient implements AutoCloseable {

  private final Socket socket;
  private final DataOutputStream out;
  private final Inbox inbox = new Inbox();
  /** The key this client authenticated with, once it did. */
  private String apiKey;
  private final BlockingQueue<JsonObject> pongs = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  /** Counted down to let the reader start: a client that never reads is one that never counts it down. */
  private final CountDownLatch reading = new CountDownLatch(1);

  private TcpBridgeClient(Socket socket) throws IOException {
    this.socket = socket;
    this.out = new DataOutputStream(socket.getOutputStream());
    Thread reader = new Thread(this::read, "tcp-bridge-client-" + socket.getLocalPort());
    reader.setDaemon(true);
    reader.start();
  }

  public static TcpBridgeClient connect(int port) {
    TcpBridgeClient client = connectNotReading(port);
    client.reading.countDown();
    return client;
  }

  /** A client over a socket already connected (a TLS one, say). */
  public static TcpBridgeClient over(Socket socket) {
    try {
      TcpBridgeClient client = new TcpBridgeClient(socket);
      client.reading.countDown();
      return client;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client that reads nothing until {@link #resumeReading}: the server's writes back up. */
  public static TcpBridgeClient connectNotReading(int port) {
    try {
      Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
      socket.setTcpNoDelay(true);
      return new TcpBridgeClient(socket);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void resumeReading() {
    reading.countDown();
  }

  // ---- the protocol

  /** {@code auth.authenticate {apiKey}}: the reply ({@code {service, connectionId}}) or a {@link BridgeError}. */
  public JsonObject authenticateService(String apiKey) {
    this.apiKey = apiKey;
    return request("auth.authenticate", new JsonObject().put("apiKey", apiKey));
  }

  /** send with a reply address: the reply's body, or a {@link BridgeError}. */
  public JsonObject request(String address, Object body) {
    return request(address, body, null);
  }

  public JsonObject request(String address, Object body, JsonObject headers) {
    return inbox.request(address, body, headers, this::send);
  }

  /** Like {@link #request} but answers the failure code, or 0 on success. */
  public int requestCode(String address, Object body) {
    return Inbox.failureCodeOf(() -> request(address, body));
  }

  public void register(String address) {
    inbox.on(address);
    send(new JsonObject().put("type", "register").put("address", address));
  }

  /**
   * A service registers {@code addresses} and waits until the node has decided them: a send
   * after a register is handled once the register is, so the answer to authenticating again
   * (with the same key) means the bus knows the consumers. Refusals wait on their addresses.
   */
  public void registerAndAwait(String... addresses) {
    for (String address : addresses) {
      register(address);
    }
    authenticateService(apiKey);
  }

  public void unregister(String address) {
    send(new JsonObject().put("type", "unregister").put("address", address));
  }

  /** Answers a consumed request: a send to the reply address the bridge gave it. */
  public void reply(JsonObject message, Object body) {
    send(new JsonObject().put("type", "send").put("address", message.getString("replyAddress")).put("body", body));
  }

  /**
   * Answers every request that arrives on {@code address} (registered before) with what
   * {@code answer} makes of the message, on a thread of its own until the connection closes.
   */
  public void answerEach(String address, java.util.function.Function<JsonObject, Object> answer) {
    BlockingQueue<JsonObject> queue = inbox.on(address);
    Thread answering = new Thread(() -> {
      try {
        while (!closed.isDone()) {
          JsonObject message = queue.poll(100, TimeUnit.MILLISECONDS);
          if (message != null) {
            reply(message, answer.apply(message));
          }
        }
      } catch (InterruptedException | UncheckedIOException e) {
        // the connection is gone
      }
    }, "tcp-bridge-answer-" + address);
    answering.setDaemon(true);
    answering.start();
  }

  /** The next {@code pong} (for a ping sent before). */
  public JsonObject pong() {
    return Inbox.poll(pongs, "no pong");
  }

  /** Pings and waits for the {@code pong}. */
  public JsonObject ping() {
    send(new JsonObject().put("type", "ping"));
    return Inbox.poll(pongs, "no pong");
  }

  public void send(JsonObject frame) {
    sendBytes(frame.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** Any bytes as one frame, with their true length in front. */
  public void sendBytes(byte[] frame) {
    synchronized (out) {
      try {
        out.writeInt(frame.length);
        out.write(frame);
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Raw bytes onto the socket, no framing: for broken-framing tests. */
  public void sendRaw(byte[] bytes) {
    synchronized (out) {
      try {
        out.write(bytes);
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  // ---- what arrived

  /** The next frame on an address (a message, or an {@code err} for it). */
  public JsonObject next(String address) {
    return inbox.next(address);
  }

  /** Frames on a room address until a delivery of {@code event} arrives: that one, whole. */
  public JsonObject nextWithEvent(String address, String event) {
    while (true) {
      JsonObject frame = next(address);
      if (frame.getJsonObject("body") != null && event.equals(frame.getJsonObject("body").getString("event"))) {
        return frame;
      }
    }
  }

  /** The next {@code err} frame that named no address. */
  public JsonObject nextError() {
    return inbox.nextError();
  }

  /** Waits for the server to close the connection. */
  public void awaitClosed() {
    Inbox.await(closed);
  }

  /** Waits for the server to close the connection; the address-less {@code err} frames that came before, in order. */
  public java.util.List<JsonObject> errorsUntilClosed() {
    awaitClosed();
    java.util.List<JsonObject> errors = new java.util.ArrayList<>();
    inbox.addressless().drainTo(errors);
    return errors;
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // the test is over
    }
    reading.countDown();
  }

  private void read() {
    try {
      reading.await();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      while (true) {
        int length = in.readInt();
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        onFrame(new JsonObject(new String(bytes, StandardCharsets.UTF_8)));
      }
    } catch (EOFException | java.net.SocketException e) {
      closed.complete(null);
    } catch (IOException | InterruptedException | RuntimeException e) {
      closed.completeExceptionally(e);
    }
  }

  private void onFrame(JsonObject frame) {
    if ("pong".equals(frame.getString("type"))) {
      pongs.add(frame);
      return;
    }
    inbox.accept(frame);
  }
}
