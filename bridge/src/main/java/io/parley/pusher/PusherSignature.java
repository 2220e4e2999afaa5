package io.parley.pusher;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Pusher's signatures ({@code docs/pusher.md}): lower-case hex of HMAC-SHA256 with the app's
 * secret, over a string each use defines (a channel authorization, a sign-in, an API request, a
 * webhook body). Checked in constant time, so how long a check takes tells nothing of how much
 * of a forged signature was right.
 */
public final class PusherSignature {

  private PusherSignature() {
  }

  /** {@code hex(HMAC-SHA256(secret, text))}. */
  public static String sign(String secret, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JVM", e);
    }
  }

  /** Whether {@code presented} is the signature of {@code text}; null or malformed is false. */
  public static boolean verify(String secret, String text, String presented) {
    if (presented == null) {
      return false;
    }
    byte[] expected = sign(secret, text).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A channel authorization or sign-in, {@code <key>:<signature>}: true when the key is the
   * app's and the signature is the app's signature of {@code text}.
   */
  public static boolean verifyAuth(PusherApp app, String text, String auth) {
    if (auth == null) {
      return false;
    }
    int colon = auth.indexOf(':');
    // the key is public, comparing it plainly leaks nothing; the signature is compared in constant time
    return colon > 0 && auth.substring(0, colon).equals(app.key()) && verify(app.secret(), text, auth.substring(colon + 1));
  }
}
