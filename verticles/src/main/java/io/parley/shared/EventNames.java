package io.parley.shared;

import java.util.List;

/**
 * Every event name Parley delivers, declared once. Names are
 * {@code <family>.<verb>}. Clients may publish only {@link #CLIENT_PUBLISHABLE} (the default
 * catalog, replaceable with {@code rooms.clientEvents}); server-side code may publish any name.
 */
public final class EventNames {

  public static final String USER_UPDATE = "user.update";
  public static final String ORGANIZATION_CREATE = "organization.create";
  public static final String ORGANIZATION_UPDATE = "organization.update";
  public static final String ORGANIZATION_DELETE = "organization.delete";
  public static final String BOARD_CREATE = "board.create";
  public static final String BOARD_UPDATE = "board.update";
  public static final String BOARD_DELETE = "board.delete";
  public static final String TASK_CREATE = "task.create";
  public static final String TASK_UPDATE = "task.update";
  public static final String TASK_DELETE = "task.delete";
  public static final String SPRINT_CREATE = "sprint.create";
  public static final String SPRINT_UPDATE = "sprint.update";
  public static final String SPRINT_DELETE = "sprint.delete";
  public static final String CHAT_NEW_MESSAGE = "chat.new-message";

  public static final String PRESENCE_JOIN = "presence.join";
  public static final String PRESENCE_LEAVE = "presence.leave";

  /** The resource events: what a browser may publish by default. */
  public static final List<String> CLIENT_PUBLISHABLE = List.of(
    USER_UPDATE,
    ORGANIZATION_CREATE, ORGANIZATION_UPDATE, ORGANIZATION_DELETE,
    BOARD_CREATE, BOARD_UPDATE, BOARD_DELETE,
    TASK_CREATE, TASK_UPDATE, TASK_DELETE,
    SPRINT_CREATE, SPRINT_UPDATE, SPRINT_DELETE,
    CHAT_NEW_MESSAGE);

  private EventNames() {
  }
}
