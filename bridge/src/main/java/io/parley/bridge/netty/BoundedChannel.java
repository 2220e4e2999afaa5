package io.parley.bridge.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;

/**
 * What {@link WebSocketChannel} and {@link TcpChannel} share: a socket's channel whose outbound
 * buffer is bounded (Netty's write-buffer water mark makes it unwritable past
 * {@code maxQueuedBytes} unsent; every write the bridge makes looks at {@link #writable} first),
 * shared frames queued and flushed once per burst, and the socket's own frames written and
 * flushed at once. Used from the socket's event loop only.
 *
 * <p>A queued shared frame is held here and handed to Netty at the flush, with it: a fan-out then
 * walks each socket's pipeline and outbound buffer once, in the flush, rather than once to queue
 * and again to flush, which made every delivery of the fan-out wait for a queueing pass over all
 * members first (docs/architecture.md, the path of a message, step 10). The bound is then the
 * water mark plus the one frame held.
 */
abstract class BoundedChannel {

  final ChannelHandlerContext channel;
  /** Where shared frames enter the pipeline: past any encoder they need not pass. */
  private final ChannelHandlerContext sharedEntry;
  /** The last shared frame queued, not yet written into the pipeline (a retained duplicate). */
  private ByteBuf held;

  BoundedChannel(ChannelHandlerContext channel, ChannelHandlerContext sharedEntry, int maxQueuedBytes) {
    this.channel = channel;
    this.sharedEntry = sharedEntry;
    // unwritable (so: owed too much, see writable) only past this much unsent
    channel.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(maxQueuedBytes / 2, maxQueuedBytes));
    // a frame held when the connection drops is never flushed: give its bytes back
    channel.channel().closeFuture().addListener(closed -> releaseHeld());
  }

  /** False once the socket is owed more than its bound: the caller closes it rather than queue more. */
  public boolean writable() {
    return channel.channel().isWritable();
  }

  /** Queues a shared frame; it goes out at the next {@link #flush}, after anything queued before it. */
  public void queue(SharedFrame frame) {
    writeHeld();
    held = frame.retainedDuplicate();
  }

  /** Sends what was queued since the last flush. */
  public void flush() {
    if (held != null) {
      writeHeld();
      sharedEntry.flush();
    }
  }

  /** Writes one message of this socket's own (a reply, a refusal), after anything queued, and flushes. */
  void writeOwn(Object message) {
    writeHeld();
    channel.writeAndFlush(message, channel.voidPromise());
  }

  /**
   * Hands what was queued to the pipeline, unflushed, before the socket is closed: a websocket's
   * close frame, written by Vert.x, then follows the deliveries queued before it.
   */
  public void beforeClose() {
    writeHeld();
  }

  private void writeHeld() {
    ByteBuf frame = held;
    if (frame != null) {
      held = null;
      sharedEntry.write(frame, sharedEntry.voidPromise());
    }
  }

  private void releaseHeld() {
    ByteBuf frame = held;
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
