#!/usr/bin/env node
// Compiles the servers to plain JavaScript, so production runs `node` on
// built files and nothing transpiles at run time: one ES module bundle per
// entry point, with `@echora/shared` compiled in and every npm package left
// to node_modules (native addons, pino's transports and the like load as
// they are). Output: sync-server/dist/*.js and sfu/dist/server.js.
//
// Each bundle sits in `<package>/dist/`, as deep as `<package>/src/`, so
// paths the code makes from `import.meta.url` (the repository root, the
// migrations folder) hold in both.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bare imports stay imports, except the workspace's own TypeScript packages. */
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

const started = performance.now();
for (const { dir, entries } of targets) {
  const outdir = join(root, dir, 'dist');
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
}
console.log(`Servers compiled in ${Math.round(performance.now() - started)} ms.`);
