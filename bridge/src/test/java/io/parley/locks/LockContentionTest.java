package io.parley.locks;

import io.parley.shared.TestPostgres;
import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Safety under contention, as the issue asks: two clustered nodes sharing one Postgres schema,
 * fifty tabs (25 users with a tab on each node) connected once and reused. Every round they all
 * ask for the same resource at the same moment: exactly one gets it. Then kicks race across the
 * nodes, answered or left to time out: every transfer happens once, logged once, in a chain.
 */
class LockContentionTest {

  private static final int TABS = 50;
  private static final int ROUNDS = 200;
  private static final int KICK_ROUNDS = 30;

  private static final List<TestNode> nodes = new ArrayList<>();
  private static final List<LockTab> tabs = new ArrayList<>();
  private static String schema;
  private static ExecutorService threads;

  @BeforeAll
  static void start() throws IOException {
    String cluster = "locks-" + UUID.randomUUID().toString().substring(0, 8);
    int[] ports = {TestNode.freePort(), TestNode.freePort()};
    // the cluster's nodes share a fresh Postgres schema of TestNode's, dropped with the last of them
    JsonObject config = new JsonObject()
      .put("locks", new JsonObject().put("kickTimeoutMs", 500).put("sweepMs", 20))
      .put("deployment", new JsonObject().put("locks", 2));
    for (int port : ports) {
      nodes.add(TestNode.startClustered(cluster, port, TestNode.members(ports), config));
    }
    schema = nodes.get(0).schema();
    threads = Executors.newFixedThreadPool(TABS);
    List<Future<LockTab>> opened = new ArrayList<>();
    for (int i = 0; i < TABS; i++) {
      TestNode node = nodes.get(i % 2);
      String user = "user-" + (i / 2);
      opened.add(threads.submit(() -> new LockTab(node, user)));
    }
    for (Future<LockTab> tab : opened) {
      tabs.add(get(tab));
    }
  }

  @AfterAll
  static void stop() {
    tabs.forEach(LockTab::close);
    if (threads != null) {
      threads.shutdownNow();
    }
    nodes.forEach(TestNode::close);
  }

  @Test
  void fifty_tabs_on_two_nodes_acquiring_at_once_leave_exactly_one_holder_each_round() throws Exception {
    String resource = "doc:contended";
    Set<String> winners = new HashSet<>();
    for (int round = 0; round < ROUNDS; round++) {
      long seq = round;
      List<JsonObject> replies = all(tab -> tab.acquire(resource, seq));

      List<JsonObject> granted = replies.stream().filter(r -> r.getBoolean("okToEdit")).toList();
      assertThat(granted).as("round " + round + ": tabs told okToEdit").hasSize(1);
      String winner = granted.get(0).getJsonObject("holder").getString("sessionId");
      assertThat(replies).as("round " + round + ": everyone sees the same holder").allSatisfy(r -> {
        assertThat(r.getJsonObject("holder").getString("sessionId")).isEqualTo(winner);
        assertThat(r.getLong("seq")).isEqualTo(seq);
      });
      assertThat(TestPostgres.rows(schema, "SELECT session_token FROM connections WHERE resource = '" + resource + "'"))
        .as("round " + round + ": in the database").containsExactly(Map.of("session_token", winner));
      winners.add(winner);

      LockTab holder = tabs.stream().filter(t -> t.sessionId.equals(winner)).findFirst().orElseThrow();
      assertThat(holder.release(resource).getValue("holder")).isNull();
    }
    assertThat(winners).as("different tabs win over 200 rounds").hasSizeGreaterThan(1);
    assertThat(TestPostgres.count(schema, "connections")).isZero();
  }

