import type { Bus, BusEvent, BusHandler } from './types.ts';

/** The in-process bus of a single node: delivers synchronously, in publish order. */
export function createMemoryBus(): Bus {
  const handlers = new Set<BusHandler>();
  return {
    kind: 'memory',
    publish(event: BusEvent) {
      for (const handler of handlers) deliver(handler, event);
      return Promise.resolve();
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    ready: () => true,
    close() {
      handlers.clear();
      return Promise.resolve();
    },
  };
}

/** One failing subscriber must not stop delivery to the others or reach the publisher. */
export function deliver(handler: BusHandler, event: BusEvent): void {
  try {
    handler(event);
  } catch (err) {
    console.error('bus handler failed', err);
  }
}
