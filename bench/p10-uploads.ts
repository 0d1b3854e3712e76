/**
 * P10 — login latency while hostile images upload: 12 small PNGs of 16383²
 * pixels (a few tens of KB each, gigapixel-scale work to decode) are posted
 * at once while one client logs in over and over; the figure is the slowest
 * login in that time. Baseline: the same logins with no uploads. Argon2id and
 * sharp share libuv's thread pool, so unbounded image work starves logins.
 * In-process with `buildApp` on an in-memory PGlite, over real HTTP.
 *
 * `npx tsx bench/p10-uploads.ts` runs it alone.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { register } from '@echora/testkit';
import { buildApp } from '../sync-server/src/app.ts';
import { createPgliteDb } from '../sync-server/src/db/pglite.ts';
import { migrate } from '../sync-server/src/db/migrate.ts';
import { testConfig } from '../sync-server/test/helpers/app.ts';
import type { Figure } from './lib/figure.ts';

const UPLOADS = Number(process.env.P10_UPLOADS ?? 12);
const SIDE = Number(process.env.P10_SIDE ?? 16383);
const LOGINS = Number(process.env.P10_BASELINE_LOGINS ?? 8);

/** A 1-bit PNG of SIDE² black pixels: ~32 KB at 16383², huge to decode. Made once, kept in tmp. */
async function hugePng(): Promise<Buffer> {
  const path = join(tmpdir(), `echora-p10-${SIDE}.png`);
  if (!existsSync(path)) {
    await sharp({ create: { width: SIDE, height: SIDE, channels: 3, background: '#000' } })
      .png({ palette: true, colours: 2, compressionLevel: 9 })
      .toFile(path);
  }
  return readFile(path);
}

export async function p10(): Promise<Figure[]> {
  const png = await hugePng();
  const db = await createPgliteDb();
  await migrate(db);
  const app = await buildApp({
    config: testConfig({ authRateLimit: 1_000_000, uploadQuotaBytes: 0 }),
    db,
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const credentials = { username: 'p10user', password: 'correct horse battery' };
    const post = (route: string, body: object) =>
      fetch(`${url}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, tokenDelivery: 'body' }),
      });
    const { accessToken } = await register(url, credentials.username, credentials.password);

    const login = async (): Promise<number> => {
      const started = performance.now();
      const response = await post('/api/auth/login', credentials);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`P10 login: ${response.status}`);
      return performance.now() - started;
    };
    await login(); // warm-up: the first hash also builds argon2's state

    const baseline: number[] = [];
    for (let i = 0; i < LOGINS; i++) baseline.push(await login());

    const uploadTimes: number[] = [];
    let uploading = true;
    const started = performance.now();
    const uploads = Promise.all(
      Array.from({ length: UPLOADS }, async (_, i) => {
        const form = new FormData();
        form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), `p10-${i}.png`);
        const response = await fetch(`${url}/api/uploads`, {
          method: 'POST',
          body: form,
          headers: { authorization: `Bearer ${accessToken}` },
        });
        await response.arrayBuffer();
        uploadTimes.push(performance.now() - started);
        return response.status;
      }),
    ).finally(() => (uploading = false));
    const during: number[] = [];
    while (uploading) during.push(await login());
    const statuses = await uploads;

    const max = (xs: number[]) => Math.max(...xs);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const notes =
      `uploads answered ${statuses.join(',')} in ${Math.round(max(uploadTimes))} ms; ` +
      `logins during uploads: n=${during.length}, median ${Math.round(median(during))} ms, ` +
      `max ${Math.round(max(during))} ms; baseline median ${Math.round(median(baseline))} ms, ` +
      `max ${Math.round(max(baseline))} ms`;
    return [
      {
        id: 'P10',
        name: `slowest login while ${UPLOADS} PNGs of ${SIDE}² pixels upload`,
        value: max(during),
        unit: 'ms',
        baselineName: 'slowest of the same logins, no uploads',
        baseline: max(baseline),
        better: 'lower',
        notes,
      },
    ];
  } finally {
    await app.close();
    await db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const figure of await p10()) console.log(JSON.stringify(figure, null, 2));
}
