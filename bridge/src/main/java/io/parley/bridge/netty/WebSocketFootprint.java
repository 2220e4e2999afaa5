package io.parley.bridge.netty;

import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.net.impl.VertxHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;

/**
 * Drops what Vert.x 5.0.8 keeps alive for each upgraded server websocket and the bridge never
 * uses: about half of an idle socket's heap (10 KB of 19.6 KB, {@code bench/fan-out}'s memory
 * run). Two things, both in Vert.x's private state, hence reflection:
 * <ul>
 *   <li>The websocket's pipeline handler keeps the lambda that created its connection, and that
 *   lambda holds the HTTP/1 connection the socket was upgraded from, with its request, response,
 *   headers and write queue. The handler never calls it again, so it is cleared.</li>
 *   <li>The websocket connection has a multi-producer write queue, whose first chunk (1,025
 *   slots, 4 KB) Netty allocates up front. It exists so that any thread may write. Every write
 *   to a bridge socket comes from its own event loop (the bridge writes deliveries to the Netty
 *   channel, and Vert.x's own pongs and closes run there), so the queue is swapped for the
 *   direct one Vert.x gives connections in its strict thread mode.</li>
 * </ul>
 * Where Vert.x's internals differ from what this expects, nothing is changed and the node logs
 * it once: the socket works the same and only costs more memory.
 */
public final class WebSocketFootprint {

  private static final Logger LOG = LoggerFactory.getLogger(WebSocketFootprint.class);
  private static final Field CONNECTION_FACTORY;
  private static final Field WRITE_QUEUE;
  private static final Constructor<?> DIRECT_WRITE_QUEUE;

  static {
    Field factory = null;
    Field queue = null;
    Constructor<?> direct = null;
    try {
      factory = VertxHandler.class.getDeclaredField("connectionFactory");
      queue = VertxConnection.class.getDeclaredField("outboundMessageQueue");
      direct = Class.forName(VertxConnection.class.getName() + "$DirectOutboundMessageQueue")
        .getDeclaredConstructor(VertxConnection.class);
      factory.setAccessible(true);
      queue.setAccessible(true);
      direct.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("websockets keep Vert.x's full per-socket state (about 10 KB more each): {}", e.toString());
      factory = null;
    }
    CONNECTION_FACTORY = factory;
    WRITE_QUEUE = queue;
    DIRECT_WRITE_QUEUE = direct;
  }

  private WebSocketFootprint() {
  }

  /** Whether this Vert.x has the internals the trim relies on ({@code NettyInternalsTest} fails loudly when not). */
  public static boolean available() {
    return CONNECTION_FACTORY != null;
  }

  /**
   * Trims {@code socket}; call it from the socket's handler, on its event loop, before anything
   * is written to it. Answers whether it was trimmed.
   */
  public static boolean trim(ServerWebSocket socket) {
    ChannelHandlerContext channel = ((WebSocketInternal) socket).channelHandlerContext();
    if (CONNECTION_FACTORY == null || !channel.executor().inEventLoop()
      || !(channel.handler() instanceof VertxHandler<?> handler) || handler.getConnection() == null) {
      return false;
    }
    try {
      CONNECTION_FACTORY.set(handler, null);
      WRITE_QUEUE.set(handler.getConnection(), DIRECT_WRITE_QUEUE.newInstance(handler.getConnection()));
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("could not trim a websocket's Vert.x state: {}", e.toString());
      return false;
    }
  }
}
