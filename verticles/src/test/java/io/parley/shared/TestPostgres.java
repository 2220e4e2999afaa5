package io.parley.shared;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The real Postgres the Postgres tests run against: {@code postgresql://postgres@127.0.0.1:5432/test}
 * (what {@code bin/services} provides), or the {@code parley.pg.uri} system property. Not
 * reachable is a test failure that says how to provide one, never a skip: a skipped suite
 * would let a broken store pass the build.
 *
 * <p>Each test (or test class) gets a schema of its own, built by the real migrations, and
 * drops it afterwards; the tables' append-only trigger forbids the TRUNCATE a shared schema
 * would need between tests.
 */
public final class TestPostgres {

  public static final String URI = System.getProperty("parley.pg.uri", "postgresql://postgres@127.0.0.1:5432/test");

  /** A schema name no other test uses. */
  public static String freshSchemaName() {
    return "test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  /** A new schema built by the migrations in the source tree, or an AssertionError that says how to get Postgres. */
  public static PgSchema freshSchema() {
    PgSchema schema = PgSchema.of(URI, freshSchemaName());
    try {
      schema.migrate(migrations());
    } catch (RuntimeException e) {
      throw new AssertionError("Postgres is not usable at " + URI + " (" + e.getMessage() + "). The Postgres tests "
        + "need a real Postgres: run bin/services (127.0.0.1:5432, trust auth, database test) or point "
        + "-Dparley.pg.uri=postgresql://user@host:port/db at one.", e);
    }
    return schema;
  }

  /**
   * {@code filesystem:<repo>/conf/migrations}: the same scripts the jar carries on its classpath,
   * read from the source tree so that the test-jar does not carry a second copy.
   */
  public static String migrations() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("conf/migrations"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new AssertionError("conf/migrations not found above " + Path.of("").toAbsolutePath());
    }
    return "filesystem:" + dir.resolve("conf/migrations");
  }

  public static void dropSchema(String schema) {
    execute(PgSchema.DEFAULT_SCHEMA, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }

  /** Runs one statement in {@code schema} over JDBC; its SQL error is rethrown as is, for tests to inspect. */
  public static void executeOrThrow(String schema, String sql) throws SQLException {
    try (Connection c = connect(schema); Statement statement = c.createStatement()) {
      statement.execute(sql);
    }
  }

  public static void execute(String schema, String sql) {
    try {
      executeOrThrow(schema, sql);
    } catch (SQLException e) {
      throw new AssertionError(sql + " failed: " + e.getMessage(), e);
    }
  }

  /** The rows of a query in {@code schema}, each column name to its value as text. */
  public static List<Map<String, String>> rows(String schema, String sql) {
    try (Connection c = connect(schema); Statement statement = c.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
      List<Map<String, String>> rows = new ArrayList<>();
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 1; i <= columns; i++) {
          row.put(rs.getMetaData().getColumnLabel(i), rs.getString(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new AssertionError(sql + " failed: " + e.getMessage(), e);
    }
  }

  public static long count(String schema, String table) {
    return Long.parseLong(rows(schema, "SELECT count(*) AS n FROM " + table).get(0).get("n"));
  }

  /** Everything in the lock tables, to show that a refused request changed nothing. */
  public static Map<String, List<Map<String, String>>> lockTables(String schema) {
    Map<String, List<Map<String, String>>> tables = new LinkedHashMap<>();
    tables.put("connections", rows(schema, "SELECT * FROM connections ORDER BY id"));
    tables.put("lock_kicks", rows(schema, "SELECT * FROM lock_kicks ORDER BY receipt_number"));
    tables.put("connection_kickoffs", rows(schema, "SELECT * FROM connection_kickoffs ORDER BY id"));
    return tables;
  }

  /**
   * For Postgres store tests ({@code @RegisterExtension static final TestPostgres.Fixture}): a
   * Vert.x for the class, and per test a fresh schema and the pools opened on it, closed and
   * dropped after the test.
   */
  public static final class Fixture implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {
    private final List<Pool> pools = new ArrayList<>();
    private Vertx vertx;
    private PgSchema schema;

    @Override
    public void beforeAll(ExtensionContext context) {
      vertx = Vertx.vertx();
    }

    @Override
    public void afterEach(ExtensionContext context) {
      pools.forEach(pool -> Await.result(pool.close()));
      pools.clear();
      if (schema != null) {
        dropSchema(schema.schema());
        schema = null;
      }
    }

    @Override
    public void afterAll(ExtensionContext context) {
      Await.result(vertx.close());
    }

    /** A new schema built by the migrations, for this test. */
    public PgSchema freshSchema() {
      schema = TestPostgres.freshSchema();
      return schema;
    }

    /** The test's schema. */
    public PgSchema schema() {
      return schema;
    }

    /** Another pool on the test's schema, as one more node would have. */
    public Pool pool() {
      Pool pool = schema.pool(vertx, 4);
      pools.add(pool);
      return pool;
    }

    public Vertx vertx() {
      return vertx;
    }
  }

  private static Connection connect(String schema) throws SQLException {
    PgSchema target = PgSchema.of(URI, schema);
    Connection c = DriverManager.getConnection(target.jdbcUrl(), target.connectOptions().getUser(), target.connectOptions().getPassword());
    try (Statement statement = c.createStatement()) {
      statement.execute("SET search_path TO " + schema);
    }
    return c;
  }

  private TestPostgres() {
  }
}
