-- Link previews: the server unfurls the first links of a new message (an
-- OpenGraph / Twitter card fetched through the SSRF guard) and shows them on
-- the message.

-- What every replica shows under the message: up to three cards of plain
-- text (title, description, site name) and a preview image served by the
-- files route. Null: none (yet, or removed by the author).
ALTER TABLE messages ADD COLUMN IF NOT EXISTS previews jsonb;

-- A community's switch: off, no message is queued and no page is fetched.
ALTER TABLE community ADD COLUMN IF NOT EXISTS link_previews boolean NOT NULL DEFAULT true;

-- The durable unfurl queue, written in the transaction of the message itself.
-- Nodes claim rows with FOR UPDATE SKIP LOCKED and a lease (locked_until), as
-- webhook deliveries do; the row is deleted in the transaction that writes the
-- previews, or by the author removing them (so a late fetch writes nothing).
CREATE TABLE IF NOT EXISTS link_preview_jobs (
  message_id uuid PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  urls text[] NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS link_preview_jobs_due ON link_preview_jobs (created_at);

-- The cache of unfurled pages, per normalized URL: a card (preview) or a
-- failure (preview null, error set), each until expires_at (failures expire
-- sooner). Shared by every message that links the page.
CREATE TABLE IF NOT EXISTS link_preview_cache (
  url text PRIMARY KEY,
  preview jsonb,
  error text,
  fetched_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS link_preview_cache_expiry ON link_preview_cache (expires_at);

-- A preview image is a file of its own purpose: fetched by the server from a
-- public page, readable by every member (as avatars are), never attached.
ALTER TABLE files DROP CONSTRAINT IF EXISTS files_purpose_check;
ALTER TABLE files ADD CONSTRAINT files_purpose_check
  CHECK (purpose IN ('attachment', 'avatar', 'preview'));
