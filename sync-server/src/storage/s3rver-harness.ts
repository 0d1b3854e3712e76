import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3StorageOptions } from './s3.ts';

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

/** A running S3-protocol server (s3rver) on a loopback port, for tests and e2e. */
export interface S3rverHarness {
  /** Options for {@link createS3Storage} pointing at it. */
  options: S3StorageOptions;
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 with a fresh bucket in a temporary folder. */
export async function startS3rver(bucket = 'echora-test'): Promise<S3rverHarness> {
  const directory = await mkdtemp(join(tmpdir(), 'echora-s3rver-'));
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    options: {
      bucket,
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    },
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
