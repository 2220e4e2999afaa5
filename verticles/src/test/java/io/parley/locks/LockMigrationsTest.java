package io.parley.locks;

import io.parley.shared.PgSchema;
import io.parley.shared.TestPostgres;
import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The migrations after V3 on databases as they are in the field: every one that ran V2 got the
 * web demo's project templates and versions. V4 takes them away where that loses nothing (the
 * tables hold exactly the demo's rows) and leaves a host application's data alone; V5 makes
 * the lock tables say what their names mean. Each test migrates a fresh schema up to V3, does
 * what a host might have done, then starts the way a node does (every migration left).
 */
class LockMigrationsTest {

  private final PgSchema schema = PgSchema.of(TestPostgres.URI, TestPostgres.freshSchemaName());

  @AfterEach
  void drop() {
    TestPostgres.dropSchema(schema.schema());
  }

  @Test
  void a_database_with_only_the_demo_rows_loses_them_and_their_tables() {
    migrateTo("3");
    assertThat(TestPostgres.count(schema.schema(), "project_versions")).as("V2's demo rows").isEqualTo(5);

    schema.migrate(TestPostgres.migrations());

    assertThat(tables()).doesNotContain("project_versions", "project_templates").contains("connections", "lock_kicks");
  }

  @Test
  void project_tables_a_host_application_wrote_to_are_kept_as_they_are() {
    migrateTo("3");
    TestPostgres.execute(schema.schema(), "INSERT INTO project_versions (id, template_id, name) VALUES (7, 1, 'Spring sale')");
    TestPostgres.execute(schema.schema(), "UPDATE project_templates SET name = 'Website relaunch' WHERE id = 1");

    schema.migrate(TestPostgres.migrations());

    assertThat(TestPostgres.count(schema.schema(), "project_versions")).isEqualTo(6);
    assertThat(TestPostgres.rows(schema.schema(), "SELECT name FROM project_templates WHERE id = 1").get(0).get("name"))
      .isEqualTo("Website relaunch");
  }

  @Test
  void project_tables_another_table_points_at_are_kept_and_the_node_still_starts() {
    migrateTo("3");
    TestPostgres.execute(schema.schema(), "CREATE TABLE host_documents (id bigint PRIMARY KEY, "
      + "version_id bigint REFERENCES project_versions (id))");

    assertThat(schema.migrate(TestPostgres.migrations())).as("V4 and V5 ran").isEqualTo(2);

    assertThat(tables()).contains("project_versions", "project_templates", "host_documents");
    assertThat(TestPostgres.count(schema.schema(), "project_versions")).isEqualTo(5);
  }

  @Test
  void the_lock_tables_say_that_a_connection_is_a_held_lock_and_a_session_token_a_tab() {
    schema.migrate(TestPostgres.migrations());

    assertThat(description("obj_description('connections'::regclass, 'pg_class')"))
      .contains("Held edit locks").contains("not client connections");
    assertThat(description("col_description('connections'::regclass, 2)"))
      .as("session_token").contains("sessionId").contains("not a credential");
  }

  private void migrateTo(String version) {
    PgConnectOptions connect = schema.connectOptions();
    Flyway.configure()
      .dataSource(schema.jdbcUrl(), connect.getUser(), connect.getPassword())
      .schemas(schema.schema())
      .createSchemas(true)
      .locations(TestPostgres.migrations())
      .target(version)
      .load()
      .migrate();
  }

  private java.util.List<String> tables() {
    return TestPostgres.rows(schema.schema(), "SELECT tablename FROM pg_tables WHERE schemaname = '" + schema.schema() + "'")
      .stream().map(row -> row.get("tablename")).toList();
  }

  private String description(String expression) {
    return TestPostgres.rows(schema.schema(), "SELECT " + expression + " AS d").get(0).get("d");
  }
}
