package io.parley.locks;

import io.vertx.core.eventbus.ReplyException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourceTest {

  @ParameterizedTest
  @ValueSource(strings = {"project-version:42", "doc:1", "a:b", "Board_7.v2:x-y_z.1", "k:-"})
  void accepts_kind_colon_id(String key) {
    assertThat(Resource.of(key).key()).isEqualTo(key);
  }

  @Test
  void accepts_the_longest_key_whose_watchers_room_is_a_valid_room_name() {
    String key = "k".repeat(59) + ":" + "i".repeat(63);

    assertThat(Resource.of(key).key()).hasSize(Resource.MAX_LENGTH);
    assertThat(Resource.of(key).watchers().value()).hasSize(128);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "doc", "doc:", ":1", "a:b:c", "doc 1:x", "doc:1 ", "doc:é", "doc/1:x",
    "project-version:0", "project-version:042", "project-version:x", "project-version:-1"})
  void rejects_anything_else_with_400(String key) {
    assertThatThrownBy(() -> Resource.of(key))
      .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(400));
  }

  @Test
  void rejects_parts_over_64_and_keys_over_123_characters() {
    assertThatThrownBy(() -> Resource.of("k:" + "i".repeat(65))).isInstanceOf(ReplyException.class);
    assertThatThrownBy(() -> Resource.of("k".repeat(65) + ":i")).isInstanceOf(ReplyException.class);
    assertThatThrownBy(() -> Resource.of("k".repeat(60) + ":" + "i".repeat(63))).isInstanceOf(ReplyException.class);
    assertThatThrownBy(() -> Resource.of(null)).isInstanceOf(ReplyException.class);
  }

  @Test
  void watchers_room_is_lock_dash_key() {
    Resource version = Resource.of("project-version:42");

    assertThat(version.watchers().value()).isEqualTo("lock-project-version:42");
  }
}
