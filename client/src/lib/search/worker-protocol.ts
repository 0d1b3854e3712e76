import type { DeviceHit } from './device-index.ts';

/** From the page to the search worker. */
export type ToSearchWorker =
  { type: 'open'; replica: string } | { type: 'search'; requestId: number; q: string };

/** From the search worker to the page. */
export type FromSearchWorker =
  | { type: 'indexed'; size: number }
  | { type: 'results'; requestId: number; hits: DeviceHit[] }
  | { type: 'error'; requestId: number; message: string };
