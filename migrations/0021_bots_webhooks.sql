-- Bots, incoming webhooks and the HTTP mutation API (issue 23).

-- A bot account is a user row holding roles like any member; a webhook's
-- author is a user row that is never a member (it shows as a former member,
-- so its messages keep a name). Neither can log in: the password hash is not one.
ALTER TABLE users ADD COLUMN IF NOT EXISTS bot text CHECK (bot IN ('bot', 'webhook'));

-- A bot's one token (`ebot_<user id>_<secret>`), kept as the sha256 of the
-- secret only; rotating replaces it, deleting the bot deletes the row.
CREATE TABLE IF NOT EXISTS bot_tokens (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  token_hash text NOT NULL,
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  rotated_at timestamptz NOT NULL DEFAULT now()
);

-- A channel's incoming webhook: POST /api/webhooks/<id>/<token> posts as
-- `user_id`. Deleting the channel (a tombstone) deletes its webhooks too.
CREATE TABLE IF NOT EXISTS incoming_webhooks (
  id uuid PRIMARY KEY,
  channel_id uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id),
  token_hash text NOT NULL,
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS incoming_webhooks_channel ON incoming_webhooks (channel_id);

-- POST /api/mutations: an Idempotency-Key names one mutation record
-- (client_mutations (client_id, 1)); the body's hash tells a replay from a
-- different request that reused the key.
CREATE TABLE IF NOT EXISTS api_idempotency (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  key text NOT NULL,
  client_id uuid NOT NULL,
  body_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
