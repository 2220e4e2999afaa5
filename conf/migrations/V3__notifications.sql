-- Notifications (DESIGN.md §7, the notifications seed): a stored stream with expiry, and the
-- topics each session (browser tab) is subscribed to.

-- The stream. ids only grow; expires_at = created_at + notifications.ttlMs. Rows are deleted in
-- bounded batches once expired (NotificationsVerticle's expiry job).
CREATE TABLE notifications (
  id             bigserial PRIMARY KEY,
  topic          text   NOT NULL,
  data           json   NOT NULL, -- kept as sent (json, not jsonb: never queried inside)
  origin_session text,
  created_at     bigint NOT NULL, -- epoch millis
  expires_at     bigint NOT NULL  -- epoch millis
);
-- replay: a session's topics after an id
CREATE INDEX notifications_topic_id ON notifications (topic, id);
-- the expiry job
CREATE INDEX notifications_expires_at ON notifications (expires_at);

-- Per topic, the highest id the expiry job has deleted: a replay that asks for anything at or
-- below it can no longer be complete.
CREATE TABLE notification_expiry (
  topic           text   PRIMARY KEY,
  expired_through bigint NOT NULL
);

-- One row per session that ever subscribed. topics is kept sorted and distinct; version grows
-- with every change, so nodes that cache a session's topics keep the newest.
CREATE TABLE notification_sessions (
  session_id text   PRIMARY KEY,
  user_id    text   NOT NULL,
  topics     text[] NOT NULL,
  version    bigint NOT NULL,
  touched_at bigint NOT NULL -- epoch millis of the last subscribe, unsubscribe or reconnect
);
CREATE INDEX notification_sessions_touched_at ON notification_sessions (touched_at);

-- Other processes follow the stream with LISTEN parley_notifications: every stored
-- notification sends {"id", "topic", "originSessionId", "createdAt"} (not the data, which may be
-- larger than a NOTIFY payload may be: read the row by id). Sent when the insert commits.
CREATE FUNCTION notifications_notify() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('parley_notifications', json_build_object(
    'id', NEW.id, 'topic', NEW.topic, 'originSessionId', NEW.origin_session, 'createdAt', NEW.created_at)::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER notifications_notify AFTER INSERT ON notifications
  FOR EACH ROW EXECUTE FUNCTION notifications_notify();
