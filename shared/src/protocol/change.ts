import { Type, type Static, type TSchema } from 'typebox';
import {
  channelSchema,
  emojiSchema,
  formerMemberSchema,
  memberSchema,
  messageSchema,
  readStateSchema,
  roleSchema,
  blockSchema,
  pollVoteSchema,
  Uuid,
} from './entities.ts';
import { userSettingsSchema } from './user-settings.ts';
import { communityInfoSchema } from './community-info.ts';

/**
 * Every kind of entity the feed carries, and the scope it lives in: `community`
 * for what every member sees, `channel` for a channel's messages, `user` for one
 * user's own state (synced across their devices). Adding an entity: its schema
 * here, a replica table in `client/src/sync/replica.ts` (`ENTITY_TABLES`).
 */
export const entitySchemas = {
  channel: channelSchema,
  message: messageSchema,
  member: memberSchema,
  formerMember: formerMemberSchema,
  role: roleSchema,
  emoji: emojiSchema,
  readState: readStateSchema,
  userSettings: userSettingsSchema,
  community: communityInfoSchema,
  block: blockSchema,
  pollVote: pollVoteSchema,
} as const;
export type EntityName = keyof typeof entitySchemas;
export const entityNames = Object.keys(entitySchemas) as EntityName[];

const upsert = <N extends EntityName, S extends TSchema>(entity: N, data: S) =>
  Type.Object({
    version: Type.Number(),
    op: Type.Literal('upsert'),
    entity: Type.Literal(entity),
    data,
  });

/**
 * One entry of a scope's feed. `upsert` carries the whole entity; `delete` is a
 * tombstone so every replica forgets the entity.
 */
export const changeSchema = Type.Union([
  upsert('channel', channelSchema),
  upsert('message', messageSchema),
  upsert('member', memberSchema),
  upsert('formerMember', formerMemberSchema),
  upsert('role', roleSchema),
  upsert('emoji', emojiSchema),
  upsert('readState', readStateSchema),
  upsert('userSettings', userSettingsSchema),
  upsert('community', communityInfoSchema),
  upsert('block', blockSchema),
  upsert('pollVote', pollVoteSchema),
  Type.Object({
    version: Type.Number(),
    op: Type.Literal('delete'),
    entity: Type.Union([
      Type.Literal('channel'),
      Type.Literal('message'),
      Type.Literal('member'),
      Type.Literal('formerMember'),
      Type.Literal('role'),
      Type.Literal('emoji'),
      Type.Literal('readState'),
      Type.Literal('userSettings'),
      Type.Literal('community'),
      Type.Literal('block'),
      Type.Literal('pollVote'),
    ]),
    id: Uuid,
  }),
]);
export type Change = Static<typeof changeSchema>;
export type UpsertChange = Extract<Change, { op: 'upsert' }>;
// Every entity has its tombstone (a compile error here names one that is missing).
const _tombstones: EntityName extends Extract<Change, { op: 'delete' }>['entity'] ? true : never =
  true;
void _tombstones;
/** The replicated row type of an entity. */
export type EntityRowOf<N extends EntityName> = Static<(typeof entitySchemas)[N]>;
