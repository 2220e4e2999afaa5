package io.parley.shared;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A validated room name: {@code [A-Za-z0-9_:.-]{1,128}}, without the
 * {@code room.} prefix that its bus address carries.
 */
public record RoomName(String value) {

  public static final int MAX_LENGTH = 128;
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_:.-]{1," + MAX_LENGTH + "}");
  /** {@code board-<id>-tasks} and {@code board-<id>-sprints} are delivered to {@code board-<id>} too. */
  private static final Pattern BOARD_CHILD = Pattern.compile("board-(.+)-(tasks|sprints)");

  public RoomName {
    if (value == null || !VALID.matcher(value).matches()) {
      throw Failure.badRequest("invalid room name: it must match [A-Za-z0-9_:.-]{1," + MAX_LENGTH + "}");
    }
  }

  /** Validates a room name from a request; a bad one is a 400. */
  public static RoomName of(String value) {
    return new RoomName(value);
  }

  public static boolean isValid(String value) {
    return value != null && VALID.matcher(value).matches();
  }

  /** The room behind a bus address, if it is a {@code room.<name>} address with a valid name. */
  public static Optional<RoomName> fromAddress(String address) {
    if (address == null || !address.startsWith(Addresses.ROOM_PREFIX)) {
      return Optional.empty();
    }
    String name = address.substring(Addresses.ROOM_PREFIX.length());
    return isValid(name) ? Optional.of(new RoomName(name)) : Optional.empty();
  }

  public String address() {
    return Addresses.ROOM_PREFIX + value;
  }

  /** For a board's child room, the board room whose members also receive its events. */
  public Optional<RoomName> aliasOf() {
    Matcher m = BOARD_CHILD.matcher(value);
    return m.matches() ? Optional.of(new RoomName("board-" + m.group(1))) : Optional.empty();
  }

  /** The part after {@code prefix}, when this name starts with it and something follows. */
  public Optional<String> suffixAfter(String prefix) {
    return value.startsWith(prefix) && value.length() > prefix.length()
      ? Optional.of(value.substring(prefix.length()))
      : Optional.empty();
  }

  /**
   * Written out rather than the record's generated one: rooms are map keys on every delivery's
   * path (a Pusher socket finds its subscriptions of the room by it), and the generated equals
   * was the top of the node's profile in the Pusher fan-out to 10,000 sockets (bench/README.md).
   */
  @Override
  public boolean equals(Object other) {
    return this == other || other instanceof RoomName room && value.equals(room.value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return value;
  }
}
