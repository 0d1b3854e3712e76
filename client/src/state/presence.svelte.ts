import type { Member, PresenceStatus } from '@echora/shared';
import { SvelteMap } from 'svelte/reactivity';
import type { EnginePort } from '../lib/engine-port.ts';

export interface MemberGroup {
  status: PresenceStatus;
  label: string;
  members: Member[];
}

const ORDER: { status: PresenceStatus; label: string }[] = [
  { status: 'online', label: 'Online' },
  { status: 'idle', label: 'Idle' },
  { status: 'offline', label: 'Offline' },
];

/** Who is online, idle or offline, from the engine's ephemeral presence. */
export class Presence {
  readonly statuses = new SvelteMap<string, PresenceStatus>();
  #off: () => void;

  constructor(
    private readonly engine: EnginePort,
    private readonly selfId: () => string | undefined,
    private readonly selfOnline: () => boolean,
  ) {
    this.#replace(engine.presence());
    this.#off = engine.onPresence((map) => this.#replace(map));
  }

  /** A user's status; the signed-in user is online whenever the socket is. */
  statusOf(userId: string): PresenceStatus {
    if (userId === this.selfId() && this.selfOnline()) return this.statuses.get(userId) ?? 'online';
    return this.statuses.get(userId) ?? 'offline';
  }

  /** Members grouped online / idle / offline, each group sorted by name. */
  group(members: readonly Member[]): MemberGroup[] {
    return ORDER.map(({ status, label }) => ({
      status,
      label,
      members: members
        .filter((m) => this.statusOf(m.id) === status)
        .sort((a, b) => a.displayName.localeCompare(b.displayName)),
    })).filter((g) => g.members.length > 0);
  }

  #replace(map: ReadonlyMap<string, PresenceStatus>): void {
    this.statuses.clear();
    for (const [id, status] of map) this.statuses.set(id, status);
  }

  dispose(): void {
    this.#off();
  }
}
