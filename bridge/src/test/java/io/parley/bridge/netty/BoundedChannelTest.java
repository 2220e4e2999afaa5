package io.parley.bridge.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parley.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.internal.http.WebSocketInternal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A queued shared frame is held by the socket's channel until the flush, which sends it straight
 * to the socket when nothing else is owed: what a client sees, in order, around bytes Netty still
 * holds, handlers that must see every write, and closes, and that the bytes are given back
 * however the socket ends. On real sockets, on the node's transport (epoll on Linux).
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
  void a_frame_goes_straight_to_a_socket_that_owes_nothing_and_after_what_it_owes_otherwise() throws Exception {
    assertThat(vertx.isNativeTransportEnabled()).as("the node's transport on Linux: epoll").isTrue();
    CompletableFuture<WebSocketChannel> server = new CompletableFuture<>();
    SharedFrame shared = text("straight");
    int port = serveOnGo(socket -> {
      WebSocketChannel channel = WebSocketChannel.of(socket, 1 << 20);
      channel.queue(shared);
      channel.flush();
      // Netty holds a frame not yet flushed: the next shared frame must not overtake it
      channel.channel.write(new TextWebSocketFrame("owed"));
      channel.queue(shared);
      channel.flush();
      shared.release();
      server.complete(channel);
    });
    LinkedBlockingQueue<String> received = receiveAfterGo(port);

    for (String expected : new String[]{"straight", "owed", "straight"}) {
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(expected);
    }
    assertThat(server.get(10, TimeUnit.SECONDS).sentStraight()).as("only the first went past Netty's buffer").isEqualTo(1);
    assertThat(shared.holders()).as("every hold given back, the one handed to Netty too").isZero();
  }

  @Test
  void a_handler_between_the_frames_and_the_socket_sees_every_frame() throws Exception {
    List<Object> seen = new CopyOnWriteArrayList<>();
    CompletableFuture<WebSocketChannel> server = new CompletableFuture<>();
    int port = serveOnGo(socket -> {
      // where TLS would sit: between the frame encoder and the socket
      ((WebSocketInternal) socket).channelHandlerContext().pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
          seen.add(msg);
          ctx.write(msg, promise);
        }
      });
      WebSocketChannel channel = WebSocketChannel.of(socket, 1 << 20);
      SharedFrame shared = text("through");
      channel.queue(shared);
      channel.flush();
      shared.release();
      server.complete(channel);
    });
    LinkedBlockingQueue<String> received = receiveAfterGo(port);

    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("through");
    assertThat(server.get(10, TimeUnit.SECONDS).sentStraight()).isZero();
    assertThat(seen).hasSize(1);
  }

  @Test
  void a_close_follows_the_deliveries_queued_before_it() throws Exception {
    int port = serveOnGo(socket -> {
      WebSocketChannel channel = WebSocketChannel.of(socket, 1 << 20);
      SharedFrame shared = text("last delivery");
      channel.queue(shared);
      shared.release();
      // no flush in between: the socket is closed in the same event-loop turn as the fan-out
      channel.beforeClose();
      socket.close((short) 4000, "bye");
    });
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
    int port = serveOnGo(socket -> {
      WebSocketChannel channel = WebSocketChannel.of(socket, 1 << 20);
      SharedFrame shared = text("never flushed");
      channel.queue(shared);
      // the connection drops before the flush that would have sent the frame
      socket.closeHandler(v -> frame.complete(shared));
      ((WebSocketInternal) socket).channelHandlerContext().channel().close();
    });
    connect(port).writeTextMessage("go");

    SharedFrame shared = frame.get(10, TimeUnit.SECONDS);
    assertThat(shared.holders()).as("only the fan-out's own hold is left").isEqualTo(1);
    shared.release();
    assertThat(shared.holders()).isZero();
  }

  /** A websocket server that runs {@code onGo} on the socket's event loop when its client says "go": the client listens by then. */
  private int serveOnGo(Consumer<ServerWebSocket> onGo) throws Exception {
    return vertx.createHttpServer()
      .webSocketHandler(socket -> socket.textMessageHandler(go -> onGo.accept(socket)))
      .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
  }

  /** Connects, collects the text messages received, and says "go". */
  private LinkedBlockingQueue<String> receiveAfterGo(int port) throws Exception {
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    WebSocket client = connect(port);
    client.textMessageHandler(received::add);
    client.writeTextMessage("go");
    return received;
  }

  private static SharedFrame text(String text) {
    return SharedFrame.text(text.getBytes(StandardCharsets.UTF_8));
  }

  private WebSocket connect(int port) throws Exception {
    return clients.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws")).await(10, TimeUnit.SECONDS);
  }
}
