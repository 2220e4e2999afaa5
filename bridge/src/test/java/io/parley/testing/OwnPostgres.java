package io.parley.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Postgres server of the test's own, on a free loopback port with trust auth and a {@code test}
 * database, for tests that crash it: the shared one on 5432 serves every other test. Built
 * from the Debian server binaries ({@code /usr/lib/postgresql/<version>/bin}, what
 * {@code bin/services} installs) in a temporary directory; run as the {@code postgres} OS
 * user when the tests run as root, since {@code initdb} and {@code postgres} refuse root.
 */
public final class OwnPostgres implements AutoCloseable {

  private static final Path VERSIONS = Path.of("/usr/lib/postgresql");
  private static final long COMMAND_SECONDS = 60;

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final int port;

  private OwnPostgres(Path bin, Path dir, int port) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
  }

  /** Initializes a cluster, starts it and creates the {@code test} database. */
  public static OwnPostgres start() {
    Path bin = serverBinaries();
    Path dir;
    try {
      dir = Files.createTempDirectory("parley-pg-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    OwnPostgres postgres = new OwnPostgres(bin, dir, TestNode.freePort());
    try {
      if (asRoot()) {
        run(List.of("chown", "postgres:postgres", dir.toString()));
      }
      postgres.asServerUser(postgres.bin.resolve("initdb").toString(), "-D", postgres.data.toString(), "-U", "postgres",
        "--auth=trust", "--encoding=UTF8", "--no-sync");
      postgres.startAgain();
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + postgres.port + "/postgres", "postgres", "");
           Statement statement = c.createStatement()) {
        statement.execute("CREATE DATABASE test");
      }
      return postgres;
    } catch (RuntimeException | SQLException e) {
      postgres.close();
      throw new AssertionError("could not start a Postgres of the test's own with " + bin + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return port;
  }

  /** {@code postgresql://postgres@127.0.0.1:<port>/test}, for {@code pg.uri}. */
  public String uri() {
    return "postgresql://postgres@127.0.0.1:" + port + "/test";
  }

  /** Kills the server as a crash would ({@code pg_ctl stop -m immediate}): no shutdown, connections cut. */
  public void crash() {
    pgCtl("stop", "-m", "immediate");
  }

  /** Starts the server on the same port and data directory, and returns once it accepts connections. */
  public void startAgain() {
    pgCtl("start", "-w", "-t", "30", "-l", dir.resolve("server.log").toString(),
      "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off");
  }

  @Override
  public void close() {
    try {
      if (Files.exists(data.resolve("postmaster.pid"))) {
        crash();
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException ignored) {
        // a temporary directory left behind is harmless
      }
    }
  }

  private void pgCtl(String... arguments) {
    List<String> command = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString()));
    command.addAll(List.of(arguments));
    asServerUser(command.toArray(String[]::new));
  }

  private void asServerUser(String... command) {
    List<String> full = new ArrayList<>();
    if (asRoot()) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(List.of(command));
    run(full);
  }

  private static void run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes());
      if (!process.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish in " + COMMAND_SECONDS + " s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed (" + process.exitValue() + "): " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean asRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** The newest installed server version's binaries. */
  private static Path serverBinaries() {
    try (Stream<Path> versions = Files.list(VERSIONS)) {
      return versions.map(version -> version.resolve("bin"))
        .filter(bin -> Files.isExecutable(bin.resolve("pg_ctl")) && Files.isExecutable(bin.resolve("initdb")))
        .max(Comparator.comparing(bin -> Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("\\D", "0"))))
        .orElseThrow(() -> new AssertionError("no Postgres server binaries under " + VERSIONS + "; run bin/services"));
    } catch (IOException e) {
      throw new AssertionError("no Postgres server binaries under " + VERSIONS + " (" + e.getMessage() + "); run bin/services", e);
    }
  }
}
