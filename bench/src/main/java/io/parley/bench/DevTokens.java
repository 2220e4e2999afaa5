package io.parley.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Tokens signed here with the nodes' HS256 secret, as {@code POST /auth/dev-token} would sign
 * them, so that a benchmark of 10,000 tabs does not start with 10,000 HTTP requests. Claims:
 * {@code sub}, {@code name}, {@code exp} (and the {@code iat} vertx-auth-jwt adds). Also where a
 * generator finds the dev API key a service presents ({@link #apiKey}) and the key of the Pusher
 * app its Pusher subscribers connect to ({@link #pusherKey}).
 */
final class DevTokens {

  private final JWTAuth jwt;
  private final int ttlSeconds;

  private DevTokens(JWTAuth jwt, int ttlSeconds) {
    this.jwt = jwt;
    this.ttlSeconds = ttlSeconds;
  }

  /**
   * The secret the nodes use: {@code PARLEY_AUTH_JWT_SECRET} when set (it overrides the
   * configuration there too), else {@code auth.jwt.secret} in {@code confFile}.
   */
  static String secret(Path confFile, Map<String, String> env) {
    String fromEnv = env.get("PARLEY_AUTH_JWT_SECRET");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    String secret = conf(confFile, "auth.jwt.secret (--conf FILE or --secret S)").getJsonObject("auth", new JsonObject())
      .getJsonObject("jwt", new JsonObject()).getString("secret");
    if (secret == null || secret.length() < 32) {
      throw new Args.UsageException(confFile + ": auth.jwt.secret is missing or shorter than 32 characters");
    }
    return secret;
  }

  /**
   * The API key a service authenticates with (docs/protocol.md, "Services"): the first of the
   * nodes' {@code api.keys}, from {@code PARLEY_API_KEYS} when set (a JSON array or
   * comma-separated, as the nodes read it), else from {@code confFile}. An entry is the key
   * itself or {@code {"id": …, "key": …}}.
   */
  static String apiKey(Path confFile, Map<String, String> env) {
    String fromEnv = env.get("PARLEY_API_KEYS");
    Object first;
    if (fromEnv != null && !fromEnv.isBlank()) {
      first = fromEnv.strip().startsWith("[") ? new JsonArray(fromEnv).getValue(0) : fromEnv.split(",")[0].strip();
    } else {
      JsonArray keys = conf(confFile, "api.keys (--conf FILE or --api-key K)").getJsonObject("api", new JsonObject()).getJsonArray("keys", new JsonArray());
      first = keys.isEmpty() ? null : keys.getValue(0);
    }
    String key = first instanceof JsonObject entry ? entry.getString("key") : first instanceof String s ? s : null;
    if (key == null || key.isBlank()) {
      throw new Args.UsageException(confFile + ": api.keys has no key (or give --api-key K)");
    }
    return key;
  }

  /**
   * The key of the nodes' first Pusher app (docs/pusher.md), as {@code /app/<key>} names it: from
   * {@code PARLEY_PUSHER_APPS} when set (a JSON array, as the nodes read it), else
   * {@code pusher.apps} in {@code confFile}.
   */
  static String pusherKey(Path confFile, Map<String, String> env) {
    String fromEnv = env.get("PARLEY_PUSHER_APPS");
    JsonArray apps = fromEnv != null && !fromEnv.isBlank() ? new JsonArray(fromEnv)
      : conf(confFile, "pusher.apps (--conf FILE or --pusher-key K)").getJsonObject("pusher", new JsonObject()).getJsonArray("apps", new JsonArray());
    Object first = apps.isEmpty() ? null : apps.getValue(0);
    String key = first instanceof JsonObject app ? app.getString("key") : null;
    if (key == null || key.isBlank()) {
      throw new Args.UsageException(confFile + ": pusher.apps has no app with a key (or give --pusher-key K)");
    }
    return key;
  }

  /** {@code confFile} parsed; a usage error naming {@code wanted} when it cannot be read. */
  private static JsonObject conf(Path confFile, String wanted) {
    try {
      return new JsonObject(Files.readString(confFile));
    } catch (IOException e) {
      throw new Args.UsageException("cannot read " + confFile + " for " + wanted + ": " + e);
    }
  }

  static DevTokens create(Vertx vertx, String secret, int ttlSeconds) {
    JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    return new DevTokens(jwt, ttlSeconds);
  }

  String sign(String userId, String name) {
    return jwt.generateToken(new JsonObject().put("sub", userId).put("name", name),
      new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(ttlSeconds));
  }
}
