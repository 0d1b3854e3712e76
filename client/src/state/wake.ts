import type { EnginePort } from '../lib/engine-port.ts';
import type { Platform } from '../platform/index.ts';

/**
 * Reconnects at once, instead of after the socket's backoff, when the app
 * comes back: on resume (a phone's socket usually died in the background
 * without saying so) always, and when the network returns if it was offline.
 * The new socket sends its cursors, so the replica catches up on what it missed.
 */
export function reconnectWhenBack(
  device: Pick<Platform, 'onResume' | 'onOnlineChange'>,
  engine: Pick<EnginePort, 'state' | 'start' | 'stop'>,
): () => void {
  const restart = () => {
    engine.stop();
    engine.start();
  };
  const offResume = device.onResume(restart);
  const offOnline = device.onOnlineChange((online) => {
    if (online && engine.state === 'offline') restart();
  });
  return () => {
    offResume();
    offOnline();
  };
}
