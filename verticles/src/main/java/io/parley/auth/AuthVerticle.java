package io.parley.auth;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.parley.shared.Addresses;
import io.parley.shared.Failure;
import io.parley.shared.Headers;
import io.parley.shared.Request;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Turns a token and a sessionId into a {@link Principal}, revokes users, and
 * issues development tokens when they are enabled. Keeps no state of its own: sessions live
 * in the {@link SessionStore}, so any number of instances on any node answer alike.
 */
public final class AuthVerticle extends VerticleBase {

  private static final Pattern UUID_FORMAT =
    Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final int MAX_DEV_TOKEN_TTL_SECONDS = 24 * 3600;

  private final AuthOptions options;
  private final SessionStore sessions;
  private final Clock clock;
  private TokenVerifier tokens;

  public AuthVerticle(AuthOptions options, SessionStore sessions, Clock clock) {
    this.options = options;
    this.sessions = sessions;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    tokens = TokenVerifier.create(vertx, options.jwt());
    EventBus bus = vertx.eventBus();
    List<Future<Void>> registered = new ArrayList<>();
    registered.add(bus.consumer(Addresses.AUTH_AUTHENTICATE, m -> Request.reply(m, this::authenticate)).completion());
    registered.add(bus.consumer(Addresses.AUTH_REVOKE, m -> Request.reply(m, this::revoke)).completion());
    if (options.devTokens()) {
      registered.add(bus.consumer(Addresses.AUTH_DEV_TOKEN, m -> Request.reply(m, this::devToken)).completion());
    }
    return Future.all(registered);
  }

  /** {@code {token, sessionId}} → the principal; the bridge passes its connectionId as a header. */
  private Future<JsonObject> authenticate(Message<Object> message) {
    Request request = Request.of(message);
    String token = request.string("token");
    String sessionId = request.string("sessionId");
    if (!UUID_FORMAT.matcher(sessionId).matches()) {
      throw Failure.badRequest("sessionId must be a uuid (keep one per tab in sessionStorage)");
    }
    String header = message.headers().get(Headers.CONNECTION_ID);
    String connectionId = header != null ? header : UUID.randomUUID().toString();
    return tokens.verify(token)
      .compose(claims -> sessions.revokedAt(claims.userId()).compose(revokedAt -> {
        // iat has one-second resolution: a token from the very second of the revoke is void
        // too, since it may predate it; signing in again a second later works
        if (revokedAt > 0 && claims.issuedAt() <= revokedAt) {
          return Future.failedFuture(Failure.unauthenticated("token was revoked; sign in again"));
        }
        return sessions.claim(sessionId, claims.userId())
          .map(resumed -> new Principal(claims.userId(), claims.name(), sessionId, connectionId,
            new HashSet<>(claims.orgs()), new HashSet<>(claims.boards()), claims.expiresAt(), resumed).toJson());
      }));
  }

  /** {@code {userId}}: voids the user's current tokens and closes their sockets on every node. */
  private Future<JsonObject> revoke(Message<Object> message) {
    String userId = Request.of(message).string("userId");
    return sessions.revoke(userId, clock.millis()).map(v -> {
      vertx.eventBus().publish(Addresses.AUTH_REVOKED, new JsonObject().put("userId", userId));
      return new JsonObject();
    });
  }

  /** {@code {userId, name, orgs?, boards?, ttlSeconds?}} → {@code {token}}, signed with the dev secret. */
  private Future<JsonObject> devToken(Message<Object> message) {
    Request request = Request.of(message);
    String userId = request.string("userId");
    if (!TokenVerifier.USER_ID.matcher(userId).matches()) {
      throw Failure.badRequest("userId must be " + TokenVerifier.USER_ID_RULE);
    }
    String name = request.has("name") ? request.string("name") : userId;
    if (name.length() > 100) {
      throw Failure.badRequest("name must be at most 100 characters");
    }
    long ttl = request.has("ttlSeconds") ? request.nonNegativeLong("ttlSeconds") : 3600;
    if (ttl < 1 || ttl > MAX_DEV_TOKEN_TTL_SECONDS) {
      throw Failure.badRequest("ttlSeconds must be between 1 and " + MAX_DEV_TOKEN_TTL_SECONDS);
    }
    JsonObject claims = new JsonObject().put("sub", userId).put("name", name)
      .put("orgs", request.has("orgs") ? request.stringArray("orgs") : new JsonArray())
      .put("boards", request.has("boards") ? request.stringArray("boards") : new JsonArray());
    return Future.succeededFuture(new JsonObject().put("token", tokens.sign(claims, (int) ttl)));
  }
}
