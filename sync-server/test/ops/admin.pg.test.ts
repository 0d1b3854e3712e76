/**
 * `npm run admin` commands against the server's own database code, on
 * Postgres and PGlite; each effect is checked through the HTTP API the way a
 * user would meet it (log in with the new password, a refused refresh token).
 */
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdmin, type AdminContext } from '../../src/admin/commands.ts';
import { createTestApp, registerUser, testConfig } from '../helpers/app.ts';
import { createPgTestDatabase, describeEachDb } from '../helpers/db.ts';
import { createDb, migrate } from '../../src/db/index.ts';
import { login, register } from '../../src/domain/auth/accounts.ts';

const ADMIN = fileURLToPath(new URL('../../src/admin.ts', import.meta.url));

describeEachDb('admin CLI', (getDb) => {
  let app: FastifyInstance;
  const dataDir = testConfig().dataDir;

  /** Runs one command; answers its exit code and printed lines. */
  async function admin(args: string[], stdin?: string) {
    const lines: string[] = [];
    const context: AdminContext = {
      db: getDb(),
      dataDir,
      secretsFromEnv: [],
      out: (line) => lines.push(line),
      readPassword: () => Promise.resolve(stdin),
    };
    const code = await runAdmin(args, context);
    return { code, output: lines.join('\n') };
  }

  const login = (username: string, password: string) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password, tokenDelivery: 'body' },
    });
  const refresh = (refreshToken: string) =>
    app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken } });

  beforeAll(async () => {
    app = await createTestApp(getDb());
    await registerUser(app, 'founder');
  });
  afterAll(async () => {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reset-password sets the piped password and ends the old sessions', async () => {
    const before = await registerUser(app, 'forgetful', 'old password here');
    const { code, output } = await admin(['reset-password', 'FORGETFUL'], 'brand new password');
    expect(code).toBe(0);
    expect(output).toContain('1 session(s) ended');
    expect(output).not.toContain('brand new password');
    expect((await login('forgetful', 'brand new password')).statusCode).toBe(200);
    expect((await login('forgetful', 'old password here')).statusCode).toBe(401);
    expect((await refresh(before.refreshToken)).statusCode).toBe(401);
  });

  it('reset-password without a piped password generates one and prints it once', async () => {
    await registerUser(app, 'generated');
    const { code, output } = await admin(['reset-password', 'generated']);
    expect(code).toBe(0);
    const password = /New password: (\S+)/.exec(output)?.[1] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect((await login('generated', password)).statusCode).toBe(200);
  });

  it('reset-password refuses a password that breaks the rules', async () => {
    const { code, output } = await admin(['reset-password', 'generated'], 'short');
    expect(code).toBe(1);
    expect(output).toMatch(/at least 8 characters/);
  });

  it('sessions lists each session; revoke-sessions ends them all', async () => {
    const first = await registerUser(app, 'traveller');
    const second = (await login('traveller', 'correct horse battery')).json<{
      refreshToken: string;
    }>();
    const listed = await admin(['sessions', 'traveller']);
    expect(listed.code).toBe(0);
    expect(listed.output.split('\n').filter((line) => line.includes(' active '))).toHaveLength(2);

    const revoked = await admin(['revoke-sessions', 'traveller']);
    expect(revoked.code).toBe(0);
    expect(revoked.output).toMatch(/^2 session\(s\) of traveller ended/);
    expect((await refresh(first.refreshToken)).statusCode).toBe(401);
    expect((await refresh(second.refreshToken)).statusCode).toBe(401);
    const after = await admin(['sessions', 'traveller']);
    expect(after.output).not.toContain(' active ');
    expect(after.output.split('\n').filter((line) => line.includes(' ended '))).toHaveLength(2);
  });

  it('promote-owner hands the community to the user', async () => {
    const heir = await registerUser(app, 'heir');
    expect(heir.user.isOwner).toBe(false);
    const { code } = await admin(['promote-owner', 'heir']);
    expect(code).toBe(0);
    const me = await app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: `Bearer ${heir.accessToken}` },
    });
    expect(me.json<{ user: { isOwner: boolean } }>().user.isOwner).toBe(true);
    const founder = await login('founder', 'correct horse battery');
    expect(founder.json<{ user: { isOwner: boolean } }>().user.isOwner).toBe(false);
  });

  it('rotate-secrets replaces both stored secrets and this machine’s mirrors', async () => {
    const stored = async () =>
      Object.fromEntries(
        (
          await getDb().query<{ name: string; value: string }>(
            'SELECT name, value FROM server_secrets ORDER BY name',
          )
        ).rows.map((row) => [row.name, row.value]),
      );
    await admin(['rotate-secrets']);
    const before = await stored();
    const { code, output } = await admin(['rotate-secrets']);
    expect(code).toBe(0);
    expect(output).toContain('Restart every node');
    const after = await stored();
    expect(Object.keys(after).sort()).toEqual(['JWT_SECRET', 'VOICE_GRANT_SECRET']);
    expect(after.JWT_SECRET).not.toBe(before.JWT_SECRET);
    expect(after.VOICE_GRANT_SECRET).not.toBe(before.VOICE_GRANT_SECRET);
    expect((await readFile(`${dataDir}/jwt-secret`, 'utf8')).trim()).toBe(after.JWT_SECRET);
    expect((await readFile(`${dataDir}/voice-secret`, 'utf8')).trim()).toBe(
      after.VOICE_GRANT_SECRET,
    );
  });

  it('an unknown user or command prints one line and exits 1', async () => {
    const unknown = await admin(['revoke-sessions', 'nobody-here']);
    expect(unknown).toEqual({ code: 1, output: 'No user called "nobody-here"' });
    const bad = await admin(['drop-everything']);
    expect(bad.code).toBe(1);
    expect(bad.output).toMatch(/^Usage: npm run admin/);
    expect((await admin(['sessions'])).code).toBe(1);
  });
});

describe('the admin command as a process', () => {
  for (const kind of ['pg', 'pglite'] as const) {
    it(`resets a password read from stdin [${kind}]`, async () => {
      const dataDir = testConfig().dataDir;
      const database = kind === 'pg' ? await createPgTestDatabase() : undefined;
      const open = () =>
        createDb({ databaseUrl: database?.url, dataDir }).then(async (db) => {
          await migrate(db);
          return db;
        });
      try {
        let db = await open();
        await register(db, { username: 'operator', password: 'locked out forever' });
        await db.close(); // PGlite: one process at a time.

        const { stdout } = await runProcess(
          process.execPath,
          ['--import', 'tsx', ADMIN, 'reset-password', 'operator'],
          { DATA_DIR: dataDir, ...(database ? { DATABASE_URL: database.url } : {}) },
          'back in business\n',
        );
        expect(stdout).toContain('Password of operator reset');

        db = await open();
        await expect(
          login(db, { username: 'operator', password: 'back in business' }),
        ).resolves.toBeTruthy();
        await db.close();
      } finally {
        await database?.drop();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  }
});

/** Runs a command with `input` on stdin; rejects on a non-zero exit. */
function runProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  input: string,
): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { env: { ...process.env, NODE_ENV: 'test', ...env } },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout }),
    );
    child.stdin?.end(input);
  });
}
