/**
 * Hostile requests to the file and profile routes: random multipart bodies,
 * boundaries, content types, ids, tokens and profile patches. A client
 * mistake is a typed 4xx `{error:{kind,message}}`, never a 5xx.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErrorKind } from '@echora/shared';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';
import {
  fuzzParams,
  hostileString,
  hostileText,
  hostileValue,
  mangled,
} from '../../../test/fuzz/hostile.ts';

const kinds = new Set<string>(Object.values(ErrorKind));
const headerSafe = (s: string) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');

/** A multipart body with `boundary`, whose parts are as given (names, filenames, bytes). */
function multipart(
  boundary: string,
  parts: { field: string; filename: string | null; type: string; data: string }[],
  closed: boolean,
): string {
  const body = parts
    .map(
      (p) =>
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.field}"` +
        (p.filename === null ? '' : `; filename="${p.filename}"`) +
        `\r\nContent-Type: ${p.type}\r\n\r\n${p.data}\r\n`,
    )
    .join('');
  return closed ? `${body}--${boundary}--\r\n` : body;
}

describeEachDb('files: hostile requests', (getDb) => {
  let app: FastifyInstance;
  let token = '';

  beforeAll(async () => {
    app = await createTestApp(getDb(), { config: { maxUploadBytes: 4096 } });
    token = (await registerUser(app, 'filefuzz')).accessToken;
  });
  afterAll(async () => {
    await app.close();
  });

  const boundary = fc.oneof(fc.constant('XyZ'), fc.string({ minLength: 1, maxLength: 80 }));
  const part = fc.record({
    field: fc.oneof(fc.constant('file'), hostileString),
    filename: fc.oneof(
      fc.constant(null),
      fc.constantFrom('../../x', '..\\..\\y', '', '.', '\u202egnp.exe', 'a'.repeat(5000)),
      hostileString,
    ),
    type: fc.oneof(fc.constantFrom('image/png', 'text/html', ''), hostileString),
    data: fc.oneof(hostileText, fc.constant('x'.repeat(5000)), fc.constant('')),
  });
  const request = fc.oneof(
    fc.record({
      kind: fc.constant('upload' as const),
      boundary,
      parts: fc.array(part, { maxLength: 3 }),
      closed: fc.boolean(),
      contentType: fc.oneof(
        fc.constant('multipart/form-data; boundary=BOUNDARY'),
        fc.constant('multipart/form-data'),
        fc.constant('application/json'),
        hostileString.map(headerSafe),
      ),
      auth: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('get' as const),
      id: fc.oneof(
        fc.uuid(),
        hostileString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'))),
      ),
      thumb: fc.boolean(),
      cookie: fc.oneof(
        fc.constant(undefined),
        fc.constant('echora_media=TOKEN'),
        hostileString.map((s) => `echora_media=${headerSafe(s)}`),
      ),
      auth: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('profile' as const),
      body: fc.oneof(
        mangled(
          fc.record({
            displayName: fc.oneof(fc.constant('Ok'), hostileString),
            bio: hostileString,
            pronouns: hostileString,
            statusText: hostileString,
            avatarUploadId: fc.oneof(fc.uuid(), fc.constant(null), hostileString),
          }),
        ).map((v) => JSON.stringify(v)),
        hostileValue.map((v) => JSON.stringify(v)),
        hostileText,
      ),
      auth: fc.boolean(),
    }),
  );

  it('answers with typed errors or success, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const auth: Record<string, string> = r.auth ? { authorization: `Bearer ${token}` } : {};
        let res;
        if (r.kind === 'upload') {
          res = await app.inject({
            method: 'POST',
            url: '/api/uploads',
            headers: {
              ...auth,
              'content-type': r.contentType.replace('BOUNDARY', r.boundary),
            },
            payload: multipart(r.boundary, r.parts, r.closed),
          });
        } else if (r.kind === 'get') {
          res = await app.inject({
            method: 'GET',
            url: `/api/files/${r.id}${r.thumb ? '/thumb' : ''}`,
            headers: { ...auth, ...(r.cookie ? { cookie: r.cookie.replace('TOKEN', token) } : {}) },
          });
        } else {
          res = await app.inject({
            method: 'PATCH',
            url: '/api/profile',
            headers: { ...auth, 'content-type': 'application/json' },
            payload: r.body,
          });
        }
        expect(
          res.statusCode,
          `${r.kind} -> ${res.statusCode} ${res.body.slice(0, 200)}`,
        ).toBeLessThan(500);
        if (res.statusCode >= 400) {
          const error = res.json<{ error?: { kind?: unknown; message?: unknown } }>().error;
          expect(kinds.has(String(error?.kind)), res.body.slice(0, 200)).toBe(true);
          expect(typeof error?.message).toBe('string');
        }
      }),
      fuzzParams(120),
    );
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  }, 120_000);
});
