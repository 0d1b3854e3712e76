import { createHash } from 'node:crypto';

/** SFU URLs may be listed as http(s); browsers need the ws(s) form. */
export function toWsUrl(url: string): string {
  return url.replace(/^http(s?):\/\//, 'ws$1://').replace(/\/$/, '');
}

/**
 * The SFU node of a voice channel: rendezvous hashing of the channel id over
 * the list, so every sync node picks the same one, and adding or removing a
 * node moves only the channels that hashed to it.
 */
export function pickNode(channelId: string, urls: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1n;
  for (const url of urls) {
    const digest = createHash('sha256').update(`${url}\n${channelId}`).digest();
    const score = digest.readBigUInt64BE(0);
    if (score > bestScore) {
      bestScore = score;
      best = url;
    }
  }
  return best === undefined ? undefined : toWsUrl(best);
}

/**
 * The SFU started beside this server (no `SFU_URLS`): same host name the
 * browser used, the SFU's port, wss behind https so the page may open it.
 */
export function localNode(hostname: string, protocol: string, sfuPort: number): string {
  const host = hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname;
  return `${protocol === 'https' ? 'wss' : 'ws'}://${host}:${sfuPort}`;
}
