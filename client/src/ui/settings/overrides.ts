import { Permission, type Override } from '@echora/shared';

/** One bit's state in an override: allowed, denied, or left to the roles. */
export type BitState = 'allow' | 'inherit' | 'deny';

/** The state of `bit` in `override` (inherit when there is none). */
export function bitState(override: Override | undefined, bit: number): BitState {
  if (!override) return 'inherit';
  if ((override.allow & bit) === bit) return 'allow';
  if ((override.deny & bit) === bit) return 'deny';
  return 'inherit';
}

/** `override` with `bit` set to `state`; allow and deny never share a bit. */
export function withBit(override: Override, bit: number, state: BitState): Override {
  const allow = override.allow & ~bit;
  const deny = override.deny & ~bit;
  return {
    ...override,
    allow: state === 'allow' ? allow | bit : allow,
    deny: state === 'deny' ? deny | bit : deny,
  };
}

/**
 * The two overrides that make a channel private: `@everyone` denied view, and
 * `roleId` allowed it (other bits of both overrides are kept).
 */
export function privateOverrides(everyone: Override, role: Override): [Override, Override] {
  return [
    withBit(everyone, Permission.viewChannel, 'deny'),
    withBit(role, Permission.viewChannel, 'allow'),
  ];
}

/** Whether the channel hides itself from `@everyone`. */
export function isPrivate(overrides: readonly Override[], everyoneId: string): boolean {
  const everyone = overrides.find((o) => o.targetType === 'role' && o.targetId === everyoneId);
  return bitState(everyone, Permission.viewChannel) === 'deny';
}

/** The override of a target, or an empty one to start from. */
export function overrideFor(
  overrides: readonly Override[],
  targetType: Override['targetType'],
  targetId: string,
): Override {
  return (
    overrides.find((o) => o.targetType === targetType && o.targetId === targetId) ?? {
      targetType,
      targetId,
      allow: 0,
      deny: 0,
    }
  );
}
