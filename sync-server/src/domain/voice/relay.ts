import type { VoiceNodeReport } from '@echora/shared/voice/index';
import type { Bus } from '../../bus/types.ts';
import type { VoiceStateStore } from './state.ts';

/** How often each node forgets SFU nodes that stopped reporting. */
const SWEEP_MS = 2_000;

/** Shares SFU reports between sync nodes over the bus. */
export interface VoiceRelay {
  /**
   * Puts a report the SFU node posted here on the bus; every node (this one
   * too) applies it to its store, and this one speaks for that SFU node.
   */
  publish(report: VoiceNodeReport): Promise<void>;
  stop(): void;
}

/**
 * Feeds `store` from the bus: an SFU node reports to one sync node, which
 * publishes the report; every node applies it with its own clock, so when the
 * SFU (or the sync node it reports to) dies, its participants expire on every
 * node after `VOICE_NODE_TTL_MS`, like presence entries whose Redis TTL ran out.
 * A node that starts says `voice.hello`, and the others put the reports they
 * hold back on the bus, so it need not wait for the SFUs' next heartbeat.
 */
export function startVoiceRelay(bus: Bus, store: VoiceStateStore, nodeId: string): VoiceRelay {
  const off = bus.subscribe((event) => {
    if (event.type === 'voice') store.apply(event.report);
    else if (event.type === 'voice.hello' && event.nodeId !== nodeId)
      // Peers already hold these seqs and ignore them; only the new node takes them.
      for (const report of store.reports())
        bus.publish({ type: 'voice', report }).catch((err: unknown) => {
          console.error('voice relay: republish failed', err);
        });
  });
  // A node that starts asks for what the others know rather than wait for the next heartbeat.
  bus.publish({ type: 'voice.hello', nodeId }).catch((err: unknown) => {
    console.error('voice relay: hello failed', err);
  });
  const sweeper = setInterval(() => store.expire(), SWEEP_MS);
  sweeper.unref();
  return {
    publish: (report) => {
      store.markReceived(report);
      return bus.publish({ type: 'voice', report });
    },
    stop() {
      off();
      clearInterval(sweeper);
    },
  };
}
