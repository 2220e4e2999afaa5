package io.parley.bridge;

import io.vertx.core.json.JsonObject;

/**
 * The {@code http} and {@code api} sections: where the node listens, and the keys that
 * server-side callers of {@code /api/...} present as {@code Authorization: Bearer <key>}, and
 * services in {@code auth.authenticate {apiKey}} ({@link ApiKeys}).
 */
public record HttpOptions(int port, String host, String publicUrl, ApiKeys apiKeys) {

  /** The key conf/default.json documents for development; refused when dev tokens are off. */
  public static final String DEV_API_KEY = "dev-api-key";

  public HttpOptions {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("http.port must be 0..65535");
    }
  }

  public static HttpOptions fromConfig(JsonObject http, JsonObject api) {
    JsonObject h = http == null ? new JsonObject() : http;
    return new HttpOptions(
      h.getInteger("port", 8080),
      h.getString("host", "0.0.0.0"),
      h.getString("publicUrl", ""),
      ApiKeys.fromConfig(api == null ? null : api.getJsonArray("keys")));
  }
}
