/**
 * The soak's probe, in a process of its own so the load of the 1,000 soak
 * clients in the main process does not delay it: one sync socket sends a
 * `ping` every 50 ms and prints, every SOAK_REPORT_S seconds, the longest a
 * ping waited for its `pong` (an upper bound on the server's event-loop stalls).
 * Reads the server's socket URL and a token from PROBE_WS and PROBE_TOKEN.
 */
import { connect } from './lib/echora.ts';

const REPORT_S = Number(process.env.SOAK_REPORT_S ?? 30);
let sentPing = 0;
let worst = 0;
const probe = await connect(process.env.PROBE_WS ?? '', process.env.PROBE_TOKEN ?? '', (raw) => {
  if (raw !== '{"type":"pong"}' || sentPing === 0) return;
  worst = Math.max(worst, performance.now() - sentPing);
  sentPing = 0;
});
setInterval(() => {
  if (sentPing !== 0) return; // still waiting: the stall is growing
  sentPing = performance.now();
  probe.ws.send('{"type":"ping"}');
}, 50);
console.log('probe ready');
setInterval(() => {
  // A ping still unanswered counts for as long as it has waited.
  const pending = sentPing === 0 ? 0 : performance.now() - sentPing;
  console.log(`probe worst=${Math.max(worst, pending).toFixed(1)}`);
  worst = 0;
}, REPORT_S * 1000);
