import type { FastifyInstance } from 'fastify';
import { createStorage, type FileStorage } from '../../storage/index.ts';
import { profileRoutes } from '../profiles/routes.ts';
import { sweepFiles } from './cleanup.ts';
import { fileRoutes } from './routes.ts';

/** How often each node sweeps orphaned files. */
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/**
 * Files and profiles under `api` (the `/api` scope): uploads, file serving,
 * `PATCH /profile`, and an hourly sweep of orphaned files. `storage` defaults
 * to the backend the configuration names; tests pass their own. Returns the
 * storage, for other routes that take uploads (bot and webhook avatars).
 */
export async function registerFiles(
  api: FastifyInstance,
  storage?: FileStorage,
): Promise<FileStorage> {
  const store = storage ?? createStorage(api.config.storage);
  await api.register(fileRoutes, { storage: store });
  await api.register(profileRoutes, { storage: store });
  const sweep = () => {
    sweepFiles(api.db, store).catch((err: unknown) => {
      api.log.warn({ err }, 'file sweep failed');
    });
  };
  const timer = setInterval(sweep, SWEEP_EVERY_MS);
  timer.unref();
  api.addHook('onClose', async () => {
    clearInterval(timer);
    // The caller owns a storage it passed in.
    if (!storage) await store.close();
  });
  return store;
}
