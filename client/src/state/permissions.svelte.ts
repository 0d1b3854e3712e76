import {
  Permission,
  basePermissions,
  canActOn,
  canManageRole,
  channelPermissions,
  dmPermissions,
  has,
  type Channel,
  type CommunityRoles,
  type Member,
  type MemberInfo,
  type Role,
} from '@echora/shared';
import type { ReplicaPort } from '../lib/engine-port.ts';
import { indexById } from '../lib/format.ts';
import { LiveQuery } from '../lib/live-query.svelte.ts';
import { handleError } from './toasts.svelte.ts';

/** Bits that open some part of the community settings dialog. */
export const MANAGE_BITS =
  Permission.manageRoles |
  Permission.manageCommunity |
  Permission.createInvites |
  Permission.viewAuditLog |
  Permission.banMembers |
  Permission.manageMessages |
  Permission.administrator;

function byPositionDesc(a: Role, b: Role): number {
  return b.position - a.position || a.name.localeCompare(b.name);
}

/** A replicated member as the shared resolver sees it. */
export function memberInfo(member: Member): MemberInfo {
  return {
    userId: member.id,
    roleIds: member.roleIds,
    isOwner: member.isOwner,
    timedOutUntil: member.timedOutUntil === null ? null : Date.parse(member.timedOutUntil),
  };
}

/**
 * What the signed-in user may do, resolved over the replica with the same
 * functions the server uses (`shared/src/permissions`). It only shapes the UI:
 * the server's answer is final.
 */
export class Permissions {
  #roles: LiveQuery<null, Role[]>;
  /** The clock timeouts are judged by; ticks every second while anyone is timed out. */
  now = $state(Date.now());

  /** Every role, most senior first (`@everyone` last). */
  roles = $derived.by(() => [...this.#roles.current].sort(byPositionDesc));
  everyone = $derived(this.roles.find((r) => r.isEveryone));
  roleById = $derived(indexById(this.roles));
  community: CommunityRoles = $derived({
    everyoneRoleId: this.everyone?.id ?? '',
    roles: this.roleById,
  });
  me: MemberInfo = $derived.by(() => {
    const row = this.members().find((m) => m.id === this.selfId);
    if (row) return memberInfo(row);
    // Before the member row syncs, the session still knows who owns the community.
    return { userId: this.selfId, roleIds: [], isOwner: this.isOwner(), timedOutUntil: null };
  });
  /** Community-wide permissions (no channel overrides). */
  base = $derived(basePermissions(this.me, this.community, this.now));
  /** My timeout's end (epoch ms) while it lasts, else null. */
  timedOutUntil = $derived(
    this.me.timedOutUntil !== null && this.me.timedOutUntil > this.now && !this.me.isOwner
      ? this.me.timedOutUntil
      : null,
  );
  /** True when some part of the community settings is open to me. */
  canOpenSettings = $derived((this.base & MANAGE_BITS) !== 0);

  constructor(
    replica: ReplicaPort,
    private readonly selfId: string,
    private readonly members: () => readonly Member[],
    private readonly isOwner: () => boolean,
    /** The people I blocked. */
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    private readonly blocked: () => ReadonlySet<string> = () => new Set(),
  ) {
    this.#roles = new LiveQuery(
      () => null,
      () => replica.roles.toArray(),
      [],
      (e) => handleError(e),
    );
    $effect(() => {
      void this.now; // re-armed after every tick
      const real = Date.now();
      // One more tick after the last timeout ends, so views see it end.
      const anyTimedOut = this.members().some(
        (m) => m.timedOutUntil !== null && Date.parse(m.timedOutUntil) > real - 1000,
      );
      if (!anyTimedOut) return;
      // The clock sleeps while nobody is timed out: catch up at once, then tick on the second.
      const delay = real - this.now >= 1000 ? 0 : 1000 - (real % 1000) + 5;
      const timer = setTimeout(() => (this.now = Date.now()), delay);
      return () => clearTimeout(timer);
    });
  }

  /** Whether I hold `bit` community-wide. */
  can(bit: number): boolean {
    return has(this.base, bit);
  }

  /**
   * My permissions in `channel`, overrides applied; in a direct conversation,
   * by the same rule as the server (a block by the other side is the server's
   * to know: it refuses).
   */
  in(channel: Pick<Channel, 'overrides' | 'dm'>): number {
    const { dm } = channel;
    if (dm) {
      const other = dm.participants.find((id) => id !== this.selfId);
      return dmPermissions({
        isParticipant: dm.participants.includes(this.selfId),
        isGroup: dm.isGroup,
        otherIsMember: other !== undefined && this.members().some((m) => m.id === other),
        isBlocked: other !== undefined && this.blocked().has(other),
        isTimedOut: this.timedOutUntil !== null,
      });
    }
    return channelPermissions(this.me, this.community, channel.overrides, this.now);
  }

  /** Whether I hold `bit` in `channel`. */
  canIn(channel: Pick<Channel, 'overrides' | 'dm'>, bit: number): boolean {
    return has(this.in(channel), bit);
  }

  /** Whether my roles rank above `member`'s (kick, ban, timeout, assign roles). */
  outranks(member: Member): boolean {
    return canActOn(this.me, memberInfo(member), this.community);
  }

  /** Whether `role` sits below my highest role, so I may edit or assign it. */
  canManage(role: Role): boolean {
    return canManageRole(this.me, role, this.community);
  }

  /** Whether `member` is timed out right now. */
  isTimedOut(member: Member): boolean {
    return member.timedOutUntil !== null && Date.parse(member.timedOutUntil) > this.now;
  }

  /** The most senior role of `member` that has a colour (0 = none), for their name. */
  colorOf(member: Member): number {
    for (const role of this.roles) {
      if (role.color !== 0 && member.roleIds.includes(role.id)) return role.color;
    }
    return 0;
  }
}
