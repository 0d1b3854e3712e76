import {
  channelScope,
  COMMUNITY_SCOPE,
  parseScope,
  type ChangesDown,
  type DownMessage,
  type VoiceSnapshotDown,
} from '@echora/shared';
import type { VoiceParticipant } from '@echora/shared/voice/index';
import type { ChangesEvent } from '../bus/types.ts';
import type { Access } from '../domain/permissions/access.ts';
import { catchUp } from './catch-up.ts';
import { visibleOnly } from './visible-changes.ts';
import type { SyncDeps } from './deps.ts';
import type { HubSession } from './hub.ts';
import { SerialQueue } from './serial-queue.ts';
import { catchUpSeconds } from '../metrics/registry.ts';

interface Owner extends HubSession {
  send(frame: DownMessage): void;
  close(code: number, reason: string): void;
  /** Tells a user who is no longer a member why, then closes. */
  removed(userId: string): Promise<void>;
  /** Resolves when the client has read enough that more may be sent. */
  writable(): Promise<void>;
}

/**
 * Keeps one session's scopes current: catch-up on connect, then live changes.
 * Everything that reads the database runs in one queue, so frames of a scope
 * leave in version order; a change whose `from` equals the cursor while the
 * queue is idle goes out at once as the writer's own string.
 */
export class ScopeStreams {
  /** Watched scopes and the version the client has (undefined while a scope catches up). */
  private readonly watched = new Map<string, number | undefined>();
  private readonly queue = new SerialQueue();
  private stopped = false;

  constructor(
    private readonly owner: Owner,
    private readonly deps: SyncDeps,
  ) {}

  /** Catches up `fixed` scopes and every visible channel; revokes the client's other cursors. */
  start(clientCursors: Record<string, number>, fixed: string[]): void {
    for (const scope of fixed) this.watch(scope);
    this.queue.run(() =>
      this.guard(async () => {
        const access = await this.deps.access.get();
        const channels = access.visibleChannels(this.owner.userId).map(channelScope);
        const scopes = [...fixed.map((s) => this.watch(s)), ...channels.map((s) => this.watch(s))];
        for (const scope of Object.keys(clientCursors)) {
          if (!this.watched.has(scope)) this.owner.send({ type: 'revoke', scope });
        }
        for (const scope of scopes) {
          // Cursor 0 means "nothing yet": a reset is the bootstrap.
          const cursor = clientCursors[scope];
          await this.catchUp(scope, cursor === 0 ? undefined : cursor);
        }
        this.owner.send({ type: 'synced' });
        this.owner.send({ type: 'presence.snapshot', users: this.deps.presence.snapshot() });
        this.owner.send({ type: 'voice.snapshot', channels: this.voiceSnapshot(access) });
      }),
    );
  }

  stop(): void {
    this.stopped = true;
  }

  deliver(e: ChangesEvent, frame: Buffer): void {
    if (!this.watched.has(e.scope)) return;
    if (
      this.queue.pending === 0 &&
      !(e.channelIds && e.scope === COMMUNITY_SCOPE) &&
      this.watched.get(e.scope) === e.from
    ) {
      this.owner.sendRaw(frame);
      this.watched.set(e.scope, e.to);
      return;
    }
    this.queue.run(() => this.guard(() => this.deliverLate(e)));
  }

  /** Catches up every watched scope from the feed (live changes may have been lost). */
  resync(): void {
    this.queue.run(() =>
      this.guard(async () => {
        for (const [scope] of [...this.watched]) {
          const cursor = this.watched.get(scope);
          if (cursor !== undefined) await this.catchUp(scope, cursor);
        }
      }),
    );
  }

  /** Bootstraps channels that became visible and revokes those that did not stay so. */
  refreshAccess(): void {
    this.queue.run(() =>
      this.guard(async () => {
        const access = await this.deps.access.get();
        if (!access.member(this.owner.userId)) {
          await this.owner.removed(this.owner.userId);
          return;
        }
        const visible = new Set<string>(
          access.visibleChannels(this.owner.userId).map(channelScope),
        );
        for (const [scope] of [...this.watched]) {
          if (parseScope(scope)?.kind !== 'channel' || visible.has(scope)) continue;
          this.unwatch(scope);
          this.owner.send({ type: 'revoke', scope });
          this.sendVoice(scope, []);
        }
        for (const scope of visible) {
          if (this.watched.has(scope)) continue;
          await this.catchUp(this.watch(scope), undefined);
          this.sendVoice(scope);
        }
      }),
    );
  }

  /** Every non-empty voice channel the user may see. */
  private voiceSnapshot(access: Access): VoiceSnapshotDown['channels'] {
    const channels: VoiceSnapshotDown['channels'] = [];
    for (const [channelId, participants] of this.deps.voice.channels())
      if (access.canSeeChannel(this.owner.userId, channelId))
        channels.push({ channelId, participants });
    return channels;
  }

  /** The voice state of a channel scope whose visibility changed (empty once hidden). */
  private sendVoice(scope: string, participants?: VoiceParticipant[]): void {
    const parsed = parseScope(scope);
    if (parsed?.kind !== 'channel') return;
    const list = participants ?? this.deps.voice.channel(parsed.id);
    if (participants === undefined && list.length === 0) return;
    this.owner.send({ type: 'voice.state', channelId: parsed.id, participants: list });
  }

  private async deliverLate(e: ChangesEvent): Promise<void> {
    const cursor = this.watched.get(e.scope);
    if (cursor === undefined || cursor >= e.to) return;
    if (cursor === e.from) {
      if (e.channelIds && e.scope === COMMUNITY_SCOPE) {
        // Channel changes of the community are judged by permissions that know them
        // (a user scope carries only that user's own conversations).
        const access = await this.deps.access.atLeast(e.to);
        this.owner.send(visibleOnly(JSON.parse(e.frame) as ChangesDown, access, this.owner.userId));
      } else this.owner.sendRaw(e.frame);
      this.advance(e.scope, e.to);
      return;
    }
    // A gap: an earlier publish is late or was lost. The feed has it, in order.
    await this.catchUp(e.scope, cursor);
  }

  private async catchUp(scope: string, cursor: number | undefined): Promise<void> {
    const timer = catchUpSeconds.startTimer({ kind: cursor === undefined ? 'reset' : 'since' });
    const result = await catchUp(this.deps.db, scope, cursor, this.owner.userId, this.deps.access);
    timer();
    if (this.stopped || !this.watched.has(scope)) return;
    for (const frame of result.frames) {
      // A catch-up may be many megabytes: it goes at the pace the client reads.
      await this.owner.writable();
      this.owner.send(frame);
    }
    this.advance(scope, result.version);
  }

  /** Moves a scope's cursor, unless it stopped being watched meanwhile. */
  private advance(scope: string, version: number): void {
    if (this.watched.has(scope)) this.watched.set(scope, version);
  }

  /** Watches `scope` (no cursor yet) and returns the hub's shared string for it. */
  private watch(scope: string): string {
    const shared = this.deps.hub.watch(this.owner, scope);
    if (!this.watched.has(shared)) this.watched.set(shared, undefined);
    return shared;
  }

  private unwatch(scope: string): void {
    this.watched.delete(scope);
    this.deps.hub.unwatch(this.owner, scope);
  }

  private async guard(task: () => Promise<void>): Promise<void> {
    if (this.stopped) return;
    try {
      await task();
    } catch (err) {
      this.deps.log.error({ err }, 'sync stream failed');
      this.owner.close(1011, 'internal error');
    }
  }
}
