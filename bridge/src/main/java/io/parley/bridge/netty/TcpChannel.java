package io.parley.bridge.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;
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
public final class TcpChannel {

  private final ChannelHandlerContext channel;
  private boolean unflushed;

  private TcpChannel(ChannelHandlerContext channel) {
    this.channel = channel;
  }

  /** Takes over {@code socket}'s channel; call it on the socket's event loop before anything is written. */
  public static TcpChannel of(NetSocket socket, int maxQueuedBytes) {
    ChannelHandlerContext channel = ((NetSocketInternal) socket).channelHandlerContext();
    channel.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(maxQueuedBytes / 2, maxQueuedBytes));
    return new TcpChannel(channel);
  }

  public boolean writable() {
    return channel.channel().isWritable();
  }

  /** Queues a shared frame; it goes out at the next {@link #flush}. */
  public void queue(SharedFrame frame) {
    channel.write(frame.retainedDuplicate(), channel.voidPromise());
    unflushed = true;
  }

  public void flush() {
    if (unflushed) {
      unflushed = false;
      channel.flush();
    }
  }

  /** Writes bytes of this socket's own (a reply, a refusal), after anything queued, and flushes. */
  public void send(Buffer bytes) {
    channel.writeAndFlush(Unpooled.wrappedBuffer(bytes.getBytes()), channel.voidPromise());
    unflushed = false;
  }
}
