package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * One fan-out subscriber connection, of whichever server kind; lives on its lane's event loop.
 * A websocket unless a subclass opens something else ({@link #open}, {@link #close},
 * {@link #closeWhy}).
 */
abstract class FanOutSubscriber {

  final FanOutTally tally;
  WebSocket ws;
  boolean joinedFlag;
  boolean seenFlag;
  boolean closedByUs;

  FanOutSubscriber(FanOutTally tally) {
    this.tally = tally;
  }

  abstract String uri();

  /** The server port this subscriber connects to. */
  int port() {
    return tally.settings.port();
  }

  /** Opens the connection from source {@code source}; {@link #start} takes it over. */
  Future<Void> open(SourceClients sources, int source) {
    return sources.websocket(source)
      .connect(new WebSocketConnectOptions().setHost(tally.settings.host()).setPort(port()).setURI(uri()))
      .map(socket -> {
        ws = socket;
        return null;
      });
  }

  /** Takes over the connection; calls {@code joinedNow} once a member. */
  abstract void start(Promise<Void> joinedNow);

  /** Closes the connection at the end of the run (not counted as a drop). */
  void close() {
    if (ws != null && !ws.isClosed()) {
      closedByUs = true;
      ws.close();
    }
  }

  /** Why the server closed the connection, as far as the connection says. */
  String closeWhy() {
    return "close " + ws.closeStatusCode() + (ws.closeReason() == null ? "" : " " + ws.closeReason());
  }

  void seen() {
    if (!seenFlag) {
      seenFlag = true;
      tally.ready.incrementAndGet();
    }
  }

  void markJoined(Promise<Void> p) {
    if (!joinedFlag) {
      joinedFlag = true;
      tally.joined.incrementAndGet();
      tally.live.incrementAndGet();
      p.tryComplete();
    }
  }

  void onClose(Promise<Void> p) {
    if (closedByUs) {
      return;
    }
    String why = closeWhy();
    if (joinedFlag) {
      tally.live.decrementAndGet();
      tally.dropped.incrementAndGet();
      tally.reason("dropped: " + why, "");
    } else {
      p.tryFail(why);
    }
  }
}
