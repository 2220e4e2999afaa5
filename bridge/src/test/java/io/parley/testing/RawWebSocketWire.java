package io.parley.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A websocket written byte by byte over a plain TCP socket, for what no well-behaved client
 * sends: text frames that are not UTF-8, frames cut off half-way. It does the RFC 6455 handshake
 * itself, masks what it sends as a client must, and reads the server's frames until the close.
 */
public final class RawWebSocketWire implements AutoCloseable {

  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawWebSocketWire(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Opens {@code path} on the node's port and completes the upgrade. */
  public static RawWebSocketWire open(int port, String path) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    RawWebSocketWire wire = new RawWebSocketWire(socket);
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    wire.out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
      .getBytes(StandardCharsets.US_ASCII));
    wire.out.flush();
    String status = wire.readLine();
    if (!status.contains(" 101 ")) {
      throw new IOException("upgrade refused: " + status);
    }
    while (!wire.readLine().isEmpty()) {
      // headers
    }
    return wire;
  }

  /** Sends one final frame with {@code opcode} around {@code payload}, masked. */
  public void send(int opcode, byte[] payload) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0x80 | opcode);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else {
      frame.write(0x80 | 126);
      frame.write(payload.length >> 8);
      frame.write(payload.length & 0xFF);
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    frame.write(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    out.write(frame.toByteArray());
    out.flush();
  }

  /**
   * Reads frames until the server's close frame and answers its status code, or -1 when the
   * connection ended (or stayed silent for 10 s) without one.
   */
  public int awaitCloseCode() throws IOException {
    try {
      while (true) {
        Frame frame = readFrame();
        if (frame.opcode() == 0x8) {
          return frame.payload().length >= 2 ? ((frame.payload()[0] & 0xFF) << 8) | (frame.payload()[1] & 0xFF) : -1;
        }
      }
    } catch (EOFException | SocketTimeoutException e) {
      return -1;
    }
  }

  /** The next text or binary frame the server sent, as text. */
  public String awaitFrame() throws IOException {
    while (true) {
      Frame frame = readFrame();
      if (frame.opcode() == TEXT || frame.opcode() == BINARY) {
        return new String(frame.payload(), StandardCharsets.UTF_8);
      }
      if (frame.opcode() == 0x8) {
        throw new AssertionError("closed instead of answering");
      }
    }
  }

  private record Frame(int opcode, byte[] payload) {
  }

  /** One whole frame as a server sends it (unmasked, unfragmented). */
  private Frame readFrame() throws IOException {
    int first = in.readUnsignedByte();
    int second = in.readUnsignedByte();
    long length = second & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new Frame(first & 0x0F, payload);
  }

  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
