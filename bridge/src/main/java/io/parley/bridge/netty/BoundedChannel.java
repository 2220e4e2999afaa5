package io.parley.bridge.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;

/**
 * What {@link WebSocketChannel} and {@link TcpChannel} share: a socket's channel whose outbound
 * buffer is bounded (Netty's write-buffer water mark makes it unwritable past
 * {@code maxQueuedBytes} unsent; every write the bridge makes looks at {@link #writable} first),
 * shared frames queued where they enter the pipeline and flushed once per burst, and the
 * socket's own frames written and flushed at once. Used from the socket's event loop only.
 */
abstract class BoundedChannel {

  final ChannelHandlerContext channel;
  /** Where shared frames enter the pipeline: past any encoder they need not pass. */
  private final ChannelHandlerContext sharedEntry;
  private boolean unflushed;

  BoundedChannel(ChannelHandlerContext channel, ChannelHandlerContext sharedEntry, int maxQueuedBytes) {
    this.channel = channel;
    this.sharedEntry = sharedEntry;
    // unwritable (so: owed too much, see writable) only past this much unsent
    channel.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(maxQueuedBytes / 2, maxQueuedBytes));
  }

  /** False once the socket is owed more than its bound: the caller closes it rather than queue more. */
  public boolean writable() {
    return channel.channel().isWritable();
  }

  /** Queues a shared frame; it goes out at the next {@link #flush}. */
  public void queue(SharedFrame frame) {
    sharedEntry.write(frame.retainedDuplicate(), sharedEntry.voidPromise());
    unflushed = true;
  }

  public void flush() {
    if (unflushed) {
      unflushed = false;
      sharedEntry.flush();
    }
  }

  /** Writes one message of this socket's own (a reply, a refusal), after anything queued, and flushes. */
  void writeOwn(Object message) {
    channel.writeAndFlush(message, channel.voidPromise());
    unflushed = false;
  }

  /** True when shared frames skip handlers that own messages pass (the websocket frame encoder). */
  boolean sharedFramesSkipHandlers() {
    return sharedEntry != channel;
  }
}
