package io.parley.bridge;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * The {@code tcp} section: the TCP event-bus bridge, for services in any language
 * ({@code docs/protocol.md#the-tcp-endpoint}). Off unless {@code port} is set.
 *
 * <pre>
 * "tcp": {
 *   "port": null,                 // null: no TCP endpoint; 0: any free port
 *   "host": "0.0.0.0",
 *   "tls": {
 *     "certFile": null,           // PEM certificate chain and ...
 *     "keyFile": null,            // ... its PEM private key: TLS on when both are set
 *     "clientCaFile": null        // PEM CA: when set, clients must present a certificate it signed
 *   }
 * }
 * </pre>
 */
public record TcpOptions(Integer port, String host, String certFile, String keyFile, String clientCaFile) {

  public TcpOptions {
    if (port != null && (port < 0 || port > 65535)) {
      throw new IllegalArgumentException("tcp.port must be 0..65535 (or null: no TCP endpoint)");
    }
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException("tcp.tls.certFile and tcp.tls.keyFile go together");
    }
    if (clientCaFile != null && certFile == null) {
      throw new IllegalArgumentException("tcp.tls.clientCaFile needs TLS: set tcp.tls.certFile and keyFile");
    }
  }

  public static TcpOptions fromConfig(JsonObject tcp) {
    JsonObject json = tcp == null ? new JsonObject() : tcp;
    JsonObject tls = json.getJsonObject("tls", new JsonObject());
    Object port = json.getValue("port");
    Integer parsed;
    try {
      // an environment override of a key whose default is null arrives as text
      parsed = port == null || "".equals(port) ? null : port instanceof Number n ? Integer.valueOf(n.intValue()) : Integer.valueOf(port.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("tcp.port must be a port number, not " + port);
    }
    return new TcpOptions(parsed, json.getString("host", "0.0.0.0"),
      tls.getString("certFile"), tls.getString("keyFile"), tls.getString("clientCaFile"));
  }

  public boolean enabled() {
    return port != null;
  }

  /** The server's options: TLS with the PEM files when given, client certificates required when a CA is. */
  NetServerOptions serverOptions() {
    NetServerOptions options = new NetServerOptions().setPort(port).setHost(host).setTcpNoDelay(true);
    if (certFile != null) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(certFile).setKeyPath(keyFile));
    }
    if (clientCaFile != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(clientCaFile)).setClientAuth(ClientAuth.REQUIRED);
    }
    return options;
  }
}
