import { Type, type Static } from 'typebox';
import { Uuid } from '../entities.ts';

/**
 * Open the 1:1 conversation with `userId`. Its id is {@link dmId} of the two
 * users, so starting it again, or from both sides at once (offline too), is
 * the same conversation; opening one that exists changes nothing.
 */
export const dmOpenArgs = Type.Object({ userId: Uuid }, { additionalProperties: false });
export type DmOpenArgs = Static<typeof dmOpenArgs>;
