package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the fan-out generator speaks to one kind of server: its subscribers, and the publisher's
 * side of the conversation ({@link FanOutPublisher} paces the messages).
 */
abstract class FanOutClient {

  final FanOutTally tally;
  final FanOut.Settings settings;
  /** Where the publisher's websocket goes. */
  final String publisherUri;

  FanOutClient(FanOutTally tally, String publisherUri) {
    this.tally = tally;
    this.settings = tally.settings;
    this.publisherUri = publisherUri;
  }

  /** Subscriber {@code index} of the run. */
  abstract FanOutSubscriber subscriber(int index);

  /**
   * Connects the publisher from the first source: a websocket to {@link #publisherUri}, then
   * {@link #openPublisher}. A server whose publisher connects otherwise overrides it.
   */
  Future<Void> connectPublisher(FanOutPublisher publisher, SourceClients sources) {
    return sources.websocket(0).connect(new WebSocketConnectOptions().setHost(settings.host()).setPort(settings.port())
        .setURI(publisherUri))
      .compose(socket -> {
        publisher.ws = socket;
        socket.closeHandler(v -> tally.reason("publisher closed", socket.closeStatusCode() + " " + socket.closeReason()));
        return openPublisher(publisher, socket);
      });
  }

  /** The publisher's websocket connected: whatever the server wants before messages. */
  abstract Future<Void> openPublisher(FanOutPublisher publisher, WebSocket ws);

  /** Publishes {@code data} to the room from the publisher's event loop. */
  abstract void publish(FanOutPublisher publisher, String data);

  /**
   * The server's heap in use after a full collection, in bytes: {@code jcmd GC.run} then
   * {@code GC.heap_info}, for a JVM server.
   */
  long heapAfterGc(ServerProcess server) throws Exception {
    jcmd(server, "GC.run");
    String info = jcmd(server, "GC.heap_info");
    Matcher m = Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
    long heap = 0;
    while (m.find()) {
      heap += Long.parseLong(m.group(1)) * 1024;
    }
    return heap;
  }

  private static String jcmd(ServerProcess server, String command) throws Exception {
    Process process = new ProcessBuilder("jcmd", Long.toString(server.pid()), command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroy();
    }
    return out;
  }

  /** The client for {@code settings.server()}. */
  static FanOutClient of(FanOut.Settings settings, FanOutTally tally, DevTokens tokens) {
    return switch (settings.server()) {
      case PARLEY -> new ParleyFanOutClient(tally, tokens);
      case NAIVE -> new NaiveFanOutClient(tally);
      case SOCKETIO -> new SocketIoFanOutClient(tally);
    };
  }
}
