package io.parley.bridge;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/**
 * SockJS's HTTP fallbacks (xhr-streaming, xhr-polling), through Vert.x's SockJS server, which
 * frames and flushes each message itself; for browsers without websockets, so not the fast path.
 * Its write queue holds what the client has not fetched yet, bounded like a websocket's.
 */
final class SockJsHttpSocket implements Transport {

  private final SockJSSocket socket;

  SockJsHttpSocket(SockJSSocket socket, int maxQueuedBytes) {
    this.socket = socket;
    socket.setWriteQueueMaxSize(maxQueuedBytes);
  }

  @Override
  public void start(Handler<Buffer> frames, Handler<Throwable> failed, Handler<Void> closed) {
    socket.handler(frames);
    socket.exceptionHandler(failed);
    socket.closeHandler(closed);
  }

  @Override
  public boolean writable() {
    return !socket.writeQueueFull();
  }

  @Override
  public void send(Buffer frame) {
    socket.write(frame);
  }

  @Override
  public void deliver(Delivery delivery) {
    socket.write(delivery.frame());
  }

  @Override
  public void flush() {
    // every write above was sent already
  }

  @Override
  public void heartbeat() {
    // Vert.x's SockJS sessions send their own heartbeats
  }

  @Override
  public void close(int code, String reason) {
    socket.close(code, reason);
  }
}
