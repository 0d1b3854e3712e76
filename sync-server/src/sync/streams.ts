import {
  channelScope,
  CloseCode,
  parseScope,
  type Change,
  type ChangesDown,
  type DownMessage,
  type VoiceSnapshotDown,
} from '@echora/shared';
import type { VoiceParticipant } from '@echora/shared/voice/index';
import type { ChangesEvent } from '../bus/types.ts';
import type { Access } from '../domain/permissions/access.ts';
import { catchUp } from './catch-up.ts';
import type { SyncDeps } from './deps.ts';
import type { HubSession } from './hub.ts';
import { SerialQueue } from './serial-queue.ts';

interface Owner extends HubSession {
  send(frame: DownMessage): void;
  close(code: number, reason: string): void;
}

/**
 * Keeps one session's scopes current: catch-up on connect, then live changes.
 * Everything that reads the database runs in one queue, so frames of a scope
 * leave in version order; a change whose `from` equals the cursor while the
 * queue is idle goes out at once as the writer's own string.
 */
export class ScopeStreams {
  /** Watched scopes and the version the client has (absent while a scope catches up). */
  private readonly cursors = new Map<string, number>();
  private readonly watched = new Set<string>();
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
        for (const scope of channels) this.watch(scope);
        for (const scope of Object.keys(clientCursors)) {
          if (!this.watched.has(scope)) this.owner.send({ type: 'revoke', scope });
        }
        for (const scope of [...fixed, ...channels]) {
          // Cursor 0 means "nothing yet": a reset is the bootstrap.
          const cursor = clientCursors[scope];
          await this.catchUp(scope, cursor === 0 ? undefined : cursor, access);
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

  deliver(e: ChangesEvent): void {
    if (!this.watched.has(e.scope)) return;
    if (this.queue.pending === 0 && !e.channelIds && this.cursors.get(e.scope) === e.from) {
      this.owner.sendRaw(e.frame);
      this.cursors.set(e.scope, e.to);
      return;
    }
    this.queue.run(() => this.guard(() => this.deliverLate(e)));
  }

  /** Bootstraps channels that became visible and revokes those that did not stay so. */
  refreshAccess(): void {
    this.queue.run(() =>
      this.guard(async () => {
        const access = await this.deps.access.get();
        if (!access.member(this.owner.userId)) {
          this.owner.close(CloseCode.forbidden, 'no longer a member');
          return;
        }
        const visible = new Set<string>(
          access.visibleChannels(this.owner.userId).map(channelScope),
        );
        for (const scope of [...this.watched]) {
          if (parseScope(scope)?.kind !== 'channel' || visible.has(scope)) continue;
          this.unwatch(scope);
          this.owner.send({ type: 'revoke', scope });
          this.sendVoice(scope, []);
        }
        for (const scope of visible) {
          if (this.watched.has(scope)) continue;
          this.watch(scope);
          await this.catchUp(scope, undefined, access);
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
    const cursor = this.cursors.get(e.scope);
    if (cursor === undefined || cursor >= e.to) return;
    const access = await this.deps.access.get();
    if (cursor === e.from) {
      if (e.channelIds)
        this.owner.send(this.visibleOnly(JSON.parse(e.frame) as ChangesDown, access));
      else this.owner.sendRaw(e.frame);
      this.cursors.set(e.scope, e.to);
      return;
    }
    // A gap: an earlier publish is late or was lost. The feed has it, in order.
    await this.catchUp(e.scope, cursor, access);
  }

  private async catchUp(scope: string, cursor: number | undefined, access: Access): Promise<void> {
    const result = await catchUp(this.deps.db, scope, cursor, access, this.owner.userId, (c) =>
      this.keep(c, access),
    );
    if (this.stopped || !this.watched.has(scope)) return;
    for (const frame of result.frames) this.owner.send(frame);
    this.cursors.set(scope, result.version);
  }

  /**
   * Hides changes to live channels the user may not see. Changes to deleted
   * channels pass, so a replica that held one learns it is gone.
   */
  private keep(change: Change, access: Access): boolean {
    if (change.entity !== 'channel') return true;
    const id = change.op === 'delete' ? change.id : change.data.id;
    return !access.data.channels.has(id) || access.canSeeChannel(this.owner.userId, id);
  }

  private visibleOnly(frame: ChangesDown, access: Access): ChangesDown {
    return { ...frame, changes: frame.changes.filter((c) => this.keep(c, access)) };
  }

  private watch(scope: string): void {
    this.watched.add(scope);
    this.deps.hub.watch(this.owner, scope);
  }

  private unwatch(scope: string): void {
    this.watched.delete(scope);
    this.cursors.delete(scope);
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
