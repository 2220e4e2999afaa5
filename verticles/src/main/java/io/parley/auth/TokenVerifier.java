package io.parley.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.parley.shared.Failure;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Verifies JWTs (vertx-auth-jwt) and reads Parley's claims from them ({@code docs/protocol.md}, authentication):
 * {@code sub} = userId, {@code name}, {@code orgs} and {@code boards} as string arrays.
 */
public final class TokenVerifier {

  /**
   * A userId must fit in a room name ({@code user-<userId>}, {@code chat-<a>-<b>}), and may not
   * start or end with '-' so that chat room names split one way only.
   */
  static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_:.]([A-Za-z0-9_:.-]{0,58}[A-Za-z0-9_:.])?");
  static final String USER_ID_RULE = "1-60 characters of [A-Za-z0-9_:.-], not starting or ending with '-'";

  /** What a verified token says. Times in epoch millis. */
  public record Claims(String userId, String name, List<String> orgs, List<String> boards,
                       long issuedAt, long expiresAt) {
  }

  private final JWTAuth jwt;
  private final boolean canSign;

  private TokenVerifier(JWTAuth jwt, boolean canSign) {
    this.jwt = jwt;
    this.canSign = canSign;
  }

  /** Builds the verifier from config; reading a key or JWKS file happens here, once, at start. */
  public static TokenVerifier create(Vertx vertx, AuthOptions.JwtKeyOptions keys) {
    JWTAuthOptions options = new JWTAuthOptions();
    // no leeway: the bridge closes a socket exactly at exp, so verification must agree with it
    JWTOptions jwtOptions = new JWTOptions();
    if (keys.issuer() != null) {
      jwtOptions.setIssuer(keys.issuer());
    }
    if (keys.audience() != null) {
      jwtOptions.addAudience(keys.audience());
    }
    options.setJWTOptions(jwtOptions);
    boolean canSign = false;
    if (keys.jwksFile() != null) {
      JsonObject jwks = new JsonObject(vertx.fileSystem().readFileBlocking(keys.jwksFile()));
      options.setJwks(jwks.getJsonArray("keys", new JsonArray()).stream().map(JsonObject.class::cast).toList());
    } else if (keys.publicKey() != null || keys.publicKeyFile() != null) {
      String pem = keys.publicKey() != null
        ? keys.publicKey()
        : vertx.fileSystem().readFileBlocking(keys.publicKeyFile()).toString();
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(keys.algorithm()).setBuffer(pem));
    } else {
      if (keys.secret() == null || keys.secret().length() < 32) {
        throw new IllegalArgumentException("auth.jwt.secret must be at least 32 characters for HS256");
      }
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(keys.secret()));
      canSign = true;
    }
    return new TokenVerifier(JWTAuth.create(vertx, options), canSign);
  }

  /** The token's claims, or a 401 that says what is wrong with it. */
  public Future<Claims> verify(String token) {
    return jwt.authenticate(new TokenCredentials(token))
      .recover(e -> Future.failedFuture(Failure.unauthenticated("invalid token: " + e.getMessage())))
      .compose(user -> {
        JsonObject payload = user.principal();
        // vertx-auth-jwt keeps the time claims in the user's attributes
        Long exp = timeClaim(user, "exp");
        Long iat = timeClaim(user, "iat");
        String userId = payload.getString("sub");
        if (userId == null || !USER_ID.matcher(userId).matches()) {
          return Future.failedFuture(Failure.unauthenticated("token sub must be " + USER_ID_RULE));
        }
        return Future.succeededFuture(new Claims(
          userId,
          payload.getString("name", userId),
          strings(payload.getValue("orgs")),
          strings(payload.getValue("boards")),
          iat == null ? 0L : iat * 1000,
          exp == null ? Long.MAX_VALUE : exp * 1000));
      });
  }

  /** Signs a development token; only possible with an HS256 secret. */
  public String sign(JsonObject claims, int ttlSeconds) {
    if (!canSign) {
      throw new IllegalStateException("dev tokens need an HS256 secret");
    }
    return jwt.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(ttlSeconds));
  }

  private static Long timeClaim(io.vertx.ext.auth.User user, String claim) {
    Object value = user.principal().getValue(claim);
    if (value == null) {
      value = user.attributes().getValue(claim);
    }
    return value instanceof Number n ? n.longValue() : null;
  }

  private static List<String> strings(Object value) {
    if (value instanceof JsonArray array) {
      return array.stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }
    return List.of();
  }
}
