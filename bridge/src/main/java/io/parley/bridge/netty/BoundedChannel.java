package io.parley.bridge.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;

import java.io.IOException;
import java.util.Map;

/**
 * What {@link WebSocketChannel} and {@link TcpChannel} share: a socket's channel whose outbound
 * buffer is bounded (Netty's write-buffer water mark makes it unwritable past
 * {@code maxQueuedBytes} unsent; every write the bridge makes looks at {@link #writable} first),
 * shared frames queued and flushed once per burst, and the socket's own frames written and
 * flushed at once. Used from the socket's event loop only.
 *
 * <p>A queued shared frame is held here and sent at the flush: a fan-out then touches each
 * socket once, in the flush, rather than once to queue and again to flush, and its first sockets
 * are sent to without waiting for a pass over every member. When the socket owes nothing and no
 * handler stands between the frame and the socket (no TLS), the flush hands the frame's bytes to
 * the kernel itself, one {@code send} on the socket's descriptor, as Netty's own write would end,
 * without the pipeline and outbound-buffer bookkeeping around it; whatever the kernel does not
 * take goes through Netty as before (docs/architecture.md, the path of a message, step 10). The
 * bound is the water mark plus the one frame held.
 */
abstract class BoundedChannel {

  final ChannelHandlerContext channel;
  /** Where shared frames enter the pipeline: past any encoder they need not pass. */
  private final ChannelHandlerContext sharedEntry;
  /** The socket itself, when shared frames may be sent on it directly (see the class comment); else null. */
  private final Socket straight;
  /** What Netty still has to write on the socket: a direct write must not overtake it. */
  private final ChannelOutboundBuffer outbound;
  /** The last shared frame queued, not yet sent (held: retained until then). */
  private SharedFrame held;
  private long sentStraight;

  BoundedChannel(ChannelHandlerContext channel, ChannelHandlerContext sharedEntry, int maxQueuedBytes) {
    this.channel = channel;
    this.sharedEntry = sharedEntry;
    this.straight = straightPath(channel.channel(), sharedEntry);
    // public, though meant for transports; read once, as the flush of a fan-out touches each socket's objects cold
    this.outbound = channel.channel().unsafe().outboundBuffer();
    // unwritable (so: owed too much, see writable) only past this much unsent
    channel.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(maxQueuedBytes / 2, maxQueuedBytes));
    // a frame held when the connection drops is never sent: give its bytes back
    channel.channel().closeFuture().addListener(closed -> releaseHeld());
  }

  /**
   * The native socket under {@code channel} when nothing between {@code sharedEntry} and the
   * socket handles writes (a TLS or idle-state handler would): on the epoll transport only, the
   * one whose channels expose their descriptor.
   */
  private static Socket straightPath(Channel channel, ChannelHandlerContext sharedEntry) {
    if (!(channel instanceof UnixChannel unix) || !(unix.fd() instanceof Socket socket)) {
      return null;
    }
    for (Map.Entry<String, ChannelHandler> handler : channel.pipeline()) {
      if (handler.getValue() == sharedEntry.handler()) {
        return socket;
      }
      if (handler.getValue() instanceof ChannelOutboundHandler) {
        return null;
      }
    }
    return null;
  }

  /** False once the socket is owed more than its bound: the caller closes it rather than queue more. */
  public boolean writable() {
    return channel.channel().isWritable();
  }

  /** Queues a shared frame; it goes out at the next {@link #flush}, after anything queued before it. */
  public void queue(SharedFrame frame) {
    writeHeld(0);
    held = frame.retain();
  }

  /** Sends what was queued since the last flush. */
  public void flush() {
    SharedFrame frame = held;
    if (frame == null) {
      return;
    }
    int sent = owesNothing() ? sendStraight(frame) : 0;
    if (sent == frame.size()) {
      releaseHeld();
      sentStraight++;
    } else {
      // the rest goes after anything Netty still holds, and Netty waits for the socket to take it
      writeHeld(sent);
      sharedEntry.flush();
    }
  }

  /** Writes one message of this socket's own (a reply, a refusal), after anything queued, and flushes. */
  void writeOwn(Object message) {
    writeHeld(0);
    channel.writeAndFlush(message, channel.voidPromise());
  }

  /**
   * Hands what was queued to the pipeline, unflushed, before the socket is closed: a websocket's
   * close frame, written by Vert.x, then follows the deliveries queued before it.
   */
  public void beforeClose() {
    writeHeld(0);
  }

  /** How many shared frames went to the socket whole without Netty's outbound buffer (for tests and diagnostics). */
  public long sentStraight() {
    return sentStraight;
  }

  /** True when the socket may be written directly: a direct write would not overtake bytes Netty still holds. */
  private boolean owesNothing() {
    // closed on this event loop, before its descriptor is given back: never a number reused by another socket
    return straight != null && straight.isOpen() && outbound != null && outbound.totalPendingWriteBytes() == 0;
  }

  /** How many of the frame's bytes the kernel took at once: 0 when it took none or the socket failed (Netty then finds out). */
  private int sendStraight(SharedFrame frame) {
    try {
      return frame.sendTo(straight);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Writes the held frame from {@code offset} on into the pipeline, unflushed; its hold goes with it, and Netty releases it once written. */
  private void writeHeld(int offset) {
    SharedFrame frame = held;
    if (frame != null) {
      held = null;
      sharedEntry.write(frame.handOver(offset), sharedEntry.voidPromise());
    }
  }

  private void releaseHeld() {
    SharedFrame frame = held;
    if (frame != null) {
      held = null;
      frame.release();
    }
  }

  /** True when shared frames skip handlers that own messages pass (the websocket frame encoder). */
  boolean sharedFramesSkipHandlers() {
    return sharedEntry != channel;
  }
}
