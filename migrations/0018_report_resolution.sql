-- Moderators resolve or dismiss a report; it then leaves the open list.
-- A report also keeps the names of the message's attachments (its copy of
-- the message, like the text), and where it was sent is read from the
-- message's channel when listed (a direct conversation shows only that).
ALTER TABLE message_reports ADD COLUMN IF NOT EXISTS attachments jsonb NOT NULL DEFAULT '[]';
ALTER TABLE message_reports ADD COLUMN IF NOT EXISTS resolved_at timestamptz;
ALTER TABLE message_reports ADD COLUMN IF NOT EXISTS resolved_by uuid REFERENCES users (id);
ALTER TABLE message_reports ADD COLUMN IF NOT EXISTS resolution text
  CHECK (resolution IN ('resolved', 'dismissed'));
-- The open list, newest first, and the closed one.
CREATE INDEX IF NOT EXISTS message_reports_open ON message_reports (created_at DESC, id DESC)
  WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS message_reports_closed ON message_reports (created_at DESC, id DESC)
  WHERE resolved_at IS NOT NULL;
