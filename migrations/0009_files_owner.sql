-- Upload quotas sum the sizes of each user's live files on every upload:
-- this index answers that from the index alone.
CREATE INDEX IF NOT EXISTS files_owner_live ON files (owner_id) INCLUDE (size)
  WHERE deleted_at IS NULL;
