-- Search: each message's terms as the app's tokenizer (shared/src/search)
-- makes them, stored as a tsvector written in the same transaction as the
-- message (send, edit; a delete clears it). The vector is built by the app,
-- not by to_tsvector: Postgres' parser drops emoji and cannot split CJK text,
-- and a literal vector reads the same on Postgres and PGlite.
-- Rows written before this migration are filled in at start-up, in batches.
ALTER TABLE messages ADD COLUMN IF NOT EXISTS search tsvector;
CREATE INDEX IF NOT EXISTS messages_search ON messages USING gin (search);
-- Rows still to index (only until the start-up backfill has run).
CREATE INDEX IF NOT EXISTS messages_search_missing ON messages (id)
  WHERE search IS NULL AND deleted_at IS NULL;
