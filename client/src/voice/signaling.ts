import { VoiceCloseCode, type SignalDown, type SignalUp } from '@echora/shared/voice/index';

/** Why the SFU socket closed, by the reason key the SFU sends (`GRANT_EXPIRED`...). */
export interface SignalClose {
  code: number;
  reason: string;
  /** What follows the key (`ACCESS_REVOKED: banned` → `banned`). */
  detail: string;
  /** Worth reconnecting with a fresh grant (network loss, media failure, expiry). */
  retry: boolean;
}

/** Codes after which reconnecting is pointless or unwanted. */
const FINAL = new Set<number>([
  VoiceCloseCode.normal,
  VoiceCloseCode.grantInvalid,
  VoiceCloseCode.wrongNode,
  VoiceCloseCode.forbidden,
  VoiceCloseCode.replaced,
  VoiceCloseCode.accessRevoked,
]);

/**
 * The SFU signaling socket: JSON frames both ways, the grant in the first
 * frame (never in the URL, so it stays out of logs and history).
 */
export class SignalingSocket {
  private readonly ws: WebSocket;
  private closed = false;

  constructor(
    url: string,
    join: { grant: string; muted: boolean; deafened: boolean },
    private readonly onSignal: (signal: SignalDown) => void,
    private readonly onClose: (close: SignalClose) => void,
  ) {
    this.ws = new WebSocket(url);
    this.ws.onopen = () => this.send({ type: 'join', ...join });
    this.ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      try {
        this.onSignal(JSON.parse(event.data) as SignalDown);
      } catch (error) {
        console.error('voice signal', error);
      }
    };
    this.ws.onclose = (event) => {
      if (this.closed) return;
      this.closed = true;
      const [reason = '', ...rest] = event.reason.split(':');
      this.onClose({
        code: event.code,
        reason,
        detail: rest.join(':').trim(),
        retry: !FINAL.has(event.code),
      });
    };
  }

  send(
    signal: SignalUp | { type: 'join'; grant: string; muted: boolean; deafened: boolean },
  ): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(signal));
  }

  /** Leaves politely, then closes; no close callback for a close we asked for. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.send({ type: 'leave' });
    this.ws.close(1000, 'left');
  }
}
