package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;

import java.util.UUID;

/**
 * The naive Vert.x broadcaster ({@link NaiveBroadcaster}): a subscriber asks for its room in
 * the websocket's query and is answered {@code ok}; the publisher's text messages go to every
 * subscriber of the room as they are.
 */
final class NaiveFanOutClient extends FanOutClient {

  NaiveFanOutClient(FanOutTally tally) {
    super(tally, "/ws?room=" + tally.settings.room() + "&pub=1");
  }

  @Override
  FanOutSubscriber subscriber(int index) {
    return new Subscriber();
  }

  @Override
  Future<Void> openPublisher(FanOutPublisher publisher, WebSocket ws) {
    return Future.succeededFuture();
  }

  @Override
  void publish(FanOutPublisher publisher, String data) {
    publisher.ws.writeTextMessage(data);
  }

  private final class Subscriber extends FanOutSubscriber {

    Subscriber() {
      super(NaiveFanOutClient.this.tally);
    }

    @Override
    String uri() {
      return "/ws?room=" + settings.room() + (settings.idle() ? "," + UUID.randomUUID() : "");
    }

    @Override
    void start(Promise<Void> p) {
      ws.handler(buffer -> {
        if (buffer.length() == 2 && buffer.getByte(0) == 'o' && buffer.getByte(1) == 'k') {
          markJoined(p);
        } else {
          tally.onBytes(this, buffer);
        }
      });
      ws.closeHandler(v -> onClose(p));
    }
  }
}
