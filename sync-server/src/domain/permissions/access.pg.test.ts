import { beforeAll, expect, it } from 'vitest';
import { newId, Permission } from '@echora/shared';
import type { Queryable, QueryResult, Row } from '../../db/types.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { AccessCache } from './access.ts';

/**
 * The real database, with a hand on the clock: while `hold` is set, the
 * results of the statements it matches are kept back (the statement has run)
 * until `release()`. So a test can make a load read its tables, then write,
 * then let the load finish: the interleaving a busy server produces by chance.
 */
function heldReads(db: Queryable) {
  let hold: ((sql: string) => boolean) | undefined;
  let held: (() => void)[] = [];
  let waiter: { count: number; resolve: () => void } | undefined;
  let versionReads = 0;
  const wrapped: Queryable = {
    async query<R extends Row = Row>(sql: string, params?: readonly unknown[]) {
      if (sql.includes('FROM scopes')) versionReads++;
      const result: QueryResult<R> = await db.query<R>(sql, params);
      if (hold?.(sql)) {
        await new Promise<void>((resolve) => {
          held.push(resolve);
          if (waiter && held.length >= waiter.count) waiter.resolve();
        });
      }
      return result;
    },
  };
  return {
    db: wrapped,
    /** How many loads began (each reads the community version first). */
    loads: () => versionReads,
    /** Keeps back the results of the access tables (not the version read, which comes first). */
    holdTables(): void {
      hold = (sql) => !sql.includes('FROM scopes');
    },
    /** Resolves once `count` results are being kept back. */
    held(count: number): Promise<void> {
      if (held.length >= count) return Promise.resolve();
      return new Promise((resolve) => {
        waiter = { count, resolve };
      });
    },
    release(): void {
      hold = undefined;
      for (const resolve of held) resolve();
      held = [];
    },
  };
}

/**
 * loadAccess reads eight tables once it has the version (roles, members,
 * member roles, channels, overrides, community, DM participants, blocks).
 * Holding fewer would let the others read after the test's write.
 */
const TABLES = 8;

describeEachDb('permission cache: a reload reads after it was asked for', (getDb) => {
  let everyone = '';

  beforeAll(async () => {
    const { rows } = await getDb().query<{ id: string }>('SELECT id FROM roles WHERE is_everyone');
    everyone = rows[0]?.id ?? '';
  });

  async function memberAndChannel(): Promise<{ user: string; channel: string }> {
    const user = newId();
    const channel = newId();
    await getDb().query(
      "INSERT INTO users (id, username, password_hash, display_name) VALUES ($1, $2, 'x', $2)",
      [user, `u${user.slice(-12)}`],
    );
    await getDb().query('INSERT INTO members (user_id) VALUES ($1)', [user]);
    await getDb().query(
      "INSERT INTO channels (id, kind, name, position) VALUES ($1, 'text', 'c', 0)",
      [channel],
    );
    return { user, channel };
  }

  const hide = (channel: string) =>
    getDb().query(
      "INSERT INTO channel_overrides (channel_id, target_type, target_id, allow, deny) VALUES ($1, 'role', $2, 0, $3)",
      [channel, everyone, Permission.viewChannel],
    );

  it('a reload asked for after a write is not answered by a load that read before it', async () => {
    const { user, channel } = await memberAndChannel();
    const gate = heldReads(getDb());
    const cache = new AccessCache(gate.db);
    gate.holdTables();
    const before = cache.reload();
    await gate.held(TABLES);
    // The load above has read every table; this write comes after it.
    await hide(channel);
    const after = cache.reload();
    gate.release();
    expect((await before).canSeeChannel(user, channel)).toBe(true);
    expect((await after).canSeeChannel(user, channel)).toBe(false);
    expect((await cache.get()).canSeeChannel(user, channel)).toBe(false);
    expect(gate.loads()).toBe(2);
  });

  it('get() after invalidate(v) waits for a load that read version v or later', async () => {
    const { user } = await memberAndChannel();
    const gate = heldReads(getDb());
    const cache = new AccessCache(gate.db);
    gate.holdTables();
    const before = cache.reload();
    await gate.held(TABLES);
    // A ban commits and its event arrives while the older load is still running.
    await getDb().query('UPDATE members SET banned_at = now() WHERE user_id = $1', [user]);
    const { rows } = await getDb().query<{ version: number }>(
      "UPDATE scopes SET version = version + 1 WHERE scope = 'community' RETURNING version",
    );
    const version = Number(rows[0]?.version);
    cache.invalidate(version);
    const fresh = cache.get();
    gate.release();
    expect((await before).data.version).toBe(version - 1);
    expect((await before).member(user)).toBeDefined();
    expect((await fresh).data.version).toBeGreaterThanOrEqual(version);
    expect((await fresh).member(user)).toBeUndefined();
  });

  it('callers share loads: those asking during one load share the next, and get() joins a new-enough one', async () => {
    const { user, channel } = await memberAndChannel();
    const gate = heldReads(getDb());
    const cache = new AccessCache(gate.db);
    gate.holdTables();
    const first = cache.reload();
    // Nothing new was invalidated: get() may take the running load.
    const joined = cache.get();
    await gate.held(TABLES);
    await hide(channel);
    const waiting = [cache.reload(), cache.reload(), cache.get()];
    gate.release();
    expect(await joined).toBe(await first);
    const [a, b] = await Promise.all(waiting.slice(0, 2));
    expect(a).toBe(b);
    expect(a?.canSeeChannel(user, channel)).toBe(false);
    // get() was asked for nothing newer than the running load: it took that one.
    expect(await waiting[2]).toBe(await first);
    expect(gate.loads()).toBe(2);
  });

  it('atLeast(v, dmV) answers from the cache while it is that new, and loads once either version moved past it', async () => {
    const { user } = await memberAndChannel();
    const gate = heldReads(getDb());
    const cache = new AccessCache(gate.db);
    const loaded = await cache.reload();
    const { version, dmVersion } = loaded.data;
    // Connects judging rows read at these versions: no query.
    const same = await Promise.all([cache.atLeast(version, dmVersion), cache.atLeast(version)]);
    expect(same).toEqual([loaded, loaded]);
    expect(gate.loads()).toBe(1);
    // A ban commits with its version; rows read after it ask for that version.
    await getDb().query('UPDATE members SET banned_at = now() WHERE user_id = $1', [user]);
    const { rows } = await getDb().query<{ version: number }>(
      "UPDATE scopes SET version = version + 1 WHERE scope = 'community' RETURNING version",
    );
    const banned = await cache.atLeast(Number(rows[0]?.version), dmVersion);
    expect(banned.member(user)).toBeUndefined();
    expect(gate.loads()).toBe(2);
    // The DM access counter alone moving is enough to load again.
    await getDb().query(
      "INSERT INTO scopes (scope, version) VALUES ('dm-access', 1) ON CONFLICT (scope) DO UPDATE SET version = scopes.version + 1",
    );
    const dms = await cache.atLeast(banned.data.version, banned.data.dmVersion + 1);
    expect(dms.data.dmVersion).toBe(banned.data.dmVersion + 1);
    expect(gate.loads()).toBe(3);
  });

  it('a failed load fails its callers and the next reload tries again', async () => {
    const { user } = await memberAndChannel();
    let fail = true;
    const flaky: Queryable = {
      query: (sql, params) =>
        fail ? Promise.reject(new Error('connection lost')) : getDb().query(sql, params),
    };
    const cache = new AccessCache(flaky);
    await expect(cache.reload()).rejects.toThrow('connection lost');
    fail = false;
    expect((await cache.reload()).member(user)).toBeDefined();
  });
});
