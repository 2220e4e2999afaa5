package io.parley.locks;

import io.parley.shared.PgSchema;
import io.parley.shared.TestPostgres;
import io.parley.locks.LockStore.Kick;
import io.parley.shared.Await;
import io.parley.shared.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PgLockStore} against the {@link LockStore} contract on a real Postgres (see
 * {@link TestPostgres}), each test in a fresh schema built by the real migrations; a peer is
 * another pool on the same schema, as another node would have. Plus what only the database
 * can show: the kick-off log refuses changes and the table refuses a second holder by itself.
 */
class PgLockStoreTest extends LockStoreContract {

  @RegisterExtension
  static final TestPostgres.Fixture postgres = new TestPostgres.Fixture();

  private PgSchema schema;

  @Override
  protected LockStore createStore(MutableClock clock, LocksOptions options) {
    schema = postgres.freshSchema();
    return createPeer(null, clock, options);
  }

  @Override
  protected LockStore createPeer(LockStore store, MutableClock clock, LocksOptions options) {
    return new PgLockStore(postgres.pool(), clock, options, io.parley.shared.FailureLog.fallback());
  }

  @Test
  void the_kickoff_log_refuses_update_delete_and_truncate() {
    acquire(DOC, ann);
    Kick kick = kick(DOC, bob).kick();
    answer(kick.receiptNumber(), ann, true);
    String s = schema.schema();
    var before = TestPostgres.rows(s, "SELECT * FROM connection_kickoffs");
    assertThat(before).hasSize(1);

    for (String change : List.of(
      "UPDATE connection_kickoffs SET new_session_token = old_session_token",
      "UPDATE connection_kickoffs SET kicker_user_id = 'mallory' WHERE false",
      "DELETE FROM connection_kickoffs",
      "DELETE FROM connection_kickoffs WHERE id = -1",
      "TRUNCATE connection_kickoffs")) {
      assertThatThrownBy(() -> TestPostgres.executeOrThrow(s, change)).as(change)
        .isInstanceOfSatisfying(SQLException.class, e -> {
          assertThat(e.getSQLState()).isEqualTo("P0001");
          assertThat(e.getMessage()).contains("connection_kickoffs is append-only")
            .contains(change.substring(0, change.indexOf(' ')));
        });
    }

    assertThat(TestPostgres.rows(s, "SELECT * FROM connection_kickoffs")).isEqualTo(before);
    TestPostgres.execute(s, "INSERT INTO connection_kickoffs (kicker_user_id, receiver_user_id, connection_id, resource, "
      + "receipt_number, old_session_token, new_session_token, created) SELECT kicker_user_id, receiver_user_id, "
      + "connection_id, resource, receipt_number, old_session_token, new_session_token, created FROM connection_kickoffs");
    assertThat(TestPostgres.count(s, "connection_kickoffs")).as("appending still works").isEqualTo(2);
  }

  @Test
  void the_table_itself_refuses_a_second_holder_of_a_resource() {
    acquire(DOC, ann);

    assertThatThrownBy(() -> TestPostgres.executeOrThrow(schema.schema(), "INSERT INTO connections "
      + "(session_token, user_id, resource, last_updated, created) VALUES (gen_random_uuid(), 'bob', 'doc:1', now(), now())"))
      .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23505"));
    assertThat(TestPostgres.count(schema.schema(), "connections")).isEqualTo(1);
  }

  @Test
  void times_are_the_store_clock_not_the_database_clock() {
    acquire(DOC, ann);

    String stored = TestPostgres.rows(schema.schema(),
      "SELECT (extract(epoch FROM last_updated) * 1000)::bigint AS ms FROM connections").get(0).get("ms");

    assertThat(Long.parseLong(stored)).isEqualTo(MutableClock.DEFAULT_START_MILLIS);
    assertThat(Instant.ofEpochMilli(MutableClock.DEFAULT_START_MILLIS)).isBefore(Instant.now().minusSeconds(3600));
  }

  @Test
  void the_migrations_are_recorded_and_running_them_again_does_nothing() {
    List<String> versions = TestPostgres.rows(schema.schema(),
      "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank").stream().map(r -> r.get("version")).toList();

    assertThat(versions).as("every V<n>__*.sql in conf/migrations, in order").containsExactly("1", "2", "3", "4", "5");
    assertThat(schema.migrate(TestPostgres.migrations())).isZero();
  }
}
