#!/usr/bin/env node
// `npm start`: build the client (unless skipped), then run the sync server,
// which serves the built client on the same port. `npm run dev` (--dev) runs
// Vite's dev server beside it instead of building.
//
// ECHORA_SKIP_BUILD=1 skips the client build (CI and tests build once).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dev = process.argv.includes('--dev');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const hasClient = existsSync(join(root, 'client', 'vite.config.ts'));

if (!dev && hasClient && process.env.ECHORA_SKIP_BUILD !== '1') {
  const build = spawnSync(npm, ['run', 'build', '-w', 'client'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('Client build failed; not starting the server.');
    process.exit(build.status ?? 1);
  }
}

const env = {
  ...process.env,
  NODE_ENV: process.env.NODE_ENV ?? (dev ? 'development' : 'production'),
};
/** @type {import('node:child_process').ChildProcess[]} */
const children = [];

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
function stop(code) {
  if (!stopping) exitCode = code;
  stopping = true;
  const alive = children.filter((child) => child.exitCode === null && child.signalCode === null);
  if (alive.length === 0) process.exit(exitCode);
  for (const child of alive) child.kill('SIGTERM');
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill(signal);
  });
}

run(
  'sync-server',
  tsx,
  dev ? ['watch', 'sync-server/src/server.ts'] : ['sync-server/src/server.ts'],
);

// --- SFU: the local voice server, unless SFU_URLS names external nodes. It reads
// VOICE_GRANT_SECRET, or the same <DATA_DIR>/voice-secret file the sync server keeps.
if (!process.env.SFU_URLS?.trim()) run('sfu', tsx, ['sfu/src/server.ts']);
// --- end SFU

if (dev && hasClient) run('vite', npm, ['run', 'dev', '-w', 'client']);
