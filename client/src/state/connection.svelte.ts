import type { ConnectionState, EnginePort } from '../lib/engine-port.ts';

/** The socket's state and the queued mutations, for the status line. */
export class Connection {
  state: ConnectionState = $state('offline');
  pending = $state(0);

  label = $derived(
    this.state === 'online'
      ? 'Online'
      : this.state === 'connecting'
        ? 'Connecting…'
        : `Offline — ${this.pending} queued`,
  );

  #unsubscribe: (() => void)[];

  constructor(engine: EnginePort) {
    this.state = engine.state;
    this.pending = engine.pendingCount();
    this.#unsubscribe = [
      engine.onState((s) => (this.state = s)),
      engine.onPending((n) => (this.pending = n)),
    ];
  }

  dispose(): void {
    for (const off of this.#unsubscribe) off();
  }
}
