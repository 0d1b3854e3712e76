import { Type, type Static } from 'typebox';
import { mutationNames, type MutationName } from '../mutations/index.ts';

/**
 * A named mutation. `seq` increases by one per mutation of this clientId; the
 * server applies each (clientId, seq) once and answers a replay with the
 * original result. `args` is validated against the named mutation's schema.
 */
export const mutateUp = Type.Object({
  type: Type.Literal('mutate'),
  seq: Type.Integer({ minimum: 1 }),
  // Unsafe gives the runtime union its static type (built from an array it would be `never`).
  name: Type.Unsafe<MutationName>(Type.Union(mutationNames.map((n) => Type.Literal(n)))),
  args: Type.Unknown(),
});
export type MutateUp = Static<typeof mutateUp>;
