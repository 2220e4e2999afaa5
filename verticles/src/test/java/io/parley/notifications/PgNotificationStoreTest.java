package io.parley.notifications;

import io.parley.notifications.NotificationStore.Notification;
import io.parley.shared.Await;
import io.parley.shared.MutableClock;
import io.parley.shared.PgSchema;
import io.parley.shared.TestPostgres;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PgNotificationStore} against the {@link NotificationStore} contract on a real Postgres
 * (see {@link TestPostgres}), each test in a fresh schema built by the real migrations; a peer
 * is another pool on the same schema, as another node would have. Plus what only the database
 * shows: the NOTIFY that lets other processes follow the stream.
 */
class PgNotificationStoreTest extends NotificationStoreContract {

  @RegisterExtension
  static final TestPostgres.Fixture postgres = new TestPostgres.Fixture();

  private PgSchema schema;

  @Override
  protected NotificationStore createStore(MutableClock clock, NotificationsOptions options) {
    schema = postgres.freshSchema();
    return createPeer(null, clock, options);
  }

  @Override
  protected NotificationStore createPeer(NotificationStore store, MutableClock clock, NotificationsOptions options) {
    return new PgNotificationStore(postgres.pool(), clock, options, io.parley.shared.FailureLog.fallback());
  }

  @Test
  void a_listen_connection_hears_every_stored_notification_with_its_id_and_topic() throws Exception {
    LinkedBlockingQueue<JsonObject> heard = new LinkedBlockingQueue<>();
    PgConnection listener = Await.result(PgConnection.connect(postgres.vertx(), schema.connectOptions()));
    try {
      listener.notificationHandler(n -> {
        if (n.getChannel().equals("parley_notifications")) {
          heard.add(new JsonObject(n.getPayload()));
        }
      });
      Await.result(listener.query("LISTEN parley_notifications").execute());
      String origin = java.util.UUID.randomUUID().toString();
      Notification first = store("Pet", "{\"name\":\"Rex\"}", origin);
      Notification second = store("Order", "[1,2]", null);

      // other tests' schemas share the channel: keep what this test stored
      List<JsonObject> mine = new ArrayList<>();
      while (mine.size() < 2) {
        JsonObject next = heard.poll(5, TimeUnit.SECONDS);
        assertThat(next).as("a NOTIFY within 5 s").isNotNull();
        if (next.getLong("id") == first.id() && next.getString("topic").equals("Pet")
          || next.getLong("id") == second.id() && next.getString("topic").equals("Order")) {
          mine.add(next);
        }
      }
      assertThat(mine.get(0)).isEqualTo(new JsonObject().put("id", first.id()).put("topic", "Pet")
        .put("originSessionId", origin).put("createdAt", first.createdAt()));
      assertThat(mine.get(1).getValue("originSessionId")).isNull();
    } finally {
      Await.result(listener.close());
    }
  }

  @Test
  void a_publish_is_one_row_and_the_data_keeps_its_json_text() {
    store("Pet", "{\"b\":1,\"a\":[true,null]}", null);

    var rows = TestPostgres.rows(schema.schema(), "SELECT topic, data::text AS data FROM notifications");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).get("data")).isEqualTo("{\"b\":1,\"a\":[true,null]}");
  }
}
