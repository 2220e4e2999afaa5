package io.parley.pusher;

import io.parley.rooms.RoomPublisher;
import io.parley.rooms.RoomStore;
import io.parley.shared.Addresses;
import io.parley.shared.Envelope;
import io.parley.shared.Failure;
import io.parley.shared.FailureLog;
import io.parley.shared.RoomName;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Pusher's HTTP API under {@code /apps/<id>/...}, so that Pusher's server SDKs work against
 * Parley unchanged ({@code docs/pusher-http-api.md}): triggering events into rooms, the channels
 * and their counts, the users of a presence channel, and terminating a user's connections.
 * Every request is signed with the app's secret ({@link SignedRequest}). Events go into rooms
 * through the node's {@link RoomPublisher}, as every publish does; counts come from the shared
 * {@link RoomStore}, exact for the whole cluster. Errors are answered as Pusher does, a status
 * and a plain-text message.
 */
public final class PusherApiRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(PusherApiRoutes.class);
  /** The largest request body: a batch of ten events with 10 KB of data each, JSON-escaped, with room to spare. */
  static final int MAX_BODY_BYTES = 256 * 1024;
  private static final String APP = "pusher.app";

  private final PusherOptions options;
  private final RoomPublisher publisher;
  private final EventBus bus;
  private final Clock clock;
  private final FailureLog failures;
  private final ChannelCounts counts;
  private final ChannelListing listing;

  /**
   * @param publisher the node's one way into a room
   * @param store     the shared room store the counts are read from
   * @param bus       where {@code terminate_connections} is published, cluster-wide
   * @param clock     the node's clock, which request timestamps must be near
   */
  public PusherApiRoutes(PusherOptions options, RoomPublisher publisher, RoomStore store, EventBus bus, Clock clock,
                         FailureLog failures) {
    this.options = options;
    this.publisher = publisher;
    this.bus = bus;
    this.clock = clock;
    this.failures = failures;
    this.counts = new ChannelCounts(store);
    this.listing = new ChannelListing(store);
  }

  /** Mounts the routes; before any other body handler, since a batch may be larger than other bodies. */
  public void mount(Router router) {
    router.route("/apps/*").handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES)).failureHandler(this::failed);
    router.route("/apps/:appId/*").handler(this::authenticate);
    router.post("/apps/:appId/events").handler(ctx -> answer(ctx, () -> trigger(PusherEvent.ofTrigger(body(ctx)))));
    router.post("/apps/:appId/batch_events").handler(ctx -> answer(ctx, () -> batch(PusherEvent.ofBatch(body(ctx)))));
    router.get("/apps/:appId/channels").handler(ctx -> answer(ctx, () ->
      listing.list(ctx.queryParams().get("filter_by_prefix"), ctx.queryParams().get("info"))));
    router.get("/apps/:appId/channels/:channel").handler(ctx -> answer(ctx, () ->
      channel(channelOf(ctx), PusherEvent.info(ctx.queryParams().get("info"), ""))));
    router.get("/apps/:appId/channels/:channel/users").handler(ctx -> answer(ctx, () -> users(channelOf(ctx))));
    router.post("/apps/:appId/users/:userId/terminate_connections").handler(ctx -> answer(ctx, () ->
      terminate(ctx.get(APP), ctx.pathParam("userId"))));
    router.route("/apps/*").handler(ctx -> error(ctx, Failure.NOT_FOUND, "no such route of the Pusher HTTP API"));
  }

  /** The app of the path, the request signed with its secret (401), the app enabled (403). */
  private void authenticate(RoutingContext ctx) {
    Optional<PusherApp> found = options.byId(ctx.pathParam("appId"));
    if (found.isEmpty()) {
      error(ctx, Failure.NOT_FOUND, "no Pusher app with id " + ctx.pathParam("appId"));
      return;
    }
    PusherApp app = found.get();
    try {
      SignedRequest.verify(app, ctx.request().method().name(), ctx.request().path(), ctx.queryParams(), ctx.body().buffer(), clock);
    } catch (RuntimeException refused) {
      failure(ctx, refused);
      return;
    }
    if (!app.enabled()) {
      error(ctx, Failure.FORBIDDEN, "app " + app.id() + " is disabled");
      return;
    }
    ctx.put(APP, app);
    ctx.next();
  }

  /** Publishes into each channel's room once, then answers {@code {}} or, when asked, {@code {channels: {<name>: {...}}}}. */
  private Future<JsonObject> trigger(PusherEvent event) {
    return publish(event).compose(v -> {
      if (event.info().isEmpty()) {
        return Future.succeededFuture(new JsonObject());
      }
      List<Future<JsonObject>> attributes = event.channels().stream()
        .map(channel -> counts.of(channel).map(occupancy -> occupancy.attributes(channel, event.info()))).toList();
      return Future.all(attributes).map(all -> {
        JsonObject channels = new JsonObject();
        for (int i = 0; i < attributes.size(); i++) {
          channels.put(event.channels().get(i).name(), attributes.get(i).result());
        }
        return new JsonObject().put("channels", channels);
      });
    });
  }

  /** Publishes the events in order, all checked first; answers {@code {}} or, when any asks, {@code {batch: [{...}, ...]}}. */
  private Future<JsonObject> batch(List<PusherEvent> events) {
    Future<Void> published = Future.succeededFuture();
    for (PusherEvent event : events) {
      published = published.compose(v -> publish(event));
    }
    return published.compose(v -> {
      if (events.stream().allMatch(event -> event.info().isEmpty())) {
        return Future.succeededFuture(new JsonObject());
      }
      List<Future<JsonObject>> attributes = events.stream().map(event -> {
        PusherChannel channel = event.channels().get(0);
        return counts.of(channel).map(occupancy -> occupancy.attributes(channel, event.info()));
      }).toList();
      return Future.all(attributes).map(all -> new JsonObject().put("batch",
        new JsonArray(attributes.stream().map(Future::result).toList())));
    });
  }

  /**
   * One publish per room, in the order the channels were given: channels that are one room
   * (e.g. {@code private-x} and {@code presence-x}) get the event once. With a {@code socket_id}
   * the envelope names that socket as its sender, so the Pusher delivery skips it.
   */
  private Future<Void> publish(PusherEvent event) {
    Envelope.From from = event.socketId() == null ? null : new Envelope.From(null, event.socketId());
    Set<RoomName> rooms = new LinkedHashSet<>();
    event.channels().forEach(channel -> rooms.add(channel.room()));
    Future<Void> published = Future.succeededFuture();
    for (RoomName room : rooms) {
      published = published.compose(v -> publisher.publishAs(room.value(), event.name(), event.data(), from).mapEmpty());
    }
    return published;
  }

  /** {@code {occupied, user_count?, subscription_count?}}. */
  private Future<JsonObject> channel(PusherChannel channel, Set<String> info) {
    if (info.contains(PusherEvent.USER_COUNT) && !channel.isPresence()) {
      return Future.failedFuture(Failure.badRequest("user_count is only available for presence channels"));
    }
    return counts.of(channel).map(occupancy ->
      new JsonObject().put("occupied", occupancy.connections() > 0).mergeIn(occupancy.attributes(channel, info)));
  }

  /** {@code {users: [{id}, ...]}} of a presence channel. */
  private Future<JsonObject> users(PusherChannel channel) {
    if (!channel.isPresence()) {
      return Future.failedFuture(Failure.badRequest("users are only listed for presence channels"));
    }
    return counts.of(channel).map(occupancy -> new JsonObject().put("users", occupancy.userIds()));
  }

  /** Every node closes the user's Pusher connections of this app ({@code parley.pusher.terminate}). */
  private Future<JsonObject> terminate(PusherApp app, String userId) {
    if (userId == null || userId.isEmpty()) {
      return Future.failedFuture(Failure.badRequest("the user id is empty"));
    }
    bus.publish(Addresses.PUSHER_TERMINATE, new JsonObject().put("app", app.id()).put("userId", userId));
    return Future.succeededFuture(new JsonObject());
  }

  private static PusherChannel channelOf(RoutingContext ctx) {
    String name = ctx.pathParam("channel");
    return PusherChannel.parse(name).orElseThrow(() -> Failure.badRequest("channel '" + name
      + "' is not a channel Parley carries: [A-Za-z0-9_.-] after its prefix, the room at most 128 characters"));
  }

  private static JsonObject body(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body != null) {
        return body;
      }
    } catch (RuntimeException notJson) {
      // the 400 below
    }
    throw Failure.badRequest("the body must be a JSON object");
  }

  /** Runs {@code work}, which may also throw its failure, and answers 200 with its JSON or the failure. */
  private void answer(RoutingContext ctx, Supplier<Future<JsonObject>> work) {
    Future<JsonObject> outcome;
    try {
      outcome = work.get();
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().setStatusCode(200).putHeader("content-type", "application/json").end(ar.result().toBuffer());
      } else {
        failure(ctx, ar.cause());
      }
    });
  }

  /** A failure's code and message; anything unexpected is logged and is a 500 that tells nothing of the internals. */
  private void failure(RoutingContext ctx, Throwable cause) {
    int code = Failure.codeOf(cause);
    if (code == Failure.INTERNAL) {
      failures.error("Pusher HTTP API request", cause, LOG);
    }
    error(ctx, code, Failure.messageOf(cause));
  }

  /** What the body handler refused (413 over {@link #MAX_BODY_BYTES}) or anything that failed on the way. */
  private void failed(RoutingContext ctx) {
    if (ctx.statusCode() == Failure.TOO_LARGE) {
      error(ctx, Failure.TOO_LARGE, "the body is over " + MAX_BODY_BYTES + " bytes");
    } else if (ctx.failure() != null) {
      failure(ctx, ctx.failure());
    } else {
      error(ctx, ctx.statusCode() > 0 ? ctx.statusCode() : Failure.INTERNAL, "request failed");
    }
  }

  /** Pusher's error answers: the status and a plain-text message. */
  private static void error(RoutingContext ctx, int status, String message) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status).putHeader("content-type", "text/plain; charset=utf-8").end(message);
    }
  }
}
