import type { Config } from '../config.ts';
import { createLocalStorage } from './local.ts';
import { createS3Storage } from './s3.ts';
import type { FileStorage } from './types.ts';

export type { FileStorage, ServeAs } from './types.ts';

/** The backend `STORAGE_BACKEND` names (local disk unless `s3`). */
export function createStorage(config: Config['storage']): FileStorage {
  if (config.backend === 'local') return createLocalStorage(config.path);
  if (!config.s3.bucket) throw new Error('S3_BUCKET is required with STORAGE_BACKEND=s3');
  return createS3Storage({
    bucket: config.s3.bucket,
    region: config.s3.region,
    endpoint: config.s3.endpoint,
    forcePathStyle: config.s3.forcePathStyle,
  });
}
