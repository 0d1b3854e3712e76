import { join } from 'node:path';
import { build } from 'vite';
import { repoRoot } from '@echora/testkit';

/**
 * Bundles `entry` (a bench file run inside a page, with the app code it
 * imports) into one IIFE script exposing its exports as `window[name]`.
 * Returns the script's path, for `page.addScriptTag`.
 */
export async function bundleForPage(entry: string, name: string, outDir: string): Promise<string> {
  const fileName = `${name}.js`;
  await build({
    configFile: false,
    root: repoRoot,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      lib: { entry: join(repoRoot, entry), name, formats: ['iife'], fileName: () => fileName },
    },
  });
  return join(outDir, fileName);
}
