import { createTestDatabase, type TestDatabase } from '@echora/testkit';

/** The Postgres server benchmarks create their throwaway databases on. */
export const BENCH_DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Creates `echora_bench_<random>` and returns its url and a drop function. */
export function createBenchDatabase(): Promise<TestDatabase> {
  return createTestDatabase('echora_bench', BENCH_DATABASE_URL);
}
