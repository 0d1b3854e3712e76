import { connect, sendMessage, type SyncClient } from './echora.ts';

/** A sync client that can send one message and wait for its ack. */
export interface AckingClient {
  client: SyncClient;
  /** Sends to `channelId`; resolves with the ack's latency in ms. */
  send(channelId: string, content: string): Promise<number>;
}

/** Connects and routes `ack`/`reject` frames to the sends waiting for them. */
export async function ackingClient(
  wsUrl: string,
  token: string,
  onOther?: (raw: string) => void,
): Promise<AckingClient> {
  const waiting = new Map<
    number,
    { at: number; resolve: (ms: number) => void; reject: (e: Error) => void }
  >();
  const client = await connect(wsUrl, token, (raw) => {
    if (raw.startsWith('{"type":"ack"') || raw.startsWith('{"type":"reject"')) {
      const f = JSON.parse(raw) as { type: string; seq: number; error?: { message: string } };
      const w = waiting.get(f.seq);
      if (!w) return;
      waiting.delete(f.seq);
      if (f.type === 'ack') w.resolve(performance.now() - w.at);
      else w.reject(new Error(`rejected: ${f.error?.message ?? ''}`));
    } else onOther?.(raw);
  });
  return {
    client,
    send: (channelId, content) =>
      new Promise((resolve, reject) => {
        const at = performance.now();
        const seq = sendMessage(client, channelId, content);
        waiting.set(seq, { at, resolve, reject });
      }),
  };
}
