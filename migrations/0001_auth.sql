-- Accounts, refresh-token sessions and the one community of this installation.

CREATE TABLE IF NOT EXISTS users (
  id uuid PRIMARY KEY,
  username text NOT NULL,
  password_hash text NOT NULL,
  display_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Usernames keep the letter case they were chosen with but are unique in any case.
CREATE UNIQUE INDEX IF NOT EXISTS users_username_lower ON users (lower(username));

-- Refresh tokens are never stored, only their sha256, so a leaked table
-- cannot be replayed. Each login starts a family; every refresh rotates the
-- token inside it, and reuse of a rotated token revokes the whole family.
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash text PRIMARY KEY,
  family_id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  replaced_by text
);
CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_user ON refresh_tokens (user_id);

-- Exactly one row (id is always 1). owner_id stays null until the first
-- registration claims it under a row lock.
CREATE TABLE IF NOT EXISTS community (
  id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  name text NOT NULL DEFAULT 'Echora',
  owner_id uuid REFERENCES users (id),
  registration text NOT NULL DEFAULT 'open' CHECK (registration IN ('open', 'invite')),
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO community (id) VALUES (1) ON CONFLICT DO NOTHING;
