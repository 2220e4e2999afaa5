package io.parley.rooms;

import io.parley.shared.Envelope;
import io.parley.shared.Failure;
import io.parley.shared.RoomName;
import io.vertx.core.Future;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one way into a room's stream: every publish on a node, a client's through
 * {@code rooms.publish}, the HTTP API's, the server API's ({@code RealtimeService}) and the
 * features' own (locks, votes, planning poker), is checked here and handed to this node's
 * {@link RoomStore}. Built once per node and shared by whatever publishes on it.
 *
 * <p>No bus hop: a publish never travels to another node's rooms verticle, so it does not
 * depend on one answering (a node that just died may still be offered by the cluster's
 * registry, and a node may run no rooms verticle at all), and publishes made one after another
 * on one node reach the store in that order. The store's publish is atomic per room and
 * delivers to every node, so the offsets stay gap-free and each envelope is delivered once,
 * whichever node published it.
 */
public final class RoomPublisher {

  private static final Pattern EVENT_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

  private final RoomStore store;
  private final Set<String> clientEvents;

  /** @param clientEvents the events a client may publish ({@code rooms.clientEvents}); server code may publish any */
  public RoomPublisher(RoomStore store, Set<String> clientEvents) {
    this.store = store;
    this.clientEvents = Set.copyOf(clientEvents);
  }

  /** A server event (no {@code from}): any well-formed event name, to any valid room. */
  public Future<Envelope> publish(String room, String event, Object data) {
    return publish(room, event, data, null);
  }

  /**
   * A publish by a client ({@code from} not null: only the declared client events, 403
   * otherwise) or by server code ({@code from} null). A bad room or event name is a 400 and
   * nothing is stored.
   */
  public Future<Envelope> publish(String room, String event, Object data, Envelope.From from) {
    return publish(room, event, data, from, from != null);
  }

  /**
   * A publish attributed to a sender whose event rules the caller has already checked by rules
   * of its own (any well-formed event name, no {@code rooms.clientEvents} allow-list): a Pusher
   * client event ({@code client-*}, allowed by the Pusher app, {@code docs/pusher.md}), or an
   * event triggered through the Pusher HTTP API with a {@code socket_id} that must not receive it
   * ({@code from} with a null user, {@code docs/pusher-http-api.md}). Bridge members see who sent it.
   */
  public Future<Envelope> publishAs(String room, String event, Object data, Envelope.From from) {
    return publish(room, event, data, from, false);
  }

  private Future<Envelope> publish(String room, String event, Object data, Envelope.From from, boolean byClient) {
    RoomName name;
    try {
      name = RoomName.of(room);
      checkEvent(event, byClient);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return store.publish(name, new RoomStore.Draft(event, data, from));
  }

  /** Whether {@code event} is a name a room can carry: {@code [A-Za-z0-9_.:-]{1,64}}. */
  public static boolean isValidEvent(String event) {
    return event != null && EVENT_NAME.matcher(event).matches();
  }

  private void checkEvent(String event, boolean byClient) {
    if (!isValidEvent(event)) {
      throw Failure.badRequest("event must match [A-Za-z0-9_.:-]{1,64}");
    }
    if (byClient && !clientEvents.contains(event)) {
      throw Failure.forbidden("clients may publish only declared events (rooms.clientEvents); '" + event + "' is not one");
    }
  }
}
