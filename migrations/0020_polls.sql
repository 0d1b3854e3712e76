-- Polls: a message made by `poll.create` carries a question, 2-10 options,
-- single or multiple choice, named or anonymous, and an optional end time.

-- What every replica shows of a poll, kept current under the message's row
-- lock like reactions: the options with their counts (and, for named polls,
-- who chose each), the total voters, the end and close times. An anonymous
-- poll's summary never holds a voter id.
ALTER TABLE messages ADD COLUMN IF NOT EXISTS poll jsonb;

-- The poll's rules, for the server's checks and the closing sweep.
CREATE TABLE IF NOT EXISTS polls (
  message_id uuid PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  channel_id uuid NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  option_count smallint NOT NULL CHECK (option_count BETWEEN 2 AND 10),
  multiple boolean NOT NULL,
  anonymous boolean NOT NULL,
  ends_at timestamptz,
  closed_at timestamptz
);
-- The sweep that closes polls at their end time reads only the open ones that end.
CREATE INDEX IF NOT EXISTS polls_due ON polls (ends_at)
  WHERE closed_at IS NULL AND ends_at IS NOT NULL;

-- One row per chosen option. Who voted in an anonymous poll stays here only:
-- it reaches the voter's own devices (their user scope) and nobody else.
CREATE TABLE IF NOT EXISTS poll_votes (
  poll_id uuid NOT NULL REFERENCES polls (message_id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  option_id smallint NOT NULL,
  voted_at timestamptz NOT NULL,
  PRIMARY KEY (poll_id, user_id, option_id)
);
-- A user's own votes, newest first, for their user scope's reset.
CREATE INDEX IF NOT EXISTS poll_votes_user ON poll_votes (user_id, voted_at DESC);
