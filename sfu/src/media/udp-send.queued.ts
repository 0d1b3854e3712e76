/**
 * Run by udp-send.test.ts under `node --test-udp-no-try-send`: every datagram
 * is queued, so each send takes a new request and the queued packets must
 * stay alive and unchanged until they go. Prints what arrived.
 */
import { createSocket } from 'node:dgram';
import { sendDatagram } from './udp-send.ts';

const receiver = createSocket('udp4');
const sender = createSocket('udp4');
await new Promise<void>((done) => receiver.bind(0, '127.0.0.1', done));
await new Promise<void>((done) => sender.bind(0, '127.0.0.1', done));
const count = 200;
const got: string[] = [];
receiver.on('message', (m) => {
  got.push(m.toString());
  if (got.length < count) return;
  const intact = got.every((text, i) => text === `packet ${i} `.padEnd(100, '.'));
  console.log(
    `${got.length} ${intact ? 'intact, in order' : 'corrupted or out of order'}, ${queuedSeen} queued`,
  );
  receiver.close();
  sender.close();
});
let queuedSeen = 0;
for (let i = 0; i < count; i++) {
  sendDatagram(
    sender,
    Buffer.from(`packet ${i} `.padEnd(100, '.')),
    receiver.address().port,
    '127.0.0.1',
  );
  if (sender.getSendQueueCount() > 0) queuedSeen++;
  // Give the collector a chance at buffers only the queued requests hold.
  if (i % 50 === 49) (globalThis as { gc?: () => void }).gc?.();
}
