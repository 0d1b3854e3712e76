/**
 * The soak's probe, in a process of its own so the load of the 1,000 soak
 * clients in the main process does not delay it: one sync socket sends a
 * `ping` every 50 ms (the next one once the last was answered) and prints,
 * every SOAK_REPORT_S seconds, the ping→pong waits of that window (p99 and
 * the longest, an upper bound on the server's event-loop stalls) and the p99
 * of every wait since it started. Reads the server's socket URL and a token
 * from PROBE_WS and PROBE_TOKEN.
 */
import { connect } from './lib/echora.ts';
import { percentile } from './lib/stats.ts';

const REPORT_S = Number(process.env.SOAK_REPORT_S ?? 30);
let sentPing = 0;
let window: number[] = [];
const all: number[] = [];
const probe = await connect(process.env.PROBE_WS ?? '', process.env.PROBE_TOKEN ?? '', (raw) => {
  if (raw !== '{"type":"pong"}' || sentPing === 0) return;
  const waited = performance.now() - sentPing;
  window.push(waited);
  all.push(waited);
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
  const pending = sentPing === 0 ? [] : [performance.now() - sentPing];
  const waits = [...window, ...pending];
  const worst = Math.max(0, ...waits);
  console.log(
    `probe worst=${worst.toFixed(1)} p99=${percentile(waits, 99).toFixed(1)} ` +
      `n=${waits.length} all_p99=${percentile([...all, ...pending], 99).toFixed(1)} all_n=${all.length}`,
  );
  window = [];
}, REPORT_S * 1000);
