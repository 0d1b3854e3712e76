import type { DurableMutationName, MutationName } from '@echora/shared';
import { channelMutators } from './channels.ts';
import { dmMutators } from './dms.ts';
import { messageMutators } from './messages.ts';
import { pollMutators } from './polls.ts';
import { reactionMutators } from './reactions.ts';
import { roleMutators } from './roles.ts';
import { settingsMutators } from './settings.ts';
import type { Mutator } from './types.ts';

export * from './types.ts';

/**
 * Every durable mutation's client side: what it touches, its optimistic
 * effect, what it reads before it is queued, its local check. A mutation added
 * to `shared` without a mutator here does not compile.
 */
export const mutators = {
  ...messageMutators,
  ...reactionMutators,
  ...channelMutators,
  ...roleMutators,
  ...dmMutators,
  ...settingsMutators,
  ...pollMutators,
} satisfies { [N in DurableMutationName]: Mutator<N> };

/**
 * The mutator of a name, typed loosely for the generic outbox code, which holds
 * arguments as `unknown`; undefined for an ephemeral mutation (never queued).
 */
export function mutatorOf(name: MutationName): Mutator<DurableMutationName> | undefined {
  if (!Object.hasOwn(mutators, name)) return undefined;
  // Each mutator only ever sees the arguments of its own name (checked before queueing).
  return mutators[name as DurableMutationName] as unknown as Mutator<DurableMutationName>;
}
