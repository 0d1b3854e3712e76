-- Indexes the hourly sweeps need, so they stay cheap as tables grow.

-- The retention prune deletes POST /api/mutations Idempotency-Keys older than
-- the window (sync/retention.ts), oldest first.
CREATE INDEX IF NOT EXISTS api_idempotency_created ON api_idempotency (created_at);

-- The files sweep removes preview images no card uses any more: it looks for
-- a live message whose cards name the image, and for an unexpired cache entry
-- that does (jsonb containment, `@>`). Only messages with cards are indexed.
-- (Preview files themselves are found by files_unattached: they have no message.)
CREATE INDEX IF NOT EXISTS messages_preview_images ON messages
  USING gin (previews jsonb_path_ops) WHERE previews IS NOT NULL;
CREATE INDEX IF NOT EXISTS link_preview_cache_images ON link_preview_cache
  USING gin (preview jsonb_path_ops) WHERE preview IS NOT NULL;
