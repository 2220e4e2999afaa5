package io.parley.pusher;

import io.parley.shared.Failure;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The check of a signed Pusher HTTP API request ({@code docs/pusher-http-api.md}): the app's
 * {@code auth_key}, {@code auth_version=1.0}, an {@code auth_timestamp} within
 * {@link #MAX_SKEW_SECONDS} of this node's clock, the {@code body_md5} of a body, and
 * {@code auth_signature}, the app's HMAC-SHA256 of {@code METHOD\npath\nquery}, where the query
 * is every other parameter, keys lower-cased, sorted by key and joined {@code k=v&k=v}. Parley
 * sorts itself: a client may send the parameters in any order (the Java SDK sends them in hash
 * order).
 */
final class SignedRequest {

  /** How far a request's timestamp may be from this node's clock, either way (Pusher's 600 s). */
  static final long MAX_SKEW_SECONDS = 600;

  private SignedRequest() {
  }

  /**
   * Fails with 401 (wrong key, version, timestamp, body digest or signature) or 400 (a
   * parameter given twice, a malformed path) unless the request is signed by {@code app}.
   *
   * @param rawPath the path as sent, percent-escapes and all: it is signed decoded
   */
  static void verify(PusherApp app, String method, String rawPath, MultiMap query, Buffer body, Clock clock) {
    Map<String, String> params = new TreeMap<>();
    for (String name : query.names()) {
      if (query.getAll(name).size() > 1) {
        throw Failure.badRequest("query parameter " + name + " is given more than once");
      }
      String key = name.toLowerCase(Locale.ROOT);
      if (params.put(key, query.get(name)) != null) {
        throw Failure.badRequest("query parameter " + key + " is given more than once");
      }
    }
    String signature = params.remove("auth_signature");
    if (!app.key().equals(params.get("auth_key"))) {
      throw Failure.unauthenticated("auth_key must be the key of app " + app.id());
    }
    if (!"1.0".equals(params.get("auth_version"))) {
      throw Failure.unauthenticated("auth_version must be 1.0");
    }
    checkTimestamp(params.get("auth_timestamp"), clock);
    if (body != null && body.length() > 0 && !md5Hex(body).equals(params.get("body_md5"))) {
      throw Failure.unauthenticated("body_md5 must be the lower-case hex MD5 of the body");
    }
    String signed = method + "\n" + decodedPath(rawPath) + "\n" + params.entrySet().stream()
      .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("&"));
    if (!PusherSignature.verify(app.secret(), signed, signature)) {
      // what was to be signed is no secret, and says what a client got wrong
      throw Failure.unauthenticated("Invalid signature: expected the hex HMAC-SHA256 with the app's secret of "
        + signed.replace("\n", "\\n"));
    }
  }

  private static void checkTimestamp(String timestamp, Clock clock) {
    long now = clock.millis() / 1000;
    long given;
    try {
      given = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      throw Failure.unauthenticated("auth_timestamp must be the time in seconds since the epoch");
    }
    if (Math.abs(now - given) > MAX_SKEW_SECONDS) {
      throw Failure.unauthenticated("Timestamp expired: auth_timestamp " + given + " is not within "
        + MAX_SKEW_SECONDS + " s of the server's time " + now);
    }
  }

  /** The path as the SDKs sign it: percent-escapes decoded, {@code +} left as it is. */
  private static String decodedPath(String rawPath) {
    try {
      return URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw Failure.badRequest("the path holds a malformed percent-escape");
    }
  }

  static String md5Hex(Buffer body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is part of every JVM", e);
    }
  }
}
