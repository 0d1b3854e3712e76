-- Former members' names are sent for those who wrote messages, and a ban
-- deletes the user's recent ones: both look messages up by author.
CREATE INDEX IF NOT EXISTS messages_author ON messages (author_id, created_at);
