-- The sync engine: scoped versions, the change feed, channels, messages,
-- members, roles and per-client mutation records.

-- One row per scope ('community', 'channel:<id>', 'user:<id>'). Writers bump
-- `version` with UPDATE ... RETURNING inside their transaction, so the row
-- lock orders commits and versions stay gap-free per scope.
CREATE TABLE IF NOT EXISTS scopes (
  scope text PRIMARY KEY,
  version bigint NOT NULL DEFAULT 0
);

-- Every change of every scope, in version order. Deletes are tombstones
-- (op = 'delete', data null) so replicas forget the entity.
CREATE TABLE IF NOT EXISTS feed (
  scope text NOT NULL,
  version bigint NOT NULL,
  entity text NOT NULL CHECK (entity IN ('channel', 'message', 'member')),
  op text NOT NULL CHECK (op IN ('upsert', 'delete')),
  entity_id uuid NOT NULL,
  data jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, version)
);

CREATE TABLE IF NOT EXISTS channels (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('text', 'voice')),
  name text NOT NULL,
  topic text NOT NULL DEFAULT '',
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);

CREATE TABLE IF NOT EXISTS messages (
  id uuid PRIMARY KEY,
  channel_id uuid NOT NULL REFERENCES channels (id),
  author_id uuid NOT NULL REFERENCES users (id),
  content text NOT NULL,
  -- The channel scope's version at creation: orders and pages messages.
  seq bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  edited_at timestamptz,
  deleted_at timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_channel_seq ON messages (channel_id, seq);

CREATE TABLE IF NOT EXISTS members (
  user_id uuid PRIMARY KEY REFERENCES users (id),
  joined_at timestamptz NOT NULL DEFAULT now(),
  timed_out_until timestamptz,
  banned_at timestamptz
);

CREATE TABLE IF NOT EXISTS roles (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  color integer NOT NULL DEFAULT 0,
  -- Higher is more senior; '@everyone' is 0.
  position integer NOT NULL DEFAULT 0,
  permissions integer NOT NULL DEFAULT 0,
  is_everyone boolean NOT NULL DEFAULT false
);
-- At most one '@everyone' role, even with two nodes seeding at once.
CREATE UNIQUE INDEX IF NOT EXISTS roles_one_everyone ON roles (is_everyone) WHERE is_everyone;

CREATE TABLE IF NOT EXISTS member_roles (
  user_id uuid NOT NULL REFERENCES users (id),
  role_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, role_id)
);

CREATE TABLE IF NOT EXISTS channel_overrides (
  channel_id uuid NOT NULL REFERENCES channels (id),
  target_type text NOT NULL CHECK (target_type IN ('role', 'member')),
  target_id uuid NOT NULL,
  allow integer NOT NULL DEFAULT 0,
  deny integer NOT NULL DEFAULT 0,
  PRIMARY KEY (channel_id, target_type, target_id)
);

-- The answer given to every durable mutation, applied or refused, so a
-- replay after a lost ack gets the same answer without applying twice.
CREATE TABLE IF NOT EXISTS client_mutations (
  client_id uuid NOT NULL,
  seq bigint NOT NULL,
  user_id uuid NOT NULL,
  result jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, seq)
);

-- Seeds run once, with the migration, under the migrator's advisory lock.
-- 30467 = DEFAULT_EVERYONE in shared/src/permissions/bits.ts (a test checks they agree).
INSERT INTO roles (id, name, position, permissions, is_everyone)
VALUES ('00000000-0000-7000-8000-000000000000', '@everyone', 0, 30467, true)
ON CONFLICT DO NOTHING;

INSERT INTO scopes (scope, version) VALUES ('community', 0) ON CONFLICT DO NOTHING;
