package io.parley.auth;

import io.vertx.core.Future;

/**
 * Which user each sessionId (one browser tab) belongs to, and when a user's tokens were
 * revoked. The embedded default keeps this in memory; production keeps it where every node
 * sees it, so a tab that reconnects to another node is recognized.
 *
 * <p>Contract (checked by {@code SessionStoreContract} for every implementation):
 * <ul>
 *   <li>A sessionId belongs to the first user who claims it. Claiming it as another user
 *       fails with 403 and changes nothing: nobody takes over another tab's locks or
 *       subscriptions by guessing its sessionId.</li>
 *   <li>{@link #claim} answers whether the session had been claimed before (a resumed tab),
 *       and refreshes its time to live.</li>
 *   <li>A session not claimed for the store's time to live is forgotten.</li>
 * </ul>
 */
public interface SessionStore {

  /** Binds {@code sessionId} to {@code userId}; true when it was bound to that user already. */
  Future<Boolean> claim(String sessionId, String userId);

  /** Records that every token of {@code userId} issued before {@code at} (epoch millis) is void. */
  Future<Void> revoke(String userId, long at);

  /** When {@code userId}'s tokens were last revoked (epoch millis), or 0 if never. */
  Future<Long> revokedAt(String userId);

  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
