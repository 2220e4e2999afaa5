package io.parley.bridge;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

import java.util.function.IntConsumer;

/**
 * The TCP event-bus bridge's framing, as it arrives in chunks: each frame is a 4-byte big-endian
 * length, then that many bytes (UTF-8 JSON, which the connection parses and judges). A frame cut
 * off mid-way waits for the rest; what waits is bounded by {@code maxFrameBytes}, since a length
 * over it (or a negative one) is refused before its bytes are kept, and then nothing more is
 * read. Unlike the stock bridge's parser, no frame content can stop it: a frame that is not
 * valid JSON is still a frame, handed on for the connection to refuse.
 */
final class TcpFraming implements Handler<Buffer> {

  private static final int LENGTH_BYTES = 4;

  private final int maxFrameBytes;
  private final Handler<Buffer> frames;
  private final IntConsumer badLength;
  private Buffer pending = Buffer.buffer();
  private int offset;
  private boolean broken;

  /**
   * @param frames    each whole frame's bytes, without the length
   * @param badLength the length that broke the framing (negative or over the bound); called once
   */
  TcpFraming(int maxFrameBytes, Handler<Buffer> frames, IntConsumer badLength) {
    this.maxFrameBytes = maxFrameBytes;
    this.frames = frames;
    this.badLength = badLength;
  }

  @Override
  public void handle(Buffer chunk) {
    if (broken) {
      return;
    }
    if (offset > 0) {
      // what is left of the last chunk: at most one frame's beginning
      pending = pending.getBuffer(offset, pending.length());
      offset = 0;
    }
    pending.appendBuffer(chunk);
    while (pending.length() - offset >= LENGTH_BYTES) {
      int length = pending.getInt(offset);
      if (length < 0 || length > maxFrameBytes) {
        broken = true;
        pending = Buffer.buffer();
        offset = 0;
        badLength.accept(length);
        return;
      }
      if (pending.length() - offset - LENGTH_BYTES < length) {
        return;
      }
      Buffer frame = pending.getBuffer(offset + LENGTH_BYTES, offset + LENGTH_BYTES + length);
      offset += LENGTH_BYTES + length;
      frames.handle(frame);
      if (broken) {
        return;
      }
    }
  }

  /** Stops reading: what arrives after is dropped (the connection is closing). */
  void stop() {
    broken = true;
  }
}
