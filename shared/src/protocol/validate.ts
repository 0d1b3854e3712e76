import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { WireError } from '../errors.ts';
import { CONTROL_CHARACTERS_MESSAGE, MULTI_LINE_PATTERN, SINGLE_LINE_PATTERN } from './text.ts';

const TEXT_PATTERNS: ReadonlySet<unknown> = new Set([SINGLE_LINE_PATTERN, MULTI_LINE_PATTERN]);

export type Checked<T> = { ok: true; value: T } | { ok: false; error: WireError };

/**
 * Compiles a schema once and returns a checker that answers with the value or
 * a typed `invalid` error naming the first offending field (a control
 * character in a text field says so, not which regex it failed).
 */
export function validator<S extends TSchema>(schema: S): (value: unknown) => Checked<Static<S>> {
  const compiled = Compile(schema);
  return (value) => {
    if (compiled.Check(value)) return { ok: true, value };
    const first = compiled.Errors(value)[0];
    const where = first?.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : 'value';
    // A text rule's regex says nothing to a user; name the rule instead.
    const what =
      first?.keyword === 'pattern' && TEXT_PATTERNS.has(first.params.pattern)
        ? CONTROL_CHARACTERS_MESSAGE
        : (first?.message ?? 'is not valid');
    return { ok: false, error: { kind: 'invalid', message: `${where}: ${what}` } };
  };
}
