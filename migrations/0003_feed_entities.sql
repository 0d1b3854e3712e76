-- The feed carries more kinds of entity than the first three (roles, custom
-- emoji, read state, ...): the entity name is validated by the protocol
-- schema on the way out, not by a CHECK that every new kind would have to edit.
ALTER TABLE feed DROP CONSTRAINT IF EXISTS feed_entity_check;
