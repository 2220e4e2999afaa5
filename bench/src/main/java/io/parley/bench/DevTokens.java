package io.parley.bench;

import io.vertx.core.Vertx;
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
 * {@code sub}, {@code name}, {@code exp} (and the {@code iat} vertx-auth-jwt adds).
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
    try {
      JsonObject conf = new JsonObject(Files.readString(confFile));
      String secret = conf.getJsonObject("auth", new JsonObject()).getJsonObject("jwt", new JsonObject()).getString("secret");
      if (secret == null || secret.length() < 32) {
        throw new Args.UsageException(confFile + ": auth.jwt.secret is missing or shorter than 32 characters");
      }
      return secret;
    } catch (IOException e) {
      throw new Args.UsageException("cannot read " + confFile + " for auth.jwt.secret (--conf FILE or --secret S): " + e);
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
