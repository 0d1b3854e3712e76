-- Mentions and read state.

-- Who a message mentions, as the server resolved it at send or edit time
-- ({users, roles, everyone}); '@everyone' counts only if the author could.
ALTER TABLE messages ADD COLUMN IF NOT EXISTS mentions jsonb;

-- How far each user has read each channel, and whether they muted it.
-- Replicated to the user's own scope ('user:<id>') as the `readState` entity.
-- last_read_seq only grows (read.mark never moves it back).
CREATE TABLE IF NOT EXISTS read_states (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  channel_id uuid NOT NULL REFERENCES channels (id),
  last_read_seq bigint NOT NULL DEFAULT 0,
  muted boolean NOT NULL DEFAULT false,
  PRIMARY KEY (user_id, channel_id)
);
