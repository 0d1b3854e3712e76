import type { PresenceStatus } from '@echora/shared';
import type { VoiceParticipant } from '@echora/shared/voice/index';
import { Emitter } from './emitter.ts';

import type { TypingEntry } from '../lib/engine-port.ts';

export type { TypingEntry };

/** Who is online (absent: offline), as the server last said; cleared while disconnected. */
export class PresenceBook {
  readonly #statuses = new Map<string, PresenceStatus>();
  readonly changed = new Emitter<Map<string, PresenceStatus>>();

  snapshot(): Map<string, PresenceStatus> {
    return new Map(this.#statuses);
  }

  replace(users: { userId: string; status: PresenceStatus }[]): void {
    this.#statuses.clear();
    for (const { userId, status } of users)
      if (status !== 'offline') this.#statuses.set(userId, status);
    this.changed.emit(this.snapshot());
  }

  set(userId: string, status: PresenceStatus): void {
    if (status === 'offline') this.#statuses.delete(userId);
    else this.#statuses.set(userId, status);
    this.changed.emit(this.snapshot());
  }

  clear(): void {
    if (this.#statuses.size === 0) return;
    this.#statuses.clear();
    this.changed.emit(this.snapshot());
  }
}

/** Who is typing where; entries expire on their own. */
export class TypingBook {
  readonly #entries = new Map<string, TypingEntry>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly changed = new Emitter<ReadonlySet<TypingEntry>>();

  add(channelId: string, userId: string, expiresInMs: number): void {
    this.#entries.set(`${channelId}:${userId}`, {
      channelId,
      userId,
      expiresAt: Date.now() + expiresInMs,
    });
    this.#update();
  }

  /** Their message arrived: they are done typing it (no need to wait out the entry). */
  remove(channelId: string, userId: string): void {
    if (this.#entries.delete(`${channelId}:${userId}`)) this.#update();
  }

  clear(): void {
    this.#entries.clear();
    this.#update();
  }

  #update(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
    clearTimeout(this.#timer);
    const next = Math.min(...[...this.#entries.values()].map((e) => e.expiresAt));
    if (Number.isFinite(next)) this.#timer = setTimeout(() => this.#update(), next - now);
    this.changed.emit(new Set(this.#entries.values()));
  }
}

/** Who sits in which voice channel (non-empty ones only), as the server last said. */
export class VoiceBook {
  readonly #channels = new Map<string, VoiceParticipant[]>();
  readonly changed = new Emitter<Map<string, VoiceParticipant[]>>();

  snapshot(): Map<string, VoiceParticipant[]> {
    return new Map(this.#channels);
  }

  /** A `voice.snapshot`: every channel at once. */
  replace(channels: { channelId: string; participants: VoiceParticipant[] }[]): void {
    this.#channels.clear();
    for (const c of channels)
      if (c.participants.length > 0) this.#channels.set(c.channelId, c.participants);
    this.changed.emit(this.snapshot());
  }

  /** A `voice.state`: one channel's whole list (empty when it emptied). */
  set(channelId: string, participants: VoiceParticipant[]): void {
    if (participants.length > 0) this.#channels.set(channelId, participants);
    else if (!this.#channels.delete(channelId)) return;
    this.changed.emit(this.snapshot());
  }

  clear(): void {
    if (this.#channels.size === 0) return;
    this.#channels.clear();
    this.changed.emit(this.snapshot());
  }
}
