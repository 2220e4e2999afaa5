package io.parley.bridge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code api.keys}: each key is known by an id that can be shown, never by the key. */
class ApiKeysTest {

  @Test
  void a_key_given_with_an_id_is_known_by_that_id_and_a_plain_one_by_a_short_hash() {
    ApiKeys keys = ApiKeys.fromConfig(new JsonArray().add("plain-key-123")
      .add(new JsonObject().put("id", "billing").put("key", "billing-key-456")));
    assertThat(keys.match("billing-key-456")).hasValueSatisfying(key -> assertThat(key.id()).isEqualTo("billing"));
    assertThat(keys.match("plain-key-123")).hasValueSatisfying(key -> {
      assertThat(key.id()).matches("key-[0-9a-f]{8}").doesNotContain("plain");
      assertThat(key.id()).as("the same on every node and after a restart").isEqualTo(ApiKeys.hashId("plain-key-123"));
      assertThat(key.toString()).as("what a log line shows").isEqualTo(key.id());
    });
  }

  @Test
  void only_an_exact_key_matches() {
    ApiKeys keys = ApiKeys.fromConfig(new JsonArray().add("secret-key"));
    assertThat(keys.match("secret-key")).isPresent();
    assertThat(keys.match("secret-ke")).isEmpty();
    assertThat(keys.match("secret-key ")).isEmpty();
    assertThat(keys.match("")).isEmpty();
    assertThat(keys.match(null)).isEmpty();
  }

  @Test
  void blank_keys_are_ignored_and_malformed_entries_stop_the_node() {
    assertThat(ApiKeys.fromConfig(new JsonArray().add(" ")).isEmpty()).isTrue();
    assertThatThrownBy(() -> ApiKeys.fromConfig(new JsonArray().add(new JsonObject().put("key", "k"))))
      .hasMessageContaining("api.keys");
    assertThatThrownBy(() -> ApiKeys.fromConfig(new JsonArray().add(42))).hasMessageContaining("api.keys");
    assertThatThrownBy(() -> ApiKeys.fromConfig(new JsonArray()
      .add(new JsonObject().put("id", "a").put("key", "k1")).add(new JsonObject().put("id", "a").put("key", "k2"))))
      .hasMessageContaining("same id");
  }
}
