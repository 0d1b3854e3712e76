import { Type, type Static } from 'typebox';

/** Catch-up is complete: every scope the user may see is current. Live changes follow. */
export const syncedDown = Type.Object({ type: Type.Literal('synced') });
export type SyncedDown = Static<typeof syncedDown>;
