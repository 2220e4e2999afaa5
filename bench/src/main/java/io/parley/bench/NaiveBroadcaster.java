package io.parley.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The fan-out baseline (issue 4): the minimal WebSocket broadcaster a user would write with
 * Vert.x. Subscribers connect to {@code ws://127.0.0.1:<port>/ws?room=<r>} and get a text
 * {@code ok} once they are members; a publisher connects with {@code &pub=1} and each text
 * message it sends is written, with one {@code writeTextMessage} (one write and flush), to every
 * subscriber socket of that room ({@code room=a,b}: a member of both; a publisher uses the first). No auth, no envelope, no history. {@code GET /health} answers
 * 200; {@code GET /memory} answers heap and connection counts (after {@code ?gc=1}, a System.gc()).
 *
 * <p>{@code java -cp parley-bench.jar io.parley.bench.NaiveBroadcaster [port] [host]}; one
 * event loop (the server is pinned to one CPU by bench/fan-out), on the transport Parley's node
 * uses (Netty's epoll on Linux), so the comparison is of what each server does per delivery.
 */
public final class NaiveBroadcaster {

  /** One message written to every member, as Parley's parley.FanOut and parley.Flush events together. */
  @Name("bench.NaiveFanOut")
  @Label("Naive fan-out")
  @StackTrace(false)
  static final class NaiveFanOutEvent extends Event {
    @Label("Sockets")
    int sockets;
  }

  public static void main(String[] argv) {
    int port = argv.length > 0 ? Integer.parseInt(argv[0]) : 8090;
    String host = argv.length > 1 ? argv[1] : "127.0.0.1";
    if (!host.startsWith("127.")) {
      throw new IllegalArgumentException("loopback only: " + host);
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(true));
    Map<String, Set<ServerWebSocket>> rooms = new ConcurrentHashMap<>();
    vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setMaxWebSocketFrameSize(1 << 20))
      .webSocketHandler(ws -> {
        if (!ws.path().equals("/ws")) {
          ws.close((short) 1008, "unknown path");
          return;
        }
        String query = ws.query() == null ? "" : ws.query();
        String room = null;
        boolean publisher = false;
        for (String pair : query.split("&")) {
          if (pair.startsWith("room=")) {
            room = pair.substring(5);
          } else if (pair.equals("pub=1")) {
            publisher = true;
          }
        }
        if (room == null || room.isEmpty()) {
          ws.close((short) 1008, "room= missing");
          return;
        }
        String[] names = room.split(",");
        Set<ServerWebSocket> members = rooms.computeIfAbsent(names[0], r -> ConcurrentHashMap.newKeySet());
        if (publisher) {
          ws.textMessageHandler(text -> {
            NaiveFanOutEvent event = new NaiveFanOutEvent();
            event.begin();
            for (ServerWebSocket member : members) {
              member.writeTextMessage(text);
            }
            event.sockets = members.size();
            event.commit();
          });
        } else {
          for (String name : names) {
            rooms.computeIfAbsent(name, r -> ConcurrentHashMap.newKeySet()).add(ws);
          }
          ws.textMessageHandler(text -> { });
          ws.closeHandler(v -> {
            for (String name : names) {
              rooms.get(name).remove(ws);
            }
          });
          ws.writeTextMessage("ok");
        }
      })
      .requestHandler(request -> {
        if (request.path().equals("/health")) {
          request.response().end("ok");
        } else if (request.path().equals("/memory")) {
          if ("1".equals(request.getParam("gc"))) {
            System.gc();
          }
          Runtime rt = Runtime.getRuntime();
          int sockets = rooms.values().stream().mapToInt(Set::size).max().orElse(0);
          request.response().putHeader("content-type", "application/json").end(new JsonObject()
            .put("heapUsed", rt.totalMemory() - rt.freeMemory()).put("sockets", sockets).encode());
        } else {
          request.response().setStatusCode(404).end();
        }
      })
      .listen()
      .onSuccess(server -> System.out.println("naive broadcaster listening on " + host + ":" + server.actualPort()
        + (vertx.isNativeTransportEnabled() ? ", native (epoll) transport" : ", NIO transport")))
      .onFailure(e -> {
        e.printStackTrace();
        System.exit(1);
      });
  }
}
