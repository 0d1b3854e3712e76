import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { WireError } from '../errors.ts';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: WireError };

/**
 * Compiles a schema once and returns a checker that answers with the value or
 * a typed `invalid` error naming the first offending field.
 */
export function validator<S extends TSchema>(schema: S): (value: unknown) => Checked<Static<S>> {
  const compiled = Compile(schema);
  return (value) => {
    if (compiled.Check(value)) return { ok: true, value };
    const first = compiled.Errors(value)[0];
    const where = first?.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : 'value';
    return {
      ok: false,
      error: { kind: 'invalid', message: `${where}: ${first?.message ?? 'is not valid'}` },
    };
  };
}
