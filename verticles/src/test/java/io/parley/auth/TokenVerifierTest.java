package io.parley.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Production keys: RS256 from a PEM public key, ES256 from a JWKS file; HS256 for development. */
class TokenVerifierTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void rs256_tokens_are_verified_with_a_pem_public_key_file() throws Exception {
    KeyPair keys = generate("RSA", null);
    Path pem = Files.createTempFile("parley-rs256", ".pem");
    Files.writeString(pem, pem("PUBLIC KEY", keys.getPublic().getEncoded()));
    TokenVerifier verifier = TokenVerifier.create(vertx,
      new AuthOptions.JwtKeyOptions("RS256", null, null, pem.toString(), null, null, null));

    String token = signer("RS256", pem("PRIVATE KEY", keys.getPrivate().getEncoded()))
      .generateToken(claims("ann"), new JWTOptions().setAlgorithm("RS256").setExpiresInSeconds(60));
    TokenVerifier.Claims claims = verifier.verify(token).await(10, TimeUnit.SECONDS);

    assertThat(claims.userId()).isEqualTo("ann");
    assertThat(claims.boards()).containsExactly("42");
    assertThat(claims.expiresAt()).isGreaterThan(System.currentTimeMillis());
    Files.delete(pem);
  }

  @Test
  void es256_tokens_are_verified_with_a_jwks_file_and_other_keys_are_refused() throws Exception {
    KeyPair keys = generate("EC", new ECGenParameterSpec("secp256r1"));
    ECPublicKey pub = (ECPublicKey) keys.getPublic();
    JsonObject jwk = new JsonObject().put("kty", "EC").put("crv", "P-256").put("alg", "ES256").put("use", "sig").put("kid", "k1")
      .put("x", coordinate(pub.getW().getAffineX())).put("y", coordinate(pub.getW().getAffineY()));
    Path jwks = Files.createTempFile("parley-jwks", ".json");
    Files.writeString(jwks, new JsonObject().put("keys", new JsonArray().add(jwk)).encode());
    TokenVerifier verifier = TokenVerifier.create(vertx,
      new AuthOptions.JwtKeyOptions("ES256", null, null, null, jwks.toString(), null, null));

    String token = signer("ES256", pem("PRIVATE KEY", keys.getPrivate().getEncoded()))
      .generateToken(claims("bob"), new JWTOptions().setAlgorithm("ES256").setHeader(new JsonObject().put("kid", "k1")).setExpiresInSeconds(60));
    assertThat(verifier.verify(token).await(10, TimeUnit.SECONDS).userId()).isEqualTo("bob");

    KeyPair stranger = generate("EC", new ECGenParameterSpec("secp256r1"));
    String forged = signer("ES256", pem("PRIVATE KEY", stranger.getPrivate().getEncoded()))
      .generateToken(claims("bob"), new JWTOptions().setAlgorithm("ES256").setHeader(new JsonObject().put("kid", "k1")).setExpiresInSeconds(60));
    assertThatThrownBy(() -> verifier.verify(forged).await(10, TimeUnit.SECONDS))
      .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(401));
    Files.delete(jwks);
  }

  @Test
  void a_token_signed_with_another_secret_or_with_a_bad_subject_is_refused() {
    TokenVerifier verifier = TokenVerifier.create(vertx, hs256("the-server-secret-that-is-long-enough!"));
    TokenVerifier other = TokenVerifier.create(vertx, hs256("someone-elses-secret-that-is-long-enough"));
    assertThatThrownBy(() -> verifier.verify(other.sign(claims("ann"), 60)).await(10, TimeUnit.SECONDS))
      .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(401));
    assertThatThrownBy(() -> verifier.verify(verifier.sign(claims("-ann"), 60)).await(10, TimeUnit.SECONDS))
      .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.getMessage()).contains("not starting or ending with '-'"));
  }

  private static AuthOptions.JwtKeyOptions hs256(String secret) {
    return new AuthOptions.JwtKeyOptions("HS256", secret, null, null, null, null, null);
  }

  private JWTAuth signer(String algorithm, String privatePem) {
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(privatePem)));
  }

  private static JsonObject claims(String sub) {
    return new JsonObject().put("sub", sub).put("name", sub).put("boards", new JsonArray().add("42"));
  }

  private static KeyPair generate(String algorithm, ECGenParameterSpec curve) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
    if (curve != null) {
      generator.initialize(curve);
    } else {
      generator.initialize(2048);
    }
    return generator.generateKeyPair();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  /** A P-256 coordinate as JWK wants it: 32 bytes, unsigned, base64url. */
  private static String coordinate(java.math.BigInteger value) {
    byte[] raw = value.toByteArray();
    byte[] fixed = new byte[32];
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, fixed, 32 - copy, copy);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(fixed);
  }
}
