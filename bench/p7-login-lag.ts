/**
 * P7 — event-loop lag p99 while 20 logins/s hash passwords (Argon2id on the
 * libuv pool must not block the loop), against the lag of the same process
 * with no logins. In-process with `buildApp` on an in-memory PGlite.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildApp } from '../sync-server/src/app.ts';
import { createPgliteDb } from '../sync-server/src/db/pglite.ts';
import { migrate } from '../sync-server/src/db/migrate.ts';
import { testConfig } from '../sync-server/test/helpers/app.ts';
import type { Figure } from './lib/figure.ts';

const RATE = Number(process.env.P7_LOGINS_PER_S ?? 20);
const SECONDS = Number(process.env.P7_SECONDS ?? 5);

async function lagP99(load: () => void): Promise<number> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const timer = setInterval(load, 1000 / RATE);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  clearInterval(timer);
  h.disable();
  return h.percentile(99) / 1e6;
}

export async function p7(): Promise<Figure[]> {
  const db = await createPgliteDb();
  await migrate(db);
  const app = await buildApp({ config: testConfig({ authRateLimit: 1_000_000 }), db });
  await app.ready();
  try {
    const payload = { username: 'p7user', password: 'correct horse battery' };
    const reg = await app.inject({ method: 'POST', url: '/api/auth/register', payload });
    if (reg.statusCode !== 201) throw new Error(`P7 register: ${reg.statusCode} ${reg.body}`);
    let failed = 0;
    const inflight = new Set<Promise<unknown>>();
    const base = await lagP99(() => undefined);
    const value = await lagP99(() => {
      const p = app
        .inject({ method: 'POST', url: '/api/auth/login', payload })
        .then((r) => (r.statusCode === 200 ? undefined : failed++));
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    });
    await Promise.all(inflight);
    if (failed > 0) throw new Error(`P7: ${failed} logins failed`);
    return [
      {
        id: 'P7',
        name: `event-loop lag p99, ${RATE} logins/s for ${SECONDS} s (Argon2id)`,
        value,
        unit: 'ms',
        baselineName: 'same process, no logins',
        baseline: base,
        better: 'lower',
      },
    ];
  } finally {
    await app.close();
    await db.close();
  }
}
