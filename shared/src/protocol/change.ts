import { Type, type Static } from 'typebox';
import { channelSchema, memberSchema, messageSchema, Uuid } from './entities.ts';

/**
 * One entry of a scope's feed. `upsert` carries the whole entity; `delete` is a
 * tombstone so every replica forgets the entity.
 */
export const changeSchema = Type.Union([
  Type.Object({
    version: Type.Number(),
    op: Type.Literal('upsert'),
    entity: Type.Literal('channel'),
    data: channelSchema,
  }),
  Type.Object({
    version: Type.Number(),
    op: Type.Literal('upsert'),
    entity: Type.Literal('message'),
    data: messageSchema,
  }),
  Type.Object({
    version: Type.Number(),
    op: Type.Literal('upsert'),
    entity: Type.Literal('member'),
    data: memberSchema,
  }),
  Type.Object({
    version: Type.Number(),
    op: Type.Literal('delete'),
    entity: Type.Union([Type.Literal('channel'), Type.Literal('message'), Type.Literal('member')]),
    id: Uuid,
  }),
]);
export type Change = Static<typeof changeSchema>;
export type EntityName = Change['entity'];
