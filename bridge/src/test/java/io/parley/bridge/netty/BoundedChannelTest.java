package io.parley.bridge.netty;

import io.parley.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A queued shared frame is held by the socket's channel until the flush (one walk of the
 * pipeline per socket in a fan-out): what a client sees around closes, and that the bytes are
 * given back however the socket ends. On real sockets.
 */
class BoundedChannelTest {

  private final Vertx vertx = Vertx.vertx(TestNode.nodeOptions());
  /** Held for the whole test: a client nothing refers to is closed by Vert.x's cleaner, its connections with it. */
  private final WebSocketClient clients = vertx.createWebSocketClient();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void a_close_follows_the_deliveries_queued_before_it() throws Exception {
    int port = vertx.createHttpServer()
      .webSocketHandler(socket -> socket.textMessageHandler(go -> {
        WebSocketChannel channel = WebSocketChannel.of(socket, 1 << 20);
        SharedFrame shared = SharedFrame.text("last delivery".getBytes(StandardCharsets.UTF_8));
        channel.queue(shared);
        shared.release();
        // no flush in between: the socket is closed in the same event-loop turn as the fan-out
        channel.beforeClose();
        socket.close((short) 4000, "bye");
      }))
      .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    List<String> seen = new CopyOnWriteArrayList<>();
    CompletableFuture<Short> closed = new CompletableFuture<>();
    WebSocket client = connect(port);
    client.textMessageHandler(text -> seen.add("text " + text));
    client.closeHandler(v -> {
      seen.add("close");
      closed.complete(client.closeStatusCode());
    });
    client.writeTextMessage("go");

    assertThat(closed.get(10, TimeUnit.SECONDS)).isEqualTo((short) 4000);
    assertThat(seen).containsExactly("text last delivery", "close");
  }

  @Test
  void a_frame_queued_when_the_connection_drops_is_given_back() throws Exception {
    CompletableFuture<SharedFrame> frame = new CompletableFuture<>();
    int port = vertx.createHttpServer()
      .webSocketHandler(socket -> socket.textMessageHandler(go -> {
        WebSocketChannel channel = WebSocketChannel.of(socket, 1 << 20);
        SharedFrame shared = SharedFrame.text("never flushed".getBytes(StandardCharsets.UTF_8));
        channel.queue(shared);
        // the connection drops before the flush that would have sent the frame
        socket.closeHandler(v -> frame.complete(shared));
        ((io.vertx.core.internal.http.WebSocketInternal) socket).channelHandlerContext().channel().close();
      }))
      .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    connect(port).writeTextMessage("go");

    SharedFrame shared = frame.get(10, TimeUnit.SECONDS);
    assertThat(shared.holders()).as("only the fan-out's own hold is left").isEqualTo(1);
    shared.release();
    assertThat(shared.holders()).isZero();
  }

  private WebSocket connect(int port) throws Exception {
    return clients.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws")).await(10, TimeUnit.SECONDS);
  }
}
