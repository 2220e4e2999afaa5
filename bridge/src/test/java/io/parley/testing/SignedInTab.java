package io.parley.testing;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * A browser tab over a real SockJS connection, as every demo page is one: signed in as
 * {@code userId} with its own sessionId, and a member of its {@code client-<sessionId>} room,
 * where the server sends what is for this tab alone (lock events, notifications). Each
 * feature's test tab (locks, notifications, votes) extends it with one method per request of
 * its feature. Calls block with the client's bound, like {@link BridgeClient}.
 */
public abstract class SignedInTab implements AutoCloseable {

  public final String userId;
  public final String sessionId;
  public final BridgeClient client;
  /** What {@code auth.authenticate} answered: {@code resumed} says whether the session was known. */
  public final JsonObject principal;

  /** A new tab of {@code userId} on {@code node}. */
  protected SignedInTab(TestNode node, String userId) {
    this(node, userId, UUID.randomUUID().toString());
  }

  /** The tab {@code sessionId} again, as after a reconnect (to whichever node). */
  protected SignedInTab(TestNode node, String userId, String sessionId) {
    this.userId = userId;
    this.sessionId = sessionId;
    this.client = node.connect();
    this.principal = client.request("auth.authenticate",
      new JsonObject().put("token", node.token(userId)).put("sessionId", sessionId));
    // from here on the tab receives what the server sends to it
    client.join("client-" + sessionId);
  }

  /** The address of the {@code client-<sessionId>} room, where the server sends what is for that tab alone. */
  public static String clientRoom(String sessionId) {
    return "room.client-" + sessionId;
  }

  /** The next envelope on {@code address} whose event is {@code wanted}; the others are skipped. */
  protected final JsonObject nextEnvelope(String address, Predicate<String> wanted) {
    while (true) {
      // a tab that only listens still pings, as the browser client does: the bridge closes a
      // socket silent for bridge.pingTimeoutMs (10 s), and some tests listen longer than that
      client.ping();
      JsonObject envelope = client.nextEnvelope(address);
      if (wanted.test(envelope.getString("event"))) {
        return envelope;
      }
    }
  }

  /** The envelopes on {@code address} whose event is {@code wanted}, arrived and not taken yet. */
  protected final List<JsonObject> pendingEnvelopes(String address, Predicate<String> wanted) {
    return client.pendingOn(address).stream()
      .map(frame -> frame.getJsonObject("body"))
      .filter(envelope -> envelope != null && wanted.test(envelope.getString("event", "")))
      .toList();
  }

  @Override
  public void close() {
    client.close();
  }
}
