package io.parley.shared;

import io.vertx.core.eventbus.ReplyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoomNameTest {

  @ParameterizedTest
  @ValueSource(strings = {"board-42", "a", "lock-project-version:42", "Org_1.team", "chat-a-b"})
  void accepts_names_of_letters_digits_and_underscore_colon_dot_dash(String name) {
    assertThat(RoomName.of(name).value()).isEqualTo(name);
    assertThat(RoomName.isValid(name)).isTrue();
  }

  @Test
  void accepts_a_name_of_exactly_128_characters() {
    String name = "a".repeat(RoomName.MAX_LENGTH);

    assertThat(RoomName.of(name).value()).hasSize(128);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "board 42", " board-42", "board-42\n", "room/1", "board-é", "board-\u4e00", "room*", "a+b"})
  void rejects_invalid_names_with_400(String name) {
    assertRejected(name);
    assertThat(RoomName.isValid(name)).isFalse();
  }

  @Test
  void rejects_a_name_of_129_characters_with_400() {
    assertRejected("a".repeat(RoomName.MAX_LENGTH + 1));
  }

  @Test
  void rejects_null_with_400() {
    assertRejected(null);
    assertThat(RoomName.isValid(null)).isFalse();
  }

  @Test
  void address_is_the_name_behind_the_room_prefix() {
    assertThat(RoomName.of("board-42").address()).isEqualTo("room.board-42");
  }

  @Test
  void from_address_reads_the_room_of_a_room_address() {
    assertThat(RoomName.fromAddress("room.board-42")).contains(RoomName.of("board-42"));
  }

  @Test
  void from_address_ignores_other_addresses_and_invalid_names() {
    assertThat(RoomName.fromAddress("rooms.state")).isEmpty();
    assertThat(RoomName.fromAddress("room.")).isEmpty();
    assertThat(RoomName.fromAddress("room.bad name")).isEmpty();
    assertThat(RoomName.fromAddress("board-42")).isEmpty();
    assertThat(RoomName.fromAddress(null)).isEmpty();
  }

  @Test
  void a_boards_tasks_and_sprints_rooms_are_aliases_of_the_board() {
    assertThat(RoomName.of("board-7-tasks").aliasOf()).contains(RoomName.of("board-7"));
    assertThat(RoomName.of("board-7-sprints").aliasOf()).contains(RoomName.of("board-7"));
  }

  @Test
  void other_rooms_have_no_alias() {
    assertThat(RoomName.of("board-7").aliasOf()).isEmpty();
    assertThat(RoomName.of("board-7-backlog").aliasOf()).isEmpty();
    assertThat(RoomName.of("org-7-tasks").aliasOf()).isEmpty();
  }

  @Test
  void suffix_after_needs_something_after_the_prefix() {
    assertThat(RoomName.of("org-acme").suffixAfter("org-")).contains("acme");
    assertThat(RoomName.of("org-").suffixAfter("org-")).isEmpty();
    assertThat(RoomName.of("board-1").suffixAfter("org-")).isEmpty();
  }

  private static void assertRejected(String name) {
    assertThatThrownBy(() -> RoomName.of(name))
      .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(400));
  }
}