  @Test
  void kicks_racing_across_the_nodes_transfer_the_lock_exactly_once_each() throws Exception {
    String resource = "project-version:4";
    LockTab holder = tabs.get(0);
    assertThat(holder.acquire(resource).getBoolean("okToEdit")).isTrue();
    List<String> chain = new ArrayList<>(List.of(holder.sessionId));
    List<Integer> receipts = new ArrayList<>();

    for (int round = 0; round < KICK_ROUNDS; round++) {
      LockTab current = holder;
      List<LockTab> kickers = tabs.stream().filter(t -> t != current).toList();
      List<Integer> codes = all(kickers, tab -> {
        try {
          return tab.client.request("locks.kick", new JsonObject().put("resource", resource)).getInteger("receiptNumber");
        } catch (BridgeClient.BridgeError e) {
          return -e.code;
        }
      });
      List<Integer> accepted = codes.stream().filter(c -> c > 0).toList();
      assertThat(accepted).as("round " + round + ": one kick pending at a time").hasSize(1);
      assertThat(codes.stream().filter(c -> c < 0).distinct().toList()).as("the others: 409").containsOnly(-409);
      int receipt = accepted.get(0);
      LockTab kicker = kickers.get(codes.indexOf(receipt));

      JsonObject asked = holder.next("lock.kick-requested");
      assertThat(asked.getInteger("receiptNumber")).isEqualTo(receipt);
      String reason;
      if (round % 2 == 0) {
        // on a loaded machine the deadline's sweep may settle the kick first: the answer then finds nothing (404)
        assertThat(holder.answerCode(receipt, true)).as("round " + round + ": answered in time, or after the sweep").isIn(0, 404);
        reason = "consent";
      } else {
        reason = "timeout"; // no answer: the deadline sweep of either node moves it
      }

      JsonObject granted = kicker.next("lock.granted");
      assertThat(granted.getInteger("receiptNumber")).isEqualTo(receipt);
      if (reason.equals("consent")) {
        // an answer that loses the race with the deadline counts as none: either way, one transfer
        assertThat(granted.getString("reason")).isIn("consent", "timeout");
      } else {
        assertThat(granted.getString("reason")).isEqualTo("timeout");
      }
      JsonObject lost = holder.next("lock.lost");
      assertThat(lost.getInteger("receiptNumber")).isEqualTo(receipt);
      assertThat(kicker.status(resource).getBoolean("okToEdit")).isTrue();
      chain.add(kicker.sessionId);
      receipts.add(receipt);
      holder = kicker;
    }

    List<Map<String, String>> log = TestPostgres.rows(schema, "SELECT old_session_token, new_session_token, receipt_number "
      + "FROM connection_kickoffs WHERE resource = '" + resource + "' ORDER BY id");
    assertThat(log).as("one kick-off per transfer").hasSize(KICK_ROUNDS);
    for (int i = 0; i < KICK_ROUNDS; i++) {
      assertThat(log.get(i).get("old_session_token")).isEqualTo(chain.get(i));
      assertThat(log.get(i).get("new_session_token")).isEqualTo(chain.get(i + 1));
      assertThat(Integer.parseInt(log.get(i).get("receipt_number"))).isEqualTo(receipts.get(i));
    }
    assertThat(TestPostgres.count(schema, "lock_kicks")).as("no kick left pending").isZero();
    // every tab's events were taken above; a duplicated transfer would have left a second one
    LockTab last = holder;
    assertThat(last.release(resource).getValue("holder")).isNull();
    for (LockTab tab : tabs) {
      assertThat(tab.pendingEvents()).as("events left for " + tab.sessionId).isEmpty();
    }
  }

  private static <T> List<T> all(ThrowingFunction<LockTab, T> request) throws Exception {
    return all(tabs, request);
  }

  /** {@code request} from every tab at once (each on its own thread, released together), in tab order. */
  private static <T> List<T> all(List<LockTab> from, ThrowingFunction<LockTab, T> request) throws Exception {
    CyclicBarrier together = new CyclicBarrier(from.size());
    List<Callable<T>> calls = IntStream.range(0, from.size()).<Callable<T>>mapToObj(i -> () -> {
      together.await(10, TimeUnit.SECONDS);
      return request.apply(from.get(i));
    }).toList();
    List<T> results = new ArrayList<>();
    for (Future<T> result : threads.invokeAll(calls, 60, TimeUnit.SECONDS)) {
      results.add(get(result));
    }
    return results;
  }

  private static <T> T get(Future<T> future) {
    try {
      return future.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e.getCause() != null ? e.getCause() : e);
    }
  }

  @FunctionalInterface
  private interface ThrowingFunction<A, B> {
    B apply(A a) throws Exception;
  }
}
