package io.parley.pusher;

import io.parley.pusher.PusherChannel.Kind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which Parley room a Pusher channel name is, and which names are none. */
class PusherChannelTest {

  @Test
  void private_presence_and_encrypted_channels_are_the_room_after_their_prefix() {
    assertThat(PusherChannel.parse("private-board-42").orElseThrow())
      .extracting(PusherChannel::kind, c -> c.room().value()).containsExactly(Kind.PRIVATE, "board-42");
    assertThat(PusherChannel.parse("presence-planning-poker-7").orElseThrow())
      .extracting(PusherChannel::kind, c -> c.room().value()).containsExactly(Kind.PRESENCE, "planning-poker-7");
    assertThat(PusherChannel.parse("private-encrypted-board-42").orElseThrow())
      .extracting(PusherChannel::kind, c -> c.room().value()).containsExactly(Kind.PRIVATE_ENCRYPTED, "board-42");
    assertThat(PusherChannel.parse("planning-poker-7").orElseThrow())
      .extracting(PusherChannel::kind, c -> c.room().value()).containsExactly(Kind.PUBLIC, "planning-poker-7");
  }

  @Test
  void a_cache_channel_is_the_same_room_and_says_it_caches() {
    PusherChannel cached = PusherChannel.parse("private-cache-board-42").orElseThrow();
    assertThat(cached.cache()).isTrue();
    assertThat(cached.room().value()).isEqualTo("board-42");
    assertThat(PusherChannel.parse("cache-public-x").orElseThrow().room().value()).isEqualTo("public-x");
    assertThat(PusherChannel.nameOf(Kind.PRESENCE, true, cached.room())).isEqualTo("presence-cache-board-42");
  }

  @Test
  void server_to_user_is_the_users_own_room() {
    PusherChannel user = PusherChannel.parse("#server-to-user-ann").orElseThrow();
    assertThat(user.kind()).isEqualTo(Kind.SERVER_TO_USER);
    assertThat(user.room().value()).isEqualTo("user-ann");
  }

  @Test
  void names_outside_either_charset_are_no_room() {
    assertThat(PusherChannel.parse("private-a:b")).as("':' is a room character, not a Pusher one").isEmpty();
    assertThat(PusherChannel.parse("private-a,b")).as("',' is a Pusher character, not a room one").isEmpty();
    assertThat(PusherChannel.parse("private-")).isEmpty();
    assertThat(PusherChannel.parse("presence-" + "x".repeat(129))).isEmpty();
    assertThat(PusherChannel.parse("")).isEmpty();
    assertThat(PusherChannel.parse(null)).isEmpty();
  }

  @Test
  void only_signed_channels_take_client_events() {
    assertThat(PusherChannel.parse("private-r").orElseThrow().allowsClientEvents()).isTrue();
    assertThat(PusherChannel.parse("presence-r").orElseThrow().allowsClientEvents()).isTrue();
    assertThat(PusherChannel.parse("public-r").orElseThrow().allowsClientEvents()).isFalse();
  }
}
