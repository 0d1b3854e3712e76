-- Outgoing webhooks: an app's URL subscribed by a manager to community events
-- (a message created in chosen channels, a member joined, a reaction added).
-- The secret signs every delivery (HMAC-SHA256); it is shown once, when the
-- subscription is made. channel_ids empty means every channel its creator can
-- read; events from channels the creator cannot read, and from direct
-- conversations, are never queued for it. After `failures` consecutive failed
-- attempts the subscription is disabled, with the reason, until a manager
-- turns it back on.
CREATE TABLE IF NOT EXISTS event_subscriptions (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  url text NOT NULL,
  secret text NOT NULL,
  events text[] NOT NULL,
  channel_ids uuid[] NOT NULL DEFAULT '{}',
  created_by uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  failures integer NOT NULL DEFAULT 0,
  disabled_at timestamptz,
  disabled_reason text
);

-- The durable delivery queue, written in the transaction of the event itself
-- (so an event is queued exactly when it commits). Nodes claim due rows with
-- FOR UPDATE SKIP LOCKED and hold them by a lease (locked_until): a node that
-- dies mid-delivery leaves the row to be retried once its lease runs out.
-- status: pending (queued or waiting for a retry), delivered, failed (gave up).
CREATE TABLE IF NOT EXISTS event_deliveries (
  id uuid PRIMARY KEY,
  subscription_id uuid NOT NULL REFERENCES event_subscriptions (id) ON DELETE CASCADE,
  event text NOT NULL,
  body text NOT NULL,
  status text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  last_attempt_at timestamptz,
  last_status integer,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS event_deliveries_due ON event_deliveries (next_attempt_at)
  WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS event_deliveries_log ON event_deliveries (subscription_id, created_at DESC);
