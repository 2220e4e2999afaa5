-- The lock tables keep the names the lock design started with, which clash with the bridge's
-- words: the bridge's "connections" are clients' sockets, and a "session token" sounds like a
-- credential. Renaming the tables would break the nodes of the previous version during a
-- rolling upgrade (they query these names until they are replaced), so the database says what
-- they are instead; PgLockStore's class comment says the same.

COMMENT ON TABLE connections IS
  'Held edit locks, one row per locked resource (not client connections to the bridge). '
  'id names the holding; it survives a kick-out transfer.';
COMMENT ON COLUMN connections.session_token IS
  'The holding browser tab''s sessionId (a uuid); an identifier, not a credential.';
COMMENT ON TABLE lock_kicks IS
  'Pending kick-out requests, one per resource; receipt_number is the request''s number, the '
  'receiptNumber clients see in locks.kick and lock.* events.';
COMMENT ON TABLE connection_kickoffs IS
  'Append-only log of edit locks moved from their holder to a kicker, one row per transfer.';
COMMENT ON COLUMN connection_kickoffs.connection_id IS
  'connections.id of the held lock that moved (the row itself may since be gone).';
COMMENT ON COLUMN connection_kickoffs.receipt_number IS
  'The kick-out request that caused the transfer (lock_kicks.receipt_number, receiptNumber to clients).';
COMMENT ON COLUMN connection_kickoffs.old_session_token IS 'The sessionId of the tab that lost the lock.';
COMMENT ON COLUMN connection_kickoffs.new_session_token IS 'The sessionId of the tab that got the lock.';
