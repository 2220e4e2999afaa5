package io.parley.bridge.netty;

import io.parley.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the bridge relies on in Vert.x's and Netty's internals, checked on a real socket. If a
 * Vert.x upgrade moves any of it, these fail here, loudly, instead of the bridge silently
 * writing through the slow path, skipping the UTF-8 check or keeping more memory per socket.
 */
class NettyInternalsTest {

  private final Vertx vertx = Vertx.vertx(TestNode.nodeOptions());
  /** Held for the whole test: a client nothing refers to is closed by Vert.x's cleaner, its connections with it. */
  private final WebSocketClient webSockets = vertx.createWebSocketClient();
  private final NetClient tcp = vertx.createNetClient();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void a_websocket_channel_writes_shared_frames_past_the_encoder_and_checks_utf8() throws Exception {
    CompletableFuture<WebSocketChannel> server = new CompletableFuture<>();
    int port = vertx.createHttpServer()
      // writes once the client says so: it listens by then, nothing arrives before its handler
      .webSocketHandler(socket -> socket.textMessageHandler(go -> {
        WebSocketChannel channel = WebSocketChannel.of(socket, 1 << 20);
        server.complete(channel);
        SharedFrame shared = SharedFrame.text("shared".getBytes(StandardCharsets.UTF_8));
        channel.queue(shared);
        channel.queue(shared);
        shared.release();
        channel.flush();
        channel.sendText("own".getBytes(StandardCharsets.UTF_8));
      }))
      .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    WebSocket client = webSockets
      .connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws")).await(10, TimeUnit.SECONDS);
    client.textMessageHandler(received::add);
    client.writeTextMessage("go");

    WebSocketChannel channel = server.get(10, TimeUnit.SECONDS);
    assertThat(channel.writesPastEncoder()).as("the frame encoder was found in the pipeline").isTrue();
    assertThat(channel.validatesUtf8()).as("the frame decoder was found and the UTF-8 check put after it").isTrue();
    assertThat(channel.writable()).isTrue();
    for (String expected : new String[]{"shared", "shared", "own"}) {
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(expected);
    }
  }

  @Test
  void a_tcp_channel_writes_shared_frames_and_its_own_in_order() throws Exception {
    CompletableFuture<TcpChannel> server = new CompletableFuture<>();
    int port = vertx.createNetServer()
      // writes once the client says so: it listens by then, nothing arrives before its handler
      .connectHandler(socket -> socket.handler(go -> {
        TcpChannel channel = TcpChannel.of(socket, 1 << 20);
        SharedFrame shared = SharedFrame.framed(io.vertx.core.buffer.Buffer.buffer("shared,"));
        channel.queue(shared);
        channel.queue(shared);
        shared.release();
        channel.flush();
        channel.send(io.vertx.core.buffer.Buffer.buffer("own."));
        server.complete(channel);
      }))
      .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    StringBuilder received = new StringBuilder();
    CompletableFuture<String> all = new CompletableFuture<>();
    io.vertx.core.net.NetSocket client = tcp.connect(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
    client.handler(bytes -> {
      received.append(bytes.toString(StandardCharsets.UTF_8));
      if (received.toString().endsWith(".")) {
        all.complete(received.toString());
      }
    });
    client.write("go");
    assertThat(server.get(10, TimeUnit.SECONDS).writable()).isTrue();
    assertThat(all.get(10, TimeUnit.SECONDS)).isEqualTo("shared,shared,own.");
  }

  @Test
  void the_per_socket_trim_finds_what_it_clears() {
    assertThat(WebSocketFootprint.available()).isTrue();
  }

  @Test
  void a_dedicated_event_loop_runs_its_context_on_a_thread_of_its_own() throws Exception {
    DedicatedEventLoop loop = new DedicatedEventLoop(vertx, "parley-test-loop");
    try {
      CompletableFuture<String> thread = new CompletableFuture<>();
      loop.context().runOnContext(v -> thread.complete(Thread.currentThread().getName()));
      assertThat(thread.get(10, TimeUnit.SECONDS)).startsWith("parley-test-loop");
      CompletableFuture<Long> timer = new CompletableFuture<>();
      loop.context().runOnContext(v -> vertx.setTimer(1, id -> timer.complete(id)));
      assertThat(timer.get(10, TimeUnit.SECONDS)).isNotNull();
    } finally {
      loop.close();
    }
  }
}
