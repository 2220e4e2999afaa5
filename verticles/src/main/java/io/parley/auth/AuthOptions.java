package io.parley.auth;

import io.vertx.core.json.JsonObject;

/**
 * The {@code auth} section of the configuration, read once at start.
 *
 * <pre>
 * "auth": {
 *   "timeoutMs": 5000,           // a socket must authenticate within this or is closed
 *   "devTokens": true,           // POST /auth/dev-token (never in production)
 *   "sessionTtlMs": 86400000,    // a sessionId unused this long is forgotten
 *   "jwt": {"algorithm": "HS256", "secret": "...", "publicKey": null, "publicKeyFile": null,
 *           "jwksFile": null, "issuer": null, "audience": null}
 * }
 * </pre>
 */
public record AuthOptions(long timeoutMs, boolean devTokens, long sessionTtlMs, JwtKeyOptions jwt) {

  public static final long DEFAULT_TIMEOUT_MS = 5000;
  public static final long DEFAULT_SESSION_TTL_MS = 24 * 3600 * 1000L;
  /** The secret conf/default.json ships; a node with dev tokens off refuses to start with it. */
  public static final String DEV_SECRET = "parley-dev-secret-change-me-0123456789abcdef";

  public AuthOptions {
    if (timeoutMs <= 0) {
      throw new IllegalArgumentException("auth.timeoutMs must be positive");
    }
    if (sessionTtlMs <= 0) {
      throw new IllegalArgumentException("auth.sessionTtlMs must be positive");
    }
  }

  public static AuthOptions fromConfig(JsonObject auth) {
    JsonObject json = auth == null ? new JsonObject() : auth;
    return new AuthOptions(
      json.getLong("timeoutMs", DEFAULT_TIMEOUT_MS),
      json.getBoolean("devTokens", false),
      json.getLong("sessionTtlMs", DEFAULT_SESSION_TTL_MS),
      JwtKeyOptions.fromConfig(json.getJsonObject("jwt", new JsonObject())));
  }

  /**
   * How tokens are verified: an HS256 secret (development), or RS256/ES256 public keys from
   * a PEM (inline or file) or a JWKS file (production).
   */
  public record JwtKeyOptions(String algorithm, String secret, String publicKey, String publicKeyFile,
                              String jwksFile, String issuer, String audience) {

    public static JwtKeyOptions fromConfig(JsonObject json) {
      return new JwtKeyOptions(
        json.getString("algorithm", "HS256"),
        json.getString("secret"),
        json.getString("publicKey"),
        json.getString("publicKeyFile"),
        json.getString("jwksFile"),
        json.getString("issuer"),
        json.getString("audience"));
    }

    public boolean usesDevSecret() {
      return jwksFile == null && publicKey == null && publicKeyFile == null
        && (secret == null || DEV_SECRET.equals(secret));
    }
  }
}
