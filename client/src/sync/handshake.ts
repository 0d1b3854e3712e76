import { newId, PROTOCOL_VERSION, type AuthUp } from '@echora/shared';
import { allCursors } from './apply.ts';
import { kvRead, kvWrite, type Replica } from './replica.ts';

/** This device's client id for the server's exactly-once records, made once and kept. */
export function loadClientId(replica: Replica): Promise<string> {
  return replica.transaction('rw', replica.kv, async () => {
    const held = await kvRead<string>(replica, 'clientId');
    if (held) return held;
    const made = newId();
    await kvWrite(replica, 'clientId', made);
    return made;
  });
}

/** The socket's first frame: the token, this client, the protocol and every cursor held. */
export async function authFrame(
  replica: Replica,
  token: string,
  clientId: string,
): Promise<AuthUp> {
  return {
    type: 'auth',
    token,
    clientId,
    protocolVersion: PROTOCOL_VERSION,
    cursors: await allCursors(replica),
  };
}
