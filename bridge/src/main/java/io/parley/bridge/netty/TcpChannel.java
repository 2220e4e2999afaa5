package io.parley.bridge.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/**
 * A TCP connection's Netty channel, for what Vert.x's {@code NetSocket} does not offer, as
 * {@link WebSocketChannel} does for websockets: {@link #queue} writes a {@link SharedFrame}
 * (one pooled direct buffer for every member of a room, no copy per socket) and {@link #flush}
 * sends what was queued, once per burst; {@link #writable} is false past {@code maxQueuedBytes}
 * unsent. Writes enter at Vert.x's handler, so they pass TLS when there is TLS. Relies on
 * {@link NetSocketInternal#channelHandlerContext()}; {@code NettyInternalsTest} fails if a Vert.x
 * upgrade changes it. Used from the socket's event loop only.
 */
public final class TcpChannel extends BoundedChannel {

  private TcpChannel(ChannelHandlerContext channel, int maxQueuedBytes) {
    super(channel, channel, maxQueuedBytes);
  }

  /** Takes over {@code socket}'s channel; call it on the socket's event loop before anything is written. */
  public static TcpChannel of(NetSocket socket, int maxQueuedBytes) {
    return new TcpChannel(((NetSocketInternal) socket).channelHandlerContext(), maxQueuedBytes);
  }

  /** Writes bytes of this socket's own (a reply, a refusal), after anything queued, and flushes. */
  public void send(Buffer bytes) {
    writeOwn(Unpooled.wrappedBuffer(bytes.getBytes()));
  }
}
