package io.parley.launcher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PARLEY_ + the key path in upper snake case overrides any key. */
class EnvOverridesTest {

  private final JsonObject defaults = new JsonObject()
    .put("http", new JsonObject().put("port", 8080))
    .put("auth", new JsonObject().put("timeoutMs", 5000).put("devTokens", true))
    .put("locks", new JsonObject().put("ttlMs", 600000))
    .put("redis", new JsonObject().put("uri", (String) null))
    .put("bridge", new JsonObject().put("transports", new JsonArray().add("WEBSOCKET")).put("ratePerSecond", 100.0))
    .put("rooms", new JsonObject().put("history", new JsonObject().put("maxAgeMs", 1000)));

  @Test
  void variable_names_follow_the_design_examples() {
    assertThat(EnvOverrides.variableFor("http", "port")).isEqualTo("PARLEY_HTTP_PORT");
    assertThat(EnvOverrides.variableFor("auth", "timeoutMs")).isEqualTo("PARLEY_AUTH_TIMEOUT_MS");
    assertThat(EnvOverrides.variableFor("locks", "ttlMs")).isEqualTo("PARLEY_LOCKS_TTL_MS");
    assertThat(EnvOverrides.variableFor("rooms", "history", "maxAgeMs")).isEqualTo("PARLEY_ROOMS_HISTORY_MAX_AGE_MS");
  }

  @Test
  void values_are_read_as_the_type_of_the_key() {
    JsonObject config = EnvOverrides.apply(defaults, Map.of(
      "PARLEY_HTTP_PORT", "9090",
      "PARLEY_AUTH_DEV_TOKENS", "false",
      "PARLEY_REDIS_URI", "redis://127.0.0.1:6379",
      "PARLEY_BRIDGE_TRANSPORTS", "WEBSOCKET, XHR",
      "PARLEY_BRIDGE_RATE_PER_SECOND", "2.5",
      "PARLEY_ROOMS_HISTORY_MAX_AGE_MS", "42"));
    assertThat(config.getJsonObject("http").getLong("port")).isEqualTo(9090);
    assertThat(config.getJsonObject("auth").getBoolean("devTokens")).isFalse();
    assertThat(config.getJsonObject("auth").getLong("timeoutMs")).isEqualTo(5000);
    assertThat(config.getJsonObject("redis").getString("uri")).isEqualTo("redis://127.0.0.1:6379");
    assertThat(config.getJsonObject("bridge").getJsonArray("transports")).containsExactly("WEBSOCKET", "XHR");
    assertThat(config.getJsonObject("bridge").getDouble("ratePerSecond")).isEqualTo(2.5);
    assertThat(config.getJsonObject("rooms").getJsonObject("history").getLong("maxAgeMs")).isEqualTo(42);
  }

  @Test
  void a_value_of_the_wrong_type_names_the_variable() {
    assertThatThrownBy(() -> EnvOverrides.apply(defaults, Map.of("PARLEY_HTTP_PORT", "eighty")))
      .hasMessageContaining("PARLEY_HTTP_PORT=eighty");
    assertThatThrownBy(() -> EnvOverrides.apply(defaults, Map.of("PARLEY_AUTH_DEV_TOKENS", "yes")))
      .hasMessageContaining("PARLEY_AUTH_DEV_TOKENS");
  }

  @Test
  void unrelated_variables_change_nothing() {
    assertThat(EnvOverrides.apply(defaults, Map.of("PATH", "/bin", "PARLEY_NO_SUCH_KEY", "1"))).isEqualTo(defaults);
  }
}
