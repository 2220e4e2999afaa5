-- Edit locks (DESIGN.md §5, the project-template seed): who holds which resource, the pending
-- kick-out requests, and the append-only log of every transfer.
--
-- Every time in these tables comes from the server's clock as a parameter (never now()), so
-- that expiry follows the same clock as the rest of Parley and is testable without waiting.

-- One row per held resource. The UNIQUE resource is what makes "at most one holder" a fact
-- of the database: acquiring is one conditional upsert on it (PgLockStore.acquire).
CREATE TABLE connections (
  id            bigserial   PRIMARY KEY,
  session_token uuid        NOT NULL,          -- the holding tab's sessionId
  user_id       text        NOT NULL,
  user_name     text,
  resource      text        NOT NULL UNIQUE,   -- kind:id, e.g. project-version:42
  last_updated  timestamptz NOT NULL,          -- last acquire or heartbeat; ttl runs from here
  created       timestamptz NOT NULL
);
CREATE INDEX connections_last_updated ON connections (last_updated);

-- A kick-out waiting for the holder's answer or its deadline. Kept here rather than in a
-- node's memory so that any node can finish it: the holder may answer through another node,
-- and the deadline sweep runs everywhere. One pending kick per resource.
CREATE TABLE lock_kicks (
  receipt_number integer     PRIMARY KEY CHECK (receipt_number > 0),
  resource       text        NOT NULL UNIQUE,
  kicker_session uuid        NOT NULL,
  kicker_user_id text        NOT NULL,
  kicker_name    text,
  holder_session uuid        NOT NULL,          -- the session asked to give the lock up
  holder_user_id text        NOT NULL,
  holder_name    text,
  deadline       timestamptz NOT NULL,          -- no answer by then: the lock moves to the kicker
  created        timestamptz NOT NULL
);
CREATE INDEX lock_kicks_deadline ON lock_kicks (deadline);

-- The kick-off log: one row per transfer of a lock from its holder to a kicker, written in
-- the same transaction as the transfer. connection_id is deliberately not a foreign key: the
-- log outlives the connection rows it names (a released lock's row is deleted), and a
-- cascading delete or SET NULL would have to rewrite the log.
CREATE TABLE connection_kickoffs (
  id                bigserial   PRIMARY KEY,
  kicker_user_id    text        NOT NULL,
  receiver_user_id  text        NOT NULL,       -- the holder who was kicked out
  connection_id     bigint      NOT NULL,       -- connections.id of the transferred lock
  resource          text        NOT NULL,
  receipt_number    integer     NOT NULL,       -- the kick that caused the transfer
  old_session_token uuid        NOT NULL,
  new_session_token uuid        NOT NULL,
  created           timestamptz NOT NULL
);

-- Append-only, enforced by the database: any UPDATE, DELETE or TRUNCATE statement on the log
-- fails, whatever it would have touched and whoever runs it through SQL.
CREATE FUNCTION connection_kickoffs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'connection_kickoffs is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'P0001', HINT = 'the kick-off log only takes INSERTs';
END
$$;

CREATE TRIGGER connection_kickoffs_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON connection_kickoffs
  FOR EACH STATEMENT EXECUTE FUNCTION connection_kickoffs_append_only();
