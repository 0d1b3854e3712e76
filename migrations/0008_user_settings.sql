-- Each user's own settings (theme, font size, compact mode, reduced motion,
-- clock, notifications), synced to their devices through their user scope
-- ('user:<id>') as the `userSettings` entity. Only the keys a user changed are
-- stored; the client and server fill in the defaults for the rest, so adding a
-- setting needs no migration.
CREATE TABLE IF NOT EXISTS user_settings (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now()
);
