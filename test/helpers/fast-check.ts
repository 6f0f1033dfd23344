/**
 * fast-check, configured once for every property test (portable: no Node API
 * is required; the environment is read where the runtime has one).
 *
 * - `FC_SEED=<n>` runs every property with that seed, so a failure seen once
 *   replays exactly: a failing property's report ends with the line
 *   `reproduce: FC_SEED=<n> …` to copy.
 * - `FC_RUNS_SCALE=<x>` multiplies the run counts given through {@link runs}
 *   (long runs: `FC_RUNS_SCALE=100 npx vitest run test/portable/model.test.ts`).
 *
 * Import `fc` from here, not from `fast-check` (test/node/seeded-properties.test.ts
 * checks that every test file does).
 */
import fc from 'fast-check';

/** An environment variable, from Node/Bun (`process.env`), Deno (`Deno.env`, needs --allow-env) or a browser page (`globalThis.__wscodecTestEnv`). */
export function testEnv(name: string): string | undefined {
  const g = globalThis as {
    process?: { env?: Record<string, string | undefined> };
    Deno?: { env?: { get(name: string): string | undefined } };
    __wscodecTestEnv?: Record<string, string | undefined>;
  };
  const readers = [() => g.Deno?.env?.get(name), () => g.process?.env?.[name], () => g.__wscodecTestEnv?.[name]];
  for (const read of readers) {
    try {
      const value = read();
      if (value !== undefined && value !== '') return value;
    } catch {
      // No permission to read the environment (Deno without --allow-env): not set.
    }
  }
  return undefined;
}

const seedText = testEnv('FC_SEED');
const seed = seedText === undefined ? undefined : Number(seedText);
if (seed !== undefined && !Number.isInteger(seed)) throw new RangeError(`FC_SEED must be an integer, got ${seedText}`);
const scaleText = testEnv('FC_RUNS_SCALE');
const scale = scaleText === undefined ? 1 : Number(scaleText);
if (!(scale > 0)) throw new RangeError(`FC_RUNS_SCALE must be a positive number, got ${scaleText}`);

/** `n` runs, times `FC_RUNS_SCALE`. */
export const runs = (n: number): number => Math.max(1, Math.round(n * scale));

fc.configureGlobal({
  ...(seed === undefined ? {} : { seed }),
  // A property that states no run count gets fast-check's default of 100, scaled.
  numRuns: runs(100),
  // The default report, plus the line that replays this run.
  reporter(details) {
    if (!details.failed) return;
    const message = `${fc.defaultReportMessage(details)}\n\nreproduce: FC_SEED=${details.seed} (seed of this property; with FC_SEED set, every property runs from it)`;
    throw new Error(message, { cause: details.errorInstance });
  },
});

export { fc };
