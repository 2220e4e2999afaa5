package io.parley.rooms;

import io.parley.auth.Principal;
import io.parley.shared.Await;
import io.parley.shared.RoomName;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ClaimsRoomPolicyTest {

  private final RoomPolicy policy = RoomPolicy.fromClaims();

  // ---------------------------------------------------------------- identity rooms

  @Test
  void a_user_may_join_their_own_user_room() {
    assertThat(mayJoin(user("alice"), "user-alice")).isTrue();
  }

  @Test
  void a_user_may_not_join_another_users_room() {
    assertThat(mayJoin(user("alice"), "user-bob")).isFalse();
    assertThat(mayJoin(user("alice"), "user-alice2")).isFalse();
  }

  @Test
  void a_user_room_is_not_opened_by_any_claim() {
    Principal admin = principal("alice", "s-alice", Set.of("bob"), Set.of("bob"));

    assertThat(mayJoin(admin, "user-bob")).isFalse();
  }

  @Test
  void a_tab_may_join_its_own_client_room() {
    assertThat(mayJoin(principal("alice", "tab-1", Set.of(), Set.of()), "client-tab-1")).isTrue();
  }

  @Test
  void a_tab_may_not_join_another_tabs_client_room() {
    Principal tab1 = principal("alice", "tab-1", Set.of(), Set.of());

    assertThat(mayJoin(tab1, "client-tab-2")).isFalse();
  }

  @Test
  void both_users_may_join_their_chat_room() {
    assertThat(mayJoin(user("a"), "chat-a-b")).isTrue();
    assertThat(mayJoin(user("b"), "chat-a-b")).isTrue();
  }

  @Test
  void a_third_user_may_not_join_a_chat_room() {
    assertThat(mayJoin(user("c"), "chat-a-b")).isFalse();
  }

  @Test
  void a_chat_room_with_the_larger_id_first_is_denied_to_both() {
    assertThat(mayJoin(user("a"), "chat-b-a")).isFalse();
    assertThat(mayJoin(user("b"), "chat-b-a")).isFalse();
  }

  @Test
  void a_chat_room_with_oneself_is_denied() {
    assertThat(mayJoin(user("a"), "chat-a-a")).isFalse();
  }

  @Test
  void chat_rooms_work_for_user_ids_containing_dashes() {
    String room = RoomPolicy.ChatRoom.nameOf("user-42", "admin-7");

    assertThat(room).isEqualTo("chat-admin--7-user--42");
    assertThat(mayJoin(user("user-42"), room)).isTrue();
    assertThat(mayJoin(user("admin-7"), room)).isTrue();
    assertThat(mayJoin(user("user-4"), room)).isFalse();
    assertThat(mayJoin(user("admin"), room)).isFalse();
  }

  @Test
  void chat_room_name_puts_the_smaller_id_first() {
    assertThat(RoomPolicy.ChatRoom.nameOf("b", "a")).isEqualTo("chat-a-b");
    assertThat(RoomPolicy.ChatRoom.nameOf("a", "b")).isEqualTo("chat-a-b");
  }

  /** With '-' in ids a plain join would be ambiguous: chat-al-ice-bob could be al + ice-bob. */
  @Test
  void a_chat_room_admits_exactly_its_two_users_even_with_dashes_in_ids() {
    String room = RoomPolicy.ChatRoom.nameOf("al-ice", "bob");

    assertThat(Stream.of("al-ice", "bob", "al", "ice-bob").filter(u -> mayJoin(user(u), room)))
      .containsExactlyInAnyOrder("al-ice", "bob");
  }

  @Test
  void an_unescaped_ambiguous_chat_name_admits_nobody() {
    assertThat(Stream.of("al-ice", "bob", "al", "ice-bob").filter(u -> mayJoin(user(u), "chat-al-ice-bob"))).isEmpty();
  }

  // ---------------------------------------------------------------- org and board rooms

  @Test
  void an_org_room_needs_the_org_in_the_orgs_claim() {
    Principal member = principal("alice", "s1", Set.of("acme"), Set.of());

    assertThat(mayJoin(member, "org-acme")).isTrue();
    assertThat(mayJoin(member, "org-globex")).isFalse();
    assertThat(mayJoin(user("bob"), "org-acme")).isFalse();
  }

  @Test
  void a_board_room_needs_the_board_in_the_boards_claim() {
    Principal member = principal("alice", "s1", Set.of(), Set.of("7"));

    assertThat(mayJoin(member, "board-7")).isTrue();
    assertThat(mayJoin(member, "board-8")).isFalse();
    assertThat(mayJoin(user("bob"), "board-7")).isFalse();
  }

  @Test
  void a_boards_child_rooms_follow_the_boards_claim() {
    Principal member = principal("alice", "s1", Set.of(), Set.of("7"));
    Principal outsider = principal("bob", "s2", Set.of(), Set.of("8"));

    assertThat(mayJoin(member, "board-7-tasks")).isTrue();
    assertThat(mayJoin(member, "board-7-sprints")).isTrue();
    assertThat(mayJoin(outsider, "board-7-tasks")).isFalse();
    assertThat(mayJoin(outsider, "board-7-sprints")).isFalse();
  }

  @Test
  void the_orgs_claim_does_not_open_board_rooms_nor_the_reverse() {
    Principal both = principal("alice", "s1", Set.of("7"), Set.of("acme"));

    assertThat(mayJoin(both, "board-7")).isFalse();
    assertThat(mayJoin(both, "org-acme")).isFalse();
  }

  // ---------------------------------------------------------------- open and unknown rooms

  @Test
  void votes_poker_and_lock_rooms_are_open_to_any_authenticated_user() {
    Principal anyone = user("alice");

    assertThat(mayJoin(anyone, "votes-x")).isTrue();
    assertThat(mayJoin(anyone, "planning-poker-x")).isTrue();
    assertThat(mayJoin(anyone, "lock-project-version:42")).isTrue();
  }

  @Test
  void an_unknown_prefix_is_denied() {
    Principal everything = principal("alice", "s1", Set.of("1"), Set.of("1"));

    assertThat(mayJoin(everything, "secret-1")).isFalse();
    assertThat(mayJoin(everything, "votes")).isFalse();
  }

  private boolean mayJoin(Principal principal, String room) {
    return Await.result(policy.mayJoin(principal, RoomName.of(room)));
  }

  private static Principal user(String userId) {
    return principal(userId, "s-" + userId, Set.of(), Set.of());
  }

  private static Principal principal(String userId, String sessionId, Set<String> orgs, Set<String> boards) {
    return new Principal(userId, "Name of " + userId, sessionId, "c-" + sessionId, orgs, boards, Long.MAX_VALUE, false);
  }
}
