#!/usr/bin/env node
// @ts-check
// `npm start`: build the client (unless skipped), compile the servers to
// JavaScript, then run the compiled sync server (which serves the built
// client on the same port) and SFU with plain `node`: nothing transpiles at
// run time. `npm run dev` (--dev) runs the TypeScript sources through tsx,
// with reload, and Vite's dev server beside them instead of building.
//
// ECHORA_SKIP_BUILD=1 skips the client build (CI and tests build once); the
// servers always compile (under a second). Build output shows only when a
// build fails, so the first line of the server says where to open the app.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const hasClient = existsSync(join(root, 'client', 'vite.config.ts'));

/**
 * Runs a build step quietly; on failure prints its output and exits.
 * @param {string} what
 * @param {string} command
 * @param {string[]} args
 */
function buildStep(what, command, args) {
  const build = spawnSync(command, args, { cwd: root, encoding: 'utf8', stdio: 'pipe' });
  if (build.status === 0) return;
  process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}`);
  console.error(`${what} failed; not starting the server.`);
  process.exit(build.status ?? 1);
}

if (!dev) {
  if (hasClient && process.env.ECHORA_SKIP_BUILD !== '1') {
    console.log('Building the client...');
    buildStep('Client build', npm, ['run', 'build', '-w', 'client']);
  }
  buildStep('Server build', process.execPath, [join(root, 'scripts', 'build-server.mjs')]);
}

const env = {
  ...process.env,
  NODE_ENV: process.env.NODE_ENV ?? (dev ? 'development' : 'production'),
};
/** @type {import('node:child_process').ChildProcess[]} */
const children = [];

/**
 * Starts one process of the app; when any of them ends, all stop.
 * @param {string} name
 * @param {string} command
 * @param {string[]} args
 */
function run(name, command, args, cwd = root) {
  const child = spawn(command, args, { cwd, env, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    // One process ending ends them all: a half-running server is worse than none.
    if (!stopping) console.error(`${name} exited (${signal ?? code}); stopping.`);
    stop(signal ? 1 : (code ?? 1));
  });
  children.push(child);
  return child;
}

let stopping = false;
let exitCode = 0;
/** @param {number} code */
function stop(code) {
  if (!stopping) exitCode = code;
  stopping = true;
  const alive = children.filter((child) => child.exitCode === null && child.signalCode === null);
  if (alive.length === 0) process.exit(exitCode);
  for (const child of alive) child.kill('SIGTERM');
}

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill(signal);
  });
}

if (dev) run('sync-server', tsx, ['watch', 'sync-server/src/server.ts']);
else run('sync-server', process.execPath, ['--enable-source-maps', 'sync-server/dist/server.js']);

// --- SFU: the local voice server, unless SFU_URLS names external nodes. It reads
// VOICE_GRANT_SECRET, or the same <DATA_DIR>/voice-secret file the sync server keeps.
if (!process.env.SFU_URLS?.trim()) {
  if (dev) run('sfu', tsx, ['sfu/src/server.ts']);
  else run('sfu', process.execPath, ['--enable-source-maps', 'sfu/dist/server.js']);
}
// --- end SFU

if (dev && hasClient) run('vite', npm, ['run', 'dev', '-w', 'client']);
