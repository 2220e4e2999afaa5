package io.parley.bridge.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * A server websocket's Netty channel, for what Vert.x's public websocket API does not offer:
 * <ul>
 *   <li><b>Shared frames, one flush per burst.</b> {@link #queue} writes a {@link SharedFrame}
 *   where the frame encoder sits, so it passes only the handlers between the encoder and the
 *   socket (TLS, when there is TLS); {@link #flush} sends what was queued. Vert.x's API encodes
 *   and flushes every message, per socket.</li>
 *   <li><b>A bound on what a socket is owed.</b> Netty's write-buffer water mark makes the channel
 *   unwritable past {@code maxQueuedBytes} unsent; every write the bridge makes (deliveries,
 *   replies, refusals) looks at {@link #writable} first.</li>
 *   <li><b>UTF-8 checked on text frames</b> (RFC 6455 §8.1), by Netty's own
 *   {@link Utf8FrameValidator}, which Vert.x 5.0.8 does not install: an invalid text frame
 *   fails the socket with a 1007 {@link #closeCodeOf close code} instead of being decoded with
 *   replacement characters.</li>
 * </ul>
 * It relies on {@link WebSocketInternal#channelHandlerContext()} and on the encoder and decoder
 * being in the pipeline; {@code NettyInternalsTest} fails if a Vert.x upgrade changes either.
 * Used from the socket's event loop only.
 */
public final class WebSocketChannel extends BoundedChannel {

  private final boolean validatesUtf8;

  private WebSocketChannel(ChannelHandlerContext channel, ChannelHandlerContext frames, boolean validatesUtf8, int maxQueuedBytes) {
    super(channel, frames, maxQueuedBytes);
    this.validatesUtf8 = validatesUtf8;
  }

  /** Takes over {@code socket}'s channel; call it on the socket's event loop before anything is written. */
  public static WebSocketChannel of(ServerWebSocket socket, int maxQueuedBytes) {
    ChannelHandlerContext channel = ((WebSocketInternal) socket).channelHandlerContext();
    ChannelHandlerContext encoder = channel.pipeline().context(WebSocketFrameEncoder.class);
    ChannelHandlerContext decoder = channel.pipeline().context(WebSocketFrameDecoder.class);
    if (decoder != null && channel.pipeline().get(Utf8FrameValidator.class) == null) {
      // closing is left to the socket's exception handler, which closes through Vert.x with the code
      channel.pipeline().addAfter(decoder.name(), "parley-utf8", new Utf8FrameValidator(false));
    }
    return new WebSocketChannel(channel, encoder != null ? encoder : channel, decoder != null, maxQueuedBytes);
  }

  /** Writes one text message of this socket's own (a reply, a refusal) and flushes. */
  public void sendText(byte[] payload) {
    writeOwn(new TextWebSocketFrame(Unpooled.wrappedBuffer(payload)));
  }

  /** Writes one binary message of this socket's own and flushes. */
  public void sendBinary(byte[] payload) {
    writeOwn(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(payload)));
  }

  /** True when shared frames skip the handlers the encoder would pass them through (the fast path). */
  public boolean writesPastEncoder() {
    return sharedFramesSkipHandlers();
  }

  public boolean validatesUtf8() {
    return validatesUtf8;
  }

  /**
   * The close code for a socket whose frames the websocket decoder or the UTF-8 check refused
   * (1009 too large, 1007 invalid UTF-8, 1002 protocol error), or -1 for any other failure.
   */
  public static int closeCodeOf(Throwable failure) {
    return failure instanceof CorruptedWebSocketFrameException corrupted ? corrupted.closeStatus().code() : -1;
  }
}
