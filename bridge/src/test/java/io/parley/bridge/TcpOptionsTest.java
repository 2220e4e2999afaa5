package io.parley.bridge;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code tcp} section: off unless a port is set, and TLS settings that make sense together. */
class TcpOptionsTest {

  @Test
  void the_tcp_endpoint_is_off_unless_a_port_is_set() {
    assertThat(TcpOptions.fromConfig(new JsonObject().putNull("port")).enabled()).isFalse();
    assertThat(TcpOptions.fromConfig(null).enabled()).isFalse();
    assertThat(TcpOptions.fromConfig(new JsonObject().put("port", 7000)).port()).isEqualTo(7000);
  }

  @Test
  void a_port_from_the_environment_arrives_as_text_and_is_read_as_a_number() {
    assertThat(TcpOptions.fromConfig(new JsonObject().put("port", "7000")).port()).isEqualTo(7000);
    assertThatThrownBy(() -> TcpOptions.fromConfig(new JsonObject().put("port", "seven"))).hasMessageContaining("tcp.port");
    assertThatThrownBy(() -> TcpOptions.fromConfig(new JsonObject().put("port", 70000))).hasMessageContaining("tcp.port");
  }

  @Test
  void tls_needs_both_certificate_and_key_and_a_client_ca_needs_tls() {
    assertThatThrownBy(() -> TcpOptions.fromConfig(new JsonObject().put("port", 1)
      .put("tls", new JsonObject().put("certFile", "c.pem")))).hasMessageContaining("keyFile");
    assertThatThrownBy(() -> TcpOptions.fromConfig(new JsonObject().put("port", 1)
      .put("tls", new JsonObject().put("clientCaFile", "ca.pem")))).hasMessageContaining("clientCaFile");
    assertThat(TcpOptions.fromConfig(new JsonObject().put("port", 1)
      .put("tls", new JsonObject().put("certFile", "c.pem").put("keyFile", "k.pem"))).serverOptions().isSsl()).isTrue();
  }
}
