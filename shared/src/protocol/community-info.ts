import { Type, type Static } from 'typebox';
import { Uuid } from './entities.ts';

/**
 * The id of the community-info entity: one installation is one community,
 * so its name is a single row of the community scope under a fixed id.
 */
export const COMMUNITY_INFO_ID = '00000000-0000-0000-0000-000000000001';

/** What every member sees of the community itself (community scope): its name. */
export const communityInfoSchema = Type.Object({ id: Uuid, name: Type.String() });
export type CommunityInfo = Static<typeof communityInfoSchema>;
