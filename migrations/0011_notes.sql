-- Collaborative channel notes (Yjs). One document per text channel.
-- `notes` holds the compacted state (one Yjs update) and its byte size;
-- `note_updates` the updates appended since, in order; compaction merges them
-- into `notes.state` and deletes them in one transaction. `note_snapshots`
-- keeps the last few compacted states for "restore this version".
CREATE TABLE IF NOT EXISTS notes (
  channel_id uuid PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
  state bytea NOT NULL,
  state_bytes integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS note_updates (
  id bigserial PRIMARY KEY,
  channel_id uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  update bytea NOT NULL,
  user_id uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS note_updates_channel ON note_updates (channel_id, id);

CREATE TABLE IF NOT EXISTS note_snapshots (
  id bigserial PRIMARY KEY,
  channel_id uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  state bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS note_snapshots_channel ON note_snapshots (channel_id, id);
