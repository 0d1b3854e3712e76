import type { DeviceHit } from './device-index.ts';
import type { FromSearchWorker, ToSearchWorker } from './worker-protocol.ts';

/** The page's handle on the search worker: one query answer per request, in any order. */
export class DeviceSearch {
  readonly #worker: Worker;
  readonly #waiting = new Map<
    number,
    { resolve: (h: DeviceHit[]) => void; reject: (e: Error) => void }
  >();
  #next = 0;
  /** Messages in the device index, as last reported. */
  size = 0;

  constructor(replicaName: string) {
    this.#worker = new Worker(new URL('./search.worker.ts', import.meta.url), { type: 'module' });
    this.#worker.onmessage = (event: MessageEvent<FromSearchWorker>) => {
      const m = event.data;
      if (m.type === 'indexed') {
        this.size = m.size;
        return;
      }
      const waiting = this.#waiting.get(m.requestId);
      this.#waiting.delete(m.requestId);
      if (m.type === 'results') waiting?.resolve(m.hits);
      else waiting?.reject(new Error(m.message));
    };
    this.#send({ type: 'open', replica: replicaName });
  }

  #send(message: ToSearchWorker): void {
    this.#worker.postMessage(message);
  }

  search(q: string): Promise<DeviceHit[]> {
    const requestId = ++this.#next;
    return new Promise((resolve, reject) => {
      this.#waiting.set(requestId, { resolve, reject });
      this.#send({ type: 'search', requestId, q });
    });
  }

  dispose(): void {
    this.#worker.terminate();
    for (const w of this.#waiting.values()) w.reject(new Error('search closed'));
    this.#waiting.clear();
  }
}
