-- Web Push subscriptions: one row per device (browser, installed PWA,
-- UnifiedPush distributor) that asked to be notified while Echora is closed.
-- The endpoint is the push service's URL for that device; p256dh and auth are
-- the device's keys the payload is encrypted to (RFC 8291). A device that signs
-- in as someone else takes its row over (one endpoint, one account at a time).
CREATE TABLE IF NOT EXISTS push_subscriptions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  endpoint text NOT NULL UNIQUE,
  p256dh text NOT NULL,
  auth text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS push_subscriptions_user ON push_subscriptions (user_id);
