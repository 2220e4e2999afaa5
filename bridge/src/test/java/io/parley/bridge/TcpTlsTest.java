package io.parley.bridge;

import io.parley.testing.TcpBridgeClient;
import io.parley.testing.TestCertificates;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * With {@code tcp.tls} the TCP endpoint speaks TLS only, and with a client CA only to clients
 * that present a certificate it signed; the API key is still what authenticates a service.
 */
class TcpTlsTest {

  private static TestCertificates certificates;
  private static TestNode node;

  @BeforeAll
  static void start() {
    certificates = TestCertificates.create();
    node = TestNode.start(new JsonObject().put("tcp", new JsonObject().put("port", 0).put("host", "127.0.0.1")
      .put("tls", new JsonObject().put("certFile", certificates.file("server.pem")).put("keyFile", certificates.file("server.key"))
        .put("clientCaFile", certificates.file("ca.pem")))));
  }

  @AfterAll
  static void stop() {
    node.close();
    certificates.delete();
  }

  @Test
  void a_service_with_a_client_certificate_works_over_tls() throws Exception {
    try (TcpBridgeClient service = TcpBridgeClient.over(certificates.connect(node.vertx(), node.tcpPort(), true))) {
      assertThat(service.authenticateService(HttpOptions.DEV_API_KEY).getString("service")).isEqualTo(ApiKeys.hashId(HttpOptions.DEV_API_KEY));
      assertThat(service.request("rooms.publish", new JsonObject().put("room", "org-tls").put("event", "tls.works").put("data", 1))
        .getInteger("offset")).isPositive();
    }
  }

  @Test
  void a_client_without_a_certificate_gets_nothing_through() {
    assertThatThrownBy(() -> {
      try (Socket socket = certificates.connect(node.vertx(), node.tcpPort(), false)) {
        exchange(socket);
      }
    }).isInstanceOf(IOException.class);
  }

  @Test
  void a_plain_tcp_client_gets_nothing_through() {
    assertThatThrownBy(() -> {
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), node.tcpPort())) {
        exchange(socket);
      }
    }).isInstanceOf(IOException.class);
  }

  /** Sends a ping frame and reads the answer's length and bytes: an IOException (or EOF) where nothing gets through. */
  private static void exchange(Socket socket) throws IOException {
    byte[] ping = "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8);
    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
    out.writeInt(ping.length);
    out.write(ping);
    out.flush();
    socket.setSoTimeout(10_000);
    DataInputStream in = new DataInputStream(socket.getInputStream());
    byte[] answer = new byte[in.readInt()];
    in.readFully(answer);
  }
}
