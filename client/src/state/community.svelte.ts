import { newId, type Override, type Role } from '@echora/shared';
import type { EnginePort, MutationOutcome } from '../lib/engine-port.ts';
import { handleError } from './toasts.svelte.ts';

/** Colours offered for roles (0 = the default text colour). */
export const ROLE_COLORS = [
  0x000000, 0x1abc9c, 0x2ecc71, 0x3498db, 0x9b59b6, 0xe91e63, 0xf1c40f, 0xe67e22, 0xe74c3c,
  0x95a5a6,
] as const;

/** A role colour as CSS, or undefined for "no colour". */
export function roleColor(color: number): string | undefined {
  return color === 0 ? undefined : `#${color.toString(16).padStart(6, '0')}`;
}

/**
 * Role, member-role and channel-override changes. They are sync mutations:
 * applied at once in the replica, queued offline, rolled back with a toast
 * when the server refuses them.
 */
export class CommunityAdmin {
  constructor(private readonly engine: EnginePort) {}

  /** Creates a role below every other (above `@everyone`); returns its id. */
  createRole(name: string, permissions = 0, color = 0): string {
    const id = newId();
    this.#run(this.engine.mutate('role.create', { id, name: name.trim(), color, permissions }));
    return id;
  }

  updateRole(id: string, changes: { name?: string; color?: number; permissions?: number }): void {
    this.#run(this.engine.mutate('role.update', { id, ...changes }));
  }

  deleteRole(id: string): void {
    this.#run(this.engine.mutate('role.delete', { id }));
  }

  /**
   * Moves a role one place up or down. `roles` is most senior first, without
   * `@everyone`; the server takes the ids most senior first too.
   */
  moveRole(roles: readonly Role[], id: string, direction: -1 | 1): void {
    const ids = roles.map((r) => r.id);
    const at = ids.indexOf(id);
    const to = at + direction;
    if (at < 0 || to < 0 || to >= ids.length) return;
    [ids[at], ids[to]] = [ids[to] as string, id];
    this.#run(this.engine.mutate('role.reorder', { ids }));
  }

  /** Sets a member's roles (the whole set). */
  setMemberRoles(userId: string, roleIds: string[]): void {
    this.#run(this.engine.mutate('member.roles', { userId, roleIds }));
  }

  /** Sets one override of a channel; allow = deny = 0 removes it. */
  setOverride(channelId: string, override: Override): void {
    this.#run(this.engine.mutate('channel.overrides', { channelId, ...override }));
  }

  #run(outcome: Promise<MutationOutcome>): void {
    outcome.then(
      (result) => {
        if (!result.ok) handleError(result.error, 'Refused');
      },
      (e: unknown) => handleError(e),
    );
  }
}

/** A fresh access token for a REST call, or an error the UI can show. */
export async function requireToken(getToken: () => Promise<string | null>): Promise<string> {
  const token = await getToken();
  if (!token) throw new Error('You are signed out.');
  return token;
}
