-- Roles and moderation: who banned whom and why, invite links, and the audit
-- log of every moderation action and role, override or channel change.

ALTER TABLE members ADD COLUMN IF NOT EXISTS ban_reason text;
ALTER TABLE members ADD COLUMN IF NOT EXISTS banned_by uuid REFERENCES users (id);

-- Uses are counted with one conditional UPDATE, so two racing uses of the
-- last slot cannot both win.
CREATE TABLE IF NOT EXISTS invites (
  code text PRIMARY KEY,
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  max_uses integer CHECK (max_uses IS NULL OR max_uses > 0),
  uses integer NOT NULL DEFAULT 0,
  revoked_at timestamptz
);
CREATE INDEX IF NOT EXISTS invites_created_by ON invites (created_by);

-- Newest first by id; `before` pages on it.
CREATE TABLE IF NOT EXISTS audit_log (
  id bigserial PRIMARY KEY,
  actor_id uuid NOT NULL REFERENCES users (id),
  action text NOT NULL,
  target_type text CHECK (target_type IN ('user', 'role', 'channel', 'invite', 'community')),
  target_id text,
  reason text,
  data jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
