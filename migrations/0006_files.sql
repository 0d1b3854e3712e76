-- Uploaded files (message attachments and avatars) and profile fields.

-- One row per upload. A file is uploaded first (owned by its uploader,
-- attached to nothing), then attached by the message.send that names it.
-- Unattached files older than a day and files of deleted messages are
-- removed by the cleanup sweep (row marked deleted, bytes removed).
CREATE TABLE IF NOT EXISTS files (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users (id),
  message_id uuid REFERENCES messages (id),
  purpose text NOT NULL DEFAULT 'attachment' CHECK (purpose IN ('attachment', 'avatar')),
  -- The display name only: storage keys are made from the id, never from this.
  name text NOT NULL,
  size bigint NOT NULL,
  -- Sniffed from the bytes; the client's claim is ignored.
  content_type text NOT NULL,
  width integer,
  height integer,
  duration_ms integer,
  has_thumb boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE INDEX IF NOT EXISTS files_message ON files (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS files_unattached ON files (created_at)
  WHERE message_id IS NULL AND deleted_at IS NULL;

ALTER TABLE users ADD COLUMN IF NOT EXISTS avatar_file_id uuid REFERENCES files (id);
ALTER TABLE users ADD COLUMN IF NOT EXISTS bio text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN IF NOT EXISTS pronouns text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN IF NOT EXISTS status_text text NOT NULL DEFAULT '';

-- A message's attachments as clients see them ([{id, name, size, ...}]),
-- written once when message.send attaches its files.
ALTER TABLE messages ADD COLUMN IF NOT EXISTS attachments jsonb NOT NULL DEFAULT '[]';
