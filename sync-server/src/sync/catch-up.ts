import {
  COMMUNITY_SCOPE,
  Limits,
  type Change,
  type ChangesDown,
  type ResetDown,
} from '@echora/shared';
import type { Queryable } from '../db/types.ts';
import { readChanges } from '../write/feed.ts';
import { connectReads } from './connect-reads.ts';
import { snapshot, type AccessSource } from './snapshot.ts';
import { mayReceive } from './visible-changes.ts';

/**
 * Where catch-up takes the permissions that hide channels (community scope).
 * `AccessCache` is one.
 */
export type { AccessSource };

/** Changes per `changes` frame, so a long replay never builds one huge string. */
const CHUNK = 200;

export interface CatchUp {
  /** Frames to send, in order. */
  frames: (ChangesDown | ResetDown)[];
  /** The client's cursor for the scope once it applied them. */
  version: number;
}

/** Splits contiguous changes after `from` into `changes` frames. */
export function changeFrames(
  scope: string,
  from: number,
  changes: readonly Change[],
): ChangesDown[] {
  const frames: ChangesDown[] = [];
  let start = from;
  for (let i = 0; i < changes.length; i += CHUNK) {
    const part = changes.slice(i, i + CHUNK);
    const to = part.at(-1)?.version ?? start;
    frames.push({ type: 'changes', scope, from: start, to, changes: part });
    start = to;
  }
  return frames;
}

/**
 * Brings a client from `cursor` to now on one scope: a replay of the feed when
 * the cursor is known, close enough and the feed still holds every version
 * after it; otherwise a reset with a snapshot. In the community scope a
 * replay drops changes the user may not receive (see {@link mayReceive}),
 * judged by access data at least as new as the last change replayed (the
 * frame still spans from..to, so cursors stay contiguous).
 */
export async function catchUp(
  db: Queryable,
  scope: string,
  cursor: number | undefined,
  userId: string,
  access: AccessSource,
): Promise<CatchUp> {
  if (cursor !== undefined && cursor > 0) {
    const current = await connectReads(db).version(scope);
    if (cursor === current) return { frames: [], version: current };
    if (cursor < current && current - cursor <= Limits.replayLimit) {
      const changes = await readChanges(db, scope, cursor, current - cursor);
      const gapless = changes.length === current - cursor && changes[0]?.version === cursor + 1;
      if (gapless) {
        const frames = changeFrames(scope, cursor, changes);
        if (scope !== COMMUNITY_SCOPE) return { frames, version: current };
        const judge = await access.atLeast(current);
        const kept = frames.map((f) => ({
          ...f,
          changes: f.changes.filter((c) => mayReceive(c, judge, userId)),
        }));
        return { frames: kept, version: current };
      }
    }
  }
  const snap = await snapshot(db, scope, access, userId);
  const reset: ResetDown = {
    type: 'reset',
    scope,
    version: snap.version,
    changes: snap.changes,
    hasMore: snap.hasMore,
  };
  return { frames: [reset], version: snap.version };
}
