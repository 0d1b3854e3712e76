import { VOICE_GRANT_TTL_S, type VoiceGrantResponse } from '@echora/shared/voice/index';

/** Renew this long before the grant expires: half its life, so one failed try has time for more. */
const RENEW_BEFORE_MS = (VOICE_GRANT_TTL_S * 1000) / 2;
/** Bounds of the wait, whatever the clocks say (the expiry is the server's clock). */
const MIN_WAIT_MS = 5_000;
const MAX_WAIT_MS = RENEW_BEFORE_MS;
/** After a network failure, try again this soon. */
const RETRY_MS = 5_000;

/** Refusals of a grant that no retry will change. */
const FINAL_KINDS = new Set(['forbidden', 'not_found', 'invalid', 'unauthorized']);

/** Whether a failed grant request was a refusal (final), not a network failure (worth a retry). */
export function isFinalRefusal(error: unknown): boolean {
  const kind = (error as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' && FINAL_KINDS.has(kind);
}

export interface RenewalEvents {
  /** A fresh grant: send it on the SFU socket. */
  renewed(grant: VoiceGrantResponse): void;
  /** The sync server refused: the user may no longer be in this channel. */
  refused(error: { kind: string; message: string }): void;
}

/**
 * Renews a call's voice grant every half lifetime (30 s): the SFU ends a
 * session whose grant expired, and the sync server computes the perms again
 * for each grant, so a change the SFU was not told of lasts a minute at most.
 */
export class GrantRenewal {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly request: () => Promise<VoiceGrantResponse>,
    private readonly events: RenewalEvents,
  ) {}

  /** Counts down to the renewal of a grant expiring at `expiresAt` (epoch ms). */
  schedule(expiresAt: number): void {
    const wait = Math.min(
      MAX_WAIT_MS,
      Math.max(MIN_WAIT_MS, expiresAt - Date.now() - RENEW_BEFORE_MS),
    );
    this.wait(wait);
  }

  private wait(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.renew(), ms);
  }

  private async renew(): Promise<void> {
    let grant: VoiceGrantResponse;
    try {
      grant = await this.request();
    } catch (error) {
      if (this.stopped) return;
      if (isFinalRefusal(error)) {
        const { kind, message } = error as { kind: string; message?: unknown };
        return this.events.refused({ kind, message: typeof message === 'string' ? message : '' });
      }
      // Offline or the server restarting: the SFU keeps the session until the expiry.
      return this.wait(RETRY_MS);
    }
    if (this.stopped) return;
    this.events.renewed(grant);
    this.schedule(grant.expiresAt);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
