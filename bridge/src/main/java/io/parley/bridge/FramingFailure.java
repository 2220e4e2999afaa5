package io.parley.bridge;

/**
 * A transport's framing broke below the bridge protocol (a length prefix out of bounds on TCP):
 * the transport told the client and closed that connection; the connection counts it.
 * {@code tooLarge} tells a frame over {@code bridge.maxFrameBytes} from any other breakage.
 */
final class FramingFailure extends RuntimeException {

  final boolean tooLarge;

  FramingFailure(String message, boolean tooLarge) {
    super(message, null, false, false);
    this.tooLarge = tooLarge;
  }
}
