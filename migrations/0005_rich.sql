-- Rich messages: replies, threads, reactions, pins and custom emoji.

-- A thread is a channel of kind 'thread' under a parent channel, started
-- from one of its messages (at most one live thread per message).
ALTER TABLE channels DROP CONSTRAINT IF EXISTS channels_kind_check;
ALTER TABLE channels ADD CONSTRAINT channels_kind_check CHECK (kind IN ('text', 'voice', 'thread'));
ALTER TABLE channels ADD COLUMN IF NOT EXISTS parent_id uuid REFERENCES channels (id);
ALTER TABLE channels ADD COLUMN IF NOT EXISTS parent_message_id uuid REFERENCES messages (id);
CREATE UNIQUE INDEX IF NOT EXISTS channels_one_thread_per_message
  ON channels (parent_message_id) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS channels_parent ON channels (parent_id) WHERE parent_id IS NOT NULL;

-- The message a reply answers. Not a foreign key to a live row: the original
-- may be deleted later, and the reply then says so.
ALTER TABLE messages ADD COLUMN IF NOT EXISTS reply_to_id uuid;
ALTER TABLE messages ADD COLUMN IF NOT EXISTS pinned_at timestamptz;
-- Reactions live on the message row as [{emoji, userIds}], in the order first
-- used: a toggle rewrites them under the row lock, and the message upsert that
-- carries them is the change every replica applies.
ALTER TABLE messages ADD COLUMN IF NOT EXISTS reactions jsonb NOT NULL DEFAULT '[]';
-- The summary of the thread started from this message, kept current by the
-- server as the thread's messages are sent and deleted.
ALTER TABLE messages ADD COLUMN IF NOT EXISTS thread_id uuid;
ALTER TABLE messages ADD COLUMN IF NOT EXISTS thread_reply_count integer NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN IF NOT EXISTS thread_last_reply_at timestamptz;
CREATE INDEX IF NOT EXISTS messages_pinned ON messages (channel_id, pinned_at)
  WHERE pinned_at IS NOT NULL AND deleted_at IS NULL;

-- Custom emoji, used as :name: in messages and reactions. The image is small
-- (capped at 256 KB) and kept in the database, so it follows backups.
CREATE TABLE IF NOT EXISTS emojis (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  content_type text NOT NULL,
  data bytea NOT NULL,
  animated boolean NOT NULL DEFAULT false,
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS emojis_name ON emojis (name);
