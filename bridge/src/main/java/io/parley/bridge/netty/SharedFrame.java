package io.parley.bridge.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.unix.Socket;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One message encoded once, framing included, for many sockets: a websocket message (a server's
 * frames are not masked, RFC 6455 §5.1), or a TCP event-bus bridge frame (its length prefix and
 * JSON). The bytes are the same for every socket and none encodes or copies its own. The bytes
 * sit in one pooled direct buffer; each socket that queues the frame takes a hold on it
 * ({@link #retain}), which it releases after sending the bytes itself or hands to Netty with a
 * duplicate that Netty releases once written, and the owner calls {@link #release} when the
 * fan-out is done.
 */
public final class SharedFrame {

  private static final int OPCODE_TEXT = 0x1;
  private static final int OPCODE_BINARY = 0x2;

  private final ByteBuf bytes;

  private SharedFrame(ByteBuf bytes) {
    this.bytes = bytes;
  }

  /** A final text frame around {@code payload} (UTF-8). */
  public static SharedFrame text(byte[] payload) {
    return new SharedFrame(encode(OPCODE_TEXT, payload));
  }

  /** A final binary frame around {@code payload}. */
  public static SharedFrame binary(byte[] payload) {
    return new SharedFrame(encode(OPCODE_BINARY, payload));
  }

  /** Bytes that are already a whole message in their protocol's framing (a TCP bridge frame). */
  public static SharedFrame framed(Buffer bytes) {
    ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length());
    return new SharedFrame(out.writeBytes(bytes.getBytes()));
  }

  /** How many bytes a socket's outbound buffer grows by when it queues this frame. */
  public int size() {
    return bytes.readableBytes();
  }

  /** A copy of the bytes on the wire, header included (for tests and diagnostics). */
  public Buffer wireBytes() {
    byte[] copy = new byte[bytes.readableBytes()];
    bytes.getBytes(bytes.readerIndex(), copy);
    return Buffer.buffer(copy);
  }

  public void release() {
    bytes.release();
  }

  /** How many holders the bytes still have (the owner and each socket yet to write them). */
  int holders() {
    return bytes.refCnt();
  }

  /** One more holder of the bytes, released with {@link #release}. */
  SharedFrame retain() {
    bytes.retain();
    return this;
  }

  /**
   * What a socket writes through Netty from {@code offset} on, carrying one hold taken with
   * {@link #retain}: Netty releases it once written. Shares the bytes, not the reader index.
   */
  ByteBuf handOver(int offset) {
    return bytes.duplicate().skipBytes(offset);
  }

  /** Sends the bytes on a non-blocking socket: how many the kernel took (0 when its buffer is full). */
  int sendTo(Socket socket) throws IOException {
    if (bytes.hasMemoryAddress()) {
      return socket.sendAddress(bytes.memoryAddress(), bytes.readerIndex(), bytes.writerIndex());
    }
    ByteBuffer nio = bytes.internalNioBuffer(bytes.readerIndex(), bytes.readableBytes());
    return socket.send(nio, nio.position(), nio.limit());
  }

  /** One final, unmasked websocket frame (RFC 6455 §5.2), as a server sends it. */
  private static ByteBuf encode(int opcode, byte[] payload) {
    int length = payload.length;
    ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(length + 10);
    out.writeByte(0x80 | opcode);
    if (length < 126) {
      out.writeByte(length);
    } else if (length <= 0xFFFF) {
      out.writeByte(126).writeShort(length);
    } else {
      out.writeByte(127).writeLong(length);
    }
    return out.writeBytes(payload);
  }
}
