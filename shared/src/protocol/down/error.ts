import { Type, type Static } from 'typebox';
import { ErrorKind } from '../../errors.ts';

export const wireErrorSchema = Type.Object({
  // Unsafe keeps the runtime union and gives it its static type: a union built
  // from an array (not a tuple) is typed `never`.
  kind: Type.Unsafe<ErrorKind>(Type.Union(Object.values(ErrorKind).map((k) => Type.Literal(k)))),
  message: Type.String(),
  retryAfterMs: Type.Optional(Type.Number()),
});

/** A frame was refused (bad JSON, unknown type, bad shape). The socket stays open. */
export const errorDown = Type.Object({
  type: Type.Literal('error'),
  error: wireErrorSchema,
  /** Echoed from the offending frame when it had one. */
  requestId: Type.Optional(Type.String()),
});
export type ErrorDown = Static<typeof errorDown>;
