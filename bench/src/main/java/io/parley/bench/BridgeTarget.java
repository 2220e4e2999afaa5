package io.parley.bench;

import io.vertx.core.http.WebSocketConnectOptions;

import java.util.List;

/**
 * Where the tabs find Parley's bridge: a loopback host, the nodes' HTTP ports (tab {@code i}
 * on port {@code i mod ports}), the transport and the bridge's base path.
 */
record BridgeTarget(String host, List<Integer> ports, Transport transport, String path) {

  /** {@code --host}, {@code --ports}, {@code --transport}, {@code --path}. */
  static BridgeTarget parse(Args args) {
    return new BridgeTarget(args.loopbackHost("host", "127.0.0.1"), List.copyOf(args.ports("ports", "8080")),
      transport(args), path(args));
  }

  /** {@code --host}, {@code --port}, {@code --transport}, {@code --path}: one node. */
  static BridgeTarget parseOneNode(Args args) {
    String host = args.loopbackHost("host", "127.0.0.1");
    int port = args.integer("port", 8080, 1, 65535);
    return new BridgeTarget(host, List.of(port), transport(args), path(args));
  }

  private static Transport transport(Args args) {
    return Transport.parse(args.string("transport", "sockjs"));
  }

  private static String path(Args args) {
    return args.string("path", "/eventbus");
  }

  /** The port of tab {@code index}. */
  int port(int index) {
    return ports.get(index % ports.size());
  }

  /** A websocket to the bridge for tab {@code index}; a fresh SockJS session each call. */
  WebSocketConnectOptions connectOptions(int index) {
    return new WebSocketConnectOptions().setHost(host).setPort(port(index)).setURI(transport.path(path));
  }

  /** The transport's name as the summaries and the JSON lines give it. */
  String transportName() {
    return transport.name().toLowerCase(java.util.Locale.ROOT);
  }
}
