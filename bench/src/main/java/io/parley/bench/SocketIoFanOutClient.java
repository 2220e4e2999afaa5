package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * Socket.IO 4.8.4 ({@code bench/socketio/server.js}): Engine.IO v4 / Socket.IO v5 spoken over
 * a plain websocket. A subscriber connects to the default namespace and emits {@code join}
 * with an ack; the publisher emits {@code publish {room, data}}, which the server emits to the
 * room.
 */
final class SocketIoFanOutClient extends FanOutClient {

  private static final String URI_PATH = "/socket.io/?EIO=4&transport=websocket";


  SocketIoFanOutClient(FanOutTally tally) {
    super(tally, URI_PATH);
  }

  @Override
  FanOutSubscriber subscriber(int index) {
    return new Subscriber();
  }

  @Override
  Future<Void> openPublisher(FanOutPublisher publisher, WebSocket ws) {
    Promise<Void> connected = Promise.promise();
    ws.textMessageHandler(text -> {
      if (text.equals("2")) {
        ws.writeTextMessage("3");
      } else if (text.startsWith("0{")) {
        ws.writeTextMessage("40");
      } else if (text.startsWith("40")) {
        connected.tryComplete();
      }
    });
    return connected.future();
  }

  @Override
  void publish(FanOutPublisher publisher, String data) {
    publisher.ws.writeTextMessage("42" + new JsonArray().add("publish")
      .add(new JsonObject().put("room", settings.room()).put("data", data)).encode());
  }

  /** The node's heap after {@code global.gc()} (it runs with --expose-gc): GET /memory?gc=1, twice. */
  @Override
  long heapAfterGc(ServerProcess server) throws Exception {
    HttpResponse<String> r = memory();
    Thread.sleep(500);
    r = memory();
    return new JsonObject(r.body()).getLong("heapUsed");
  }

  private HttpResponse<String> memory() throws Exception {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
      HttpRequest.newBuilder(URI.create("http://" + settings.host() + ":" + settings.port() + "/memory?gc=1"))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private final class Subscriber extends FanOutSubscriber {

    Subscriber() {
      super(SocketIoFanOutClient.this.tally);
    }

    @Override
    String uri() {
      return URI_PATH;
    }

    @Override
    void start(Promise<Void> p) {
      ws.handler(buffer -> {
        if (buffer.length() > 2 && buffer.getByte(0) == '4' && buffer.getByte(1) == '2') {
          tally.onBytes(this, buffer);
          return;
        }
        String text = buffer.toString(StandardCharsets.UTF_8);
        if (text.equals("2")) {
          ws.writeTextMessage("3");
        } else if (text.startsWith("0{")) {
          ws.writeTextMessage("40");
        } else if (text.startsWith("40")) {
          ws.writeTextMessage("420" + new JsonArray().add("join").add(settings.room()).encode());
        } else if (text.startsWith("430")) {
          if (settings.idle()) {
            ws.writeTextMessage("421" + new JsonArray().add("join").add(UUID.randomUUID().toString()).encode());
          } else {
            markJoined(p);
          }
        } else if (text.startsWith("431")) {
          markJoined(p);
        } else if (text.startsWith("44")) {
          tally.reason("socket.io connect_error", text);
          p.tryFail(text);
        }
      });
      ws.closeHandler(v -> onClose(p));
    }
  }
}
