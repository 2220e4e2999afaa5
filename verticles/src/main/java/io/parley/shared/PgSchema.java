package io.parley.shared;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import java.util.regex.Pattern;

/**
 * The Postgres side of a node: where it connects ({@code pg.uri}, {@code pg.schema}) and the
 * versioned migrations that build its tables ({@code conf/migrations/V<n>__<what>.sql}, in the
 * jar), run with Flyway once at node start, before any Postgres store is used.
 *
 * <p>Flyway records what it applied in {@code flyway_schema_history} and takes a Postgres
 * advisory lock while migrating, so nodes starting together migrate once; a migration that
 * was applied is never edited, a change is a new version.
 */
public final class PgSchema {

  /** Where the migrations are inside the jar. */
  public static final String LOCATION = "classpath:conf/migrations";
  public static final String DEFAULT_SCHEMA = "public";

  private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private final PgConnectOptions connect;
  private final String schema;

  private PgSchema(PgConnectOptions connect, String schema) {
    this.connect = connect;
    this.schema = schema;
  }

  /**
   * @param uri    {@code postgresql://user[:password]@host[:port]/database}
   * @param schema the schema the tables live in: lower-case letters, digits and underscores
   */
  public static PgSchema of(String uri, String schema) {
    if (schema == null || !SCHEMA_NAME.matcher(schema).matches()) {
      throw new IllegalArgumentException("pg.schema must be a lower-case identifier ([a-z_][a-z0-9_]*, at most 63), not " + schema);
    }
    PgConnectOptions connect;
    try {
      connect = PgConnectOptions.fromUri(uri);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("pg.uri is not a postgresql:// URI: " + e.getMessage(), e);
    }
    connect.setCachePreparedStatements(true)
      .addProperty("search_path", schema)
      .addProperty("application_name", "parley");
    return new PgSchema(connect, schema);
  }

  public String schema() {
    return schema;
  }

  /** A copy of the connection options: every connection uses {@link #schema()}. */
  public PgConnectOptions connectOptions() {
    return new PgConnectOptions(connect);
  }

  /** A pool whose connections use {@link #schema()}, for the stores. */
  public Pool pool(Vertx vertx, int maxSize) {
    return PgBuilder.pool()
      .with(new PoolOptions().setMaxSize(maxSize).setMaxWaitQueueSize(10_000))
      .connectingTo(connectOptions())
      .using(vertx)
      .build();
  }

  /** Where Flyway connects: the same server, database and user, over JDBC. */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase();
  }

  /**
   * Applies the migrations at {@code location} that this schema lacks, creating the schema if
   * needed; answers how many ran. Blocking (JDBC): call it from {@code executeBlocking}.
   */
  public int migrate(String location) {
    MigrateResult result = Flyway.configure()
      .dataSource(jdbcUrl(), connect.getUser(), connect.getPassword())
      .schemas(schema)
      .createSchemas(true)
      .locations(location)
      .load()
      .migrate();
    return result.migrationsExecuted;
  }

  @Override
  public String toString() {
    return connect.getUser() + "@" + connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase() + " schema " + schema;
  }
}
