import { fileURLToPath } from 'node:url';

/**
 * The repository root. Both `sync-server/src/` (tsx, tests) and the built
 * `sync-server/dist/` (one bundle per entry point) sit two levels below it,
 * so this holds for the source and the compiled server alike.
 */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
