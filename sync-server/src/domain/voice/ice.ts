import { validator } from '@echora/shared';
import { iceServerSchema, type IceServer } from '@echora/shared/voice/index';
import { Type } from 'typebox';

const checkServers = validator(Type.Array(iceServerSchema, { maxItems: 16 }));

/**
 * ICE servers handed to browsers with each grant. `ICE_SERVERS` is a JSON
 * array of RTCIceServer (TURN with credentials for strict NATs), or a comma
 * list of `stun:`/`turn:` URLs. None by default: on a LAN or an offline
 * machine host candidates are enough.
 */
export function parseIceServers(raw: string | undefined): IceServer[] {
  const text = raw?.trim();
  if (!text) return [];
  if (text.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new Error('Invalid configuration: ICE_SERVERS is not valid JSON');
    }
    const checked = checkServers(value);
    if (!checked.ok) throw new Error(`Invalid configuration: ICE_SERVERS ${checked.error.message}`);
    return checked.value;
  }
  const urls = text
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  for (const url of urls)
    if (!/^(stun|stuns|turn|turns):/.test(url))
      throw new Error(
        `Invalid configuration: ICE_SERVERS entry must be a stun: or turn: URL, got "${url}"`,
      );
  return urls.map((url) => ({ urls: url }));
}
