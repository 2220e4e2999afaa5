package io.parley.bridge.netty;

import io.parley.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A trimmed websocket lets go of the HTTP connection it was upgraded from and still does
 * everything a websocket does. If a Vert.x upgrade changes the internals the trim relies on,
 * the first test fails here instead of every socket silently costing twice the memory.
 */
class WebSocketFootprintTest {

  private final Vertx vertx = Vertx.vertx(TestNode.nodeOptions());
  /** Held for the whole test: a client nothing refers to is closed by Vert.x's cleaner, its connections with it. */
  private final WebSocketClient clients = vertx.createWebSocketClient();
  private final CompletableFuture<Boolean> trimmed = new CompletableFuture<>();
  private final AtomicReference<WeakReference<HttpConnection>> upgradedFrom = new AtomicReference<>();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Echoes each text message back, and closes with code 4321 on "bye". */
  private int echoServer() throws Exception {
    HttpServer server = vertx.createHttpServer()
      .connectionHandler(connection -> upgradedFrom.set(new WeakReference<>(connection)))
      .webSocketHandler(socket -> {
        trimmed.complete(WebSocketFootprint.trim(socket));
        socket.textMessageHandler(text -> {
          if (text.equals("bye")) {
            socket.close((short) 4321, "done");
          } else {
            socket.writeTextMessage("echo " + text);
          }
        });
      });
    return server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
  }

  private WebSocket connect(int port, CompletableFuture<String> messages, CompletableFuture<Short> closed) throws Exception {
    WebSocket socket = clients.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws"))
      .await(10, TimeUnit.SECONDS);
    socket.textMessageHandler(messages::complete);
    socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
    return socket;
  }

  @Test
  void the_http_connection_a_socket_was_upgraded_from_is_released() throws Exception {
    int port = echoServer();
    CompletableFuture<Short> closed = new CompletableFuture<>();
    connect(port, new CompletableFuture<>(), closed);
    assertThat(trimmed.get(10, TimeUnit.SECONDS)).isTrue();
    // the socket is open, so only what the trim let go of can be collected
    for (int attempt = 0; attempt < 50 && upgradedFrom.get().get() != null; attempt++) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat(upgradedFrom.get().get()).isNull();
    assertThat(closed).isNotDone();
  }

  @Test
  void a_trimmed_socket_still_answers_and_closes_with_its_code() throws Exception {
    int port = echoServer();
    CompletableFuture<String> echo = new CompletableFuture<>();
    CompletableFuture<Short> closed = new CompletableFuture<>();
    WebSocket socket = connect(port, echo, closed);
    assertThat(trimmed.get(10, TimeUnit.SECONDS)).isTrue();

    socket.writeTextMessage("hello");
    assertThat(echo.get(10, TimeUnit.SECONDS)).isEqualTo("echo hello");
    CompletableFuture<String> pong = new CompletableFuture<>();
    socket.pongHandler(data -> pong.complete(data.toString()));
    socket.writePing(Buffer.buffer("are you there")).await(10, TimeUnit.SECONDS);
    assertThat(pong.get(10, TimeUnit.SECONDS)).isEqualTo("are you there");

    socket.writeTextMessage("bye");
    assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo((short) 4321);
  }
}
