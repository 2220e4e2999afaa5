package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The browser tabs of one event loop, each on its own bridge socket, authenticated as its own
 * user with a locally signed dev token. A tab's socket is used only from this lane's loop.
 *
 * @param <T> the scenario's tab: what it keeps per tab besides the socket
 */
abstract class TabLane<T extends BridgeTab> extends VerticleBase {

  final BridgeTarget target;
  final Totals totals;
  final List<T> tabs = new ArrayList<>();
  private final List<Integer> indexes;
  private final DevTokens tokens;
  private final String userPrefix;
  WebSocketClient client;
  /** Set once the generator closes the tabs: a close from here on is not a drop. */
  boolean closing;

  /** Tab {@code i} authenticates as user {@code <userPrefix><i>}. */
  TabLane(BridgeTarget target, List<Integer> indexes, DevTokens tokens, String userPrefix, Totals totals) {
    this.target = target;
    this.indexes = indexes;
    this.tokens = tokens;
    this.userPrefix = userPrefix;
    this.totals = totals;
  }

  /** The scenario's tab of index {@code index}. */
  abstract T newTab(int index);

  /** Sets the handlers of a tab's fresh socket (errors, close), before it opens. */
  abstract void watch(T tab);

  /**
   * How often every open tab pings, as the client does: the bridge closes sockets silent for
   * bridge.pingTimeoutMs. 0, by default: the scenario keeps them busy enough.
   */
  long pingMs() {
    return 0;
  }

  @Override
  public Future<?> start() {
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(indexes.size() + 8));
    indexes.forEach(i -> tabs.add(newTab(i)));
    if (pingMs() > 0) {
      vertx.setPeriodic(pingMs(), id -> tabs.forEach(tab -> {
        if (tab.open()) {
          tab.socket.ping();
        }
      }));
    }
    return Future.succeededFuture();
  }

  /** Connects the tab's websocket, waits for the bridge to open and authenticates. */
  Future<Void> open(T tab) {
    String user = userPrefix + tab.index;
    return client.connect(target.connectOptions(tab.index))
      .compose(ws -> {
        tab.socket = BridgeSocket.wrap(ws, target.transport());
        watch(tab);
        return tab.socket.opened();
      })
      .compose(v -> tab.socket.request("auth.authenticate", new JsonObject()
        .put("token", tokens.sign(user, "Bench " + tab.index)).put("sessionId", tab.sessionId)))
      .mapEmpty();
  }

  /** An error of tab {@code tab}, counted and among the first few shown. */
  void error(T tab, String what) {
    totals.error("tab " + tab.index + ": " + what);
  }

  /** Closes every tab's socket; completes once asked of every one. */
  Future<Void> closeAll() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      closing = true;
      tabs.forEach(tab -> {
        if (tab.socket != null) {
          tab.socket.close();
        }
      });
      done.complete();
    });
    return done.future();
  }
}
