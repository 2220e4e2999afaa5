package io.parley.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * One websocket client and one TCP client per loopback source address (127.0.0.1, 127.0.0.2, …),
 * so that many connections do not run out of one address's ephemeral ports; connection
 * {@code i} goes out from source {@code i mod sources}.
 */
record SourceClients(List<WebSocketClient> websockets, List<NetClient> tcp) {

  /** Clients from each of {@code sources}, each allowed {@code connections} connections. */
  static SourceClients create(Vertx vertx, List<String> sources, int connections) {
    List<WebSocketClient> websockets = new ArrayList<>();
    List<NetClient> tcp = new ArrayList<>();
    for (String source : sources) {
      websockets.add(vertx.createWebSocketClient(new WebSocketClientOptions()
        .setLocalAddress(source)
        .setMaxConnections(connections)
        .setConnectTimeout(30_000)
        .setMaxFrameSize(64 << 20)
        .setMaxMessageSize(64 << 20)));
      tcp.add(vertx.createNetClient(new NetClientOptions().setLocalAddress(source).setConnectTimeout(30_000)));
    }
    return new SourceClients(List.copyOf(websockets), List.copyOf(tcp));
  }

  WebSocketClient websocket(int i) {
    return websockets.get(i % websockets.size());
  }

  NetClient tcp(int i) {
    return tcp.get(i % tcp.size());
  }
}
