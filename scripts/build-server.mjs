#!/usr/bin/env node
// @ts-check
// Compiles the servers to plain JavaScript, so production runs `node` on
// built files and nothing transpiles at run time: one ES module bundle per
// entry point, with `@echora/shared` compiled in and every npm package left
// to node_modules (native addons, pino's transports and the like load as
// they are). Output: sync-server/dist/*.js and sfu/dist/server.js.
//
// Each bundle sits in `<package>/dist/`, as deep as `<package>/src/`, so
// paths the code makes from `import.meta.url` (the repository root, the
// migrations folder) hold in both.
//
// `node scripts/build-server.mjs test-dist` writes `<package>/test-dist/`
// instead: the tests' own copy (`npm test` builds it once and every test
// server runs it), which a test that rebuilds `dist/` never moves aside.
import { build } from 'esbuild';
import { rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outName = process.argv[2] ?? 'dist';
if (outName !== 'dist' && outName !== 'test-dist') {
  console.error(`Usage: build-server.mjs [dist|test-dist], not ${outName}`);
  process.exit(2);
}

/**
 * Bare imports stay imports, except the workspace's own TypeScript packages.
 * @type {import('esbuild').Plugin}
 */
const packagesExternal = {
  name: 'packages-external',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@echora/') ? undefined : { path: args.path, external: true },
    );
  },
};

const targets = [
  { dir: 'sync-server', entries: ['server', 'admin', 'backup', 'cluster'] },
  { dir: 'sfu', entries: ['server'] },
];

/**
 * Moves `built` to `final`, moving aside whatever is there (another build may land meanwhile).
 * @param {string} built
 * @param {string} final
 */
async function swapIn(built, final) {
  for (let attempt = 0; ; attempt++) {
    const old = `${final}.${process.pid}.old${attempt}`;
    await rename(final, old).catch((/** @type {NodeJS.ErrnoException} */ err) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await rm(old, { recursive: true, force: true });
    try {
      await rename(built, final);
      return;
    } catch (caught) {
      const err = /** @type {NodeJS.ErrnoException} */ (caught);
      if ((err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') || attempt >= 10) throw err;
    }
  }
}

const started = performance.now();
for (const { dir, entries } of targets) {
  // Built beside the old output, then swapped in by rename: two builds at once
  // (tests run files in parallel) never leave a starting server without its file.
  const final = join(root, dir, outName);
  const outdir = `${final}.${process.pid}.tmp`;
  await rm(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(entries.map((name) => [name, join(dir, 'src', `${name}.ts`)])),
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    plugins: [packagesExternal],
    logLevel: 'warning',
  });
  await swapIn(outdir, final);
}
console.log(`Servers compiled in ${Math.round(performance.now() - started)} ms.`);
