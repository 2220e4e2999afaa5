package io.parley.testing;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One request to the Pusher HTTP API, signed as Pusher's reference describes (written here from
 * the reference, not from Parley's code, so a test can also sign it wrong on purpose): every
 * field can be spoiled to see the server refuse it.
 */
public final class SignedCall {

  public record Answer(int status, String contentType, String body) {
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final int port;
  private final String method;
  private final String path;
  private final Map<String, String> query = new LinkedHashMap<>();
  private String body;
  private String key = "parley-dev-key";
  private String secret = "parley-dev-pusher-secret";
  private long timestamp = System.currentTimeMillis() / 1000;
  private String bodyMd5;
  private String signature;

  private SignedCall(int port, String method, String path) {
    this.port = port;
    this.method = method;
    this.path = path;
  }

  public static SignedCall get(int port, String path) {
    return new SignedCall(port, "GET", path);
  }

  public static SignedCall post(int port, String path, String body) {
    SignedCall call = new SignedCall(port, "POST", path);
    call.body = body;
    return call;
  }

  public SignedCall param(String name, String value) {
    query.put(name, value);
    return this;
  }

  public SignedCall credentials(String key, String secret) {
    this.key = key;
    this.secret = secret;
    return this;
  }

  public SignedCall timestamp(long secondsSinceEpoch) {
    this.timestamp = secondsSinceEpoch;
    return this;
  }

  public SignedCall bodyMd5(String md5) {
    this.bodyMd5 = md5;
    return this;
  }

  public SignedCall signature(String signature) {
    this.signature = signature;
    return this;
  }

  public Answer send() {
    try {
      return sendSigned();
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " failed", e);
    }
  }

  private static String hmacSha256(String secret, String text) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(bytes(secret), "HmacSHA256"));
    return hex(mac.doFinal(bytes(text)));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private Answer sendSigned() throws Exception {
    Map<String, String> params = new TreeMap<>(query);
    params.put("auth_key", key);
    params.put("auth_timestamp", Long.toString(timestamp));
    params.put("auth_version", "1.0");
    if (body != null) {
      params.put("body_md5", bodyMd5 != null ? bodyMd5 : hex(MessageDigest.getInstance("MD5").digest(bytes(body))));
    }
    // the SDKs sign the path before it is percent-encoded
    String toSign = method + "\n" + URI.create(path).getPath() + "\n" + params.entrySet().stream()
      .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("&"));
    params.put("auth_signature", signature != null ? signature : hmacSha256(secret, toSign));
    String queryString = params.entrySet().stream()
      .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path + "?" + queryString))
      .timeout(Duration.ofSeconds(30));
    if (body != null) {
      request.method(method, HttpRequest.BodyPublishers.ofString(body)).header("content-type", "application/json");
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.headers().firstValue("content-type").orElse(""), response.body());
  }
}
