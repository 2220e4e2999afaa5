package io.parley.bench;

import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;

/** One fan-out subscriber connection, of whichever server kind; lives on its lane's event loop. */
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

  /** Takes over the websocket; calls {@code joinedNow} once a member. */
  abstract void start(Promise<Void> joinedNow);

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
    String why = "close " + ws.closeStatusCode() + (ws.closeReason() == null ? "" : " " + ws.closeReason());
    if (joinedFlag) {
      tally.live.decrementAndGet();
      tally.dropped.incrementAndGet();
      tally.reason("dropped: " + why, "");
    } else {
      p.tryFail(why);
    }
  }
}
