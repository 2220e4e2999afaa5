package io.parley.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A certificate authority, a server certificate for 127.0.0.1 and a client certificate, all PEM,
 * made with the {@code openssl} command in a fresh directory: real certificates for TLS tests,
 * valid for a day.
 */
public record TestCertificates(Path dir) {

  public static TestCertificates create() {
    try {
      Path dir = Files.createTempDirectory("parley-certs");
      Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
      openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1",
        "-subj", "/CN=parley-test-ca");
      for (String name : new String[]{"server", "client"}) {
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
          "-subj", "/CN=parley-test-" + name);
        openssl(dir, "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
          "-out", name + ".pem", "-days", "1", "-extfile", "server.ext");
      }
      return new TestCertificates(dir);
    } catch (Exception e) {
      throw new IllegalStateException("could not make test certificates with openssl: " + e.getMessage(), e);
    }
  }

  public String file(String name) {
    return dir.resolve(name).toString();
  }

  /** A TLS socket to {@code port} on loopback that trusts the CA and presents the client certificate, or none. */
  public Socket connect(Vertx vertx, int port, boolean withClientCertificate) throws Exception {
    KeyManager[] keys = withClientCertificate
      ? new PemKeyCertOptions().setCertPath(file("client.pem")).setKeyPath(file("client.key")).getKeyManagerFactory(vertx).getKeyManagers()
      : null;
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keys, new PemTrustOptions().addCertPath(file("ca.pem")).getTrustManagerFactory(vertx).getTrustManagers(), null);
    javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
    socket.startHandshake();
    return socket;
  }

  /** Removes the directory and everything in it. */
  public void delete() {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void openssl(Path dir, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
      .redirectOutput(dir.resolve("openssl.log").toFile()).start();
    if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(dir.resolve("openssl.log")));
    }
  }
}
