-- Direct conversations (1:1 and group DMs), blocks and message reports.

-- A direct conversation is a channel of kind 'dm' with a scope of its own, so
-- messages, reactions, files, pins, read state and typing follow the channel
-- code paths; who may see it is its participants, never roles.
ALTER TABLE channels DROP CONSTRAINT IF EXISTS channels_kind_check;
ALTER TABLE channels ADD CONSTRAINT channels_kind_check
  CHECK (kind IN ('text', 'voice', 'thread', 'dm'));
-- A group's creator (who may remove people); null for a 1:1 conversation,
-- whose id is derived from its two users (shared/src/ids.ts dmId).
ALTER TABLE channels ADD COLUMN IF NOT EXISTS dm_owner_id uuid REFERENCES users (id);
ALTER TABLE channels ADD COLUMN IF NOT EXISTS dm_group boolean NOT NULL DEFAULT false;

CREATE TABLE IF NOT EXISTS dm_participants (
  channel_id uuid NOT NULL REFERENCES channels (id),
  user_id uuid NOT NULL REFERENCES users (id),
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX IF NOT EXISTS dm_participants_user ON dm_participants (user_id);

-- Who blocked whom. Replicated to the blocker's own scope as the `block` entity.
CREATE TABLE IF NOT EXISTS user_blocks (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  blocked_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, blocked_id)
);

-- A message reported to the moderators, with a copy of that message only
-- (moderators never get access to the conversation it came from).
CREATE TABLE IF NOT EXISTS message_reports (
  id uuid PRIMARY KEY,
  reporter_id uuid NOT NULL REFERENCES users (id),
  message_id uuid NOT NULL REFERENCES messages (id),
  author_id uuid NOT NULL REFERENCES users (id),
  content text NOT NULL,
  reason text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (reporter_id, message_id)
);
