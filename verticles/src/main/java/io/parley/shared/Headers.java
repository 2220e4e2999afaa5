package io.parley.shared;

/**
 * The identity headers the bridge writes on every frame a socket sends ({@code docs/protocol.md}, plus
 * the display name).
 * Whatever a client put in these headers is overwritten; verticles trust only these.
 */
public final class Headers {
  public static final String USER_ID = "userId";
  public static final String SESSION_ID = "sessionId";
  public static final String CONNECTION_ID = "connectionId";
  /** The user's display name from their token, so verticles can show who acts without a lookup. */
  public static final String USER_NAME = "userName";
  /**
   * On a frame from a service connection (authenticated with an API key) instead of the user
   * headers: the key's id, never the key. Such a frame is server code to the verticles.
   */
  public static final String SERVICE = "service";

  private Headers() {
  }
}
