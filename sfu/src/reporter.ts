import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import {
  VOICE_REPORT_AUDIENCE,
  VOICE_REPORT_INTERVAL_MS,
  type VoiceNodeReport,
  type VoiceParticipant,
  type VoiceSessionPerms,
} from '@echora/shared/voice/index';

/** Changes within this window go out as one report. */
const COALESCE_MS = 50;
const REPORT_TIMEOUT_MS = 5_000;

export interface ReporterOptions {
  syncUrl: string;
  secret: string;
  /** The node name the sync server keys this node's participants by. */
  node: string;
  /** This node's control URL, sent with each report so the sync server can reach it. */
  control?: string;
  participants(): VoiceParticipant[];
  /** What each participant may do here now, so the sync server can correct it. */
  perms(): VoiceSessionPerms[];
  log(message: string): void;
}

/**
 * Posts this node's whole voice state to the sync server on every change and
 * every few seconds. Whole snapshots make a lost post harmless, and the
 * heartbeat lets the sync server forget a node that died.
 */
export class VoiceReporter {
  private readonly epoch = randomUUID();
  private seq = 0;
  private pending: NodeJS.Timeout | undefined;
  private inFlight = false;
  private dirty = false;
  private readonly heartbeat: NodeJS.Timeout;
  private failing = false;

  constructor(private readonly options: ReporterOptions) {
    this.heartbeat = setInterval(() => this.changed(), VOICE_REPORT_INTERVAL_MS);
    this.heartbeat.unref();
    this.changed();
  }

  /** Something changed: report soon. */
  changed(): void {
    this.dirty = true;
    if (this.pending || this.inFlight) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.flush();
    }, COALESCE_MS);
  }

  private async flush(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    this.inFlight = true;
    const report: VoiceNodeReport = {
      node: this.options.node,
      seq: ++this.seq,
      epoch: this.epoch,
      participants: this.options.participants(),
      perms: this.options.perms(),
      ...(this.options.control ? { control: this.options.control } : {}),
    };
    try {
      const token = await new SignJWT({ node: this.options.node })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime('60s')
        .setAudience(VOICE_REPORT_AUDIENCE)
        .sign(new TextEncoder().encode(this.options.secret));
      const response = await fetch(new URL('/api/internal/voice/report', this.options.syncUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(report),
        signal: AbortSignal.timeout(REPORT_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`status ${response.status}`);
      if (this.failing) this.options.log('voice reports reach the sync server again');
      this.failing = false;
    } catch (error) {
      // Said once per outage, not once per heartbeat; the next heartbeat retries.
      if (!this.failing) this.options.log(`voice report failed: ${String(error)}`);
      this.failing = true;
      this.dirty = true;
    } finally {
      this.inFlight = false;
    }
    if (this.dirty && !this.failing) this.changed();
  }

  stop(): void {
    clearInterval(this.heartbeat);
    clearTimeout(this.pending);
  }
}
