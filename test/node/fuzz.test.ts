/**
 * The short fuzz pass of `npm test` (the long one is `npm run fuzz -- --minutes N`):
 * each target of test/fuzz/targets.ts for a few seconds (FUZZ_SECONDS), its
 * seeds first; and every input saved under test/fuzz/regressions/ replayed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, fuzz, type FuzzCase } from '../fuzz/engine.ts';
import { targets } from '../fuzz/targets.ts';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 3);
const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
const regressionsDir = new URL('../fuzz/regressions/', import.meta.url);
const saved: FuzzCase[] = readdirSync(regressionsDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, regressionsDir), 'utf8')) as FuzzCase);

describe(`fuzz (${SECONDS} s per target, seed ${seed})`, () => {
  for (const target of targets) {
    it(`${target.name}: invariants hold on mutated and generated input`, () => {
      const report = fuzz(target, { seconds: SECONDS, seed });
      console.log(`${target.name}: ${report.executions} executions in ${report.seconds.toFixed(1)} s, corpus ${report.corpus}`);
      expect(report.failures.map((f) => `${f.error}\n  input ${f.input} cuts [${f.cuts}] (seed ${seed})`)).toEqual([]);
      expect(report.executions).toBeGreaterThan(target.seeds().length);
    });
  }

  it('replays every saved failure (test/fuzz/regressions/)', () => {
    for (const c of saved) {
      const target = targets.find((t) => t.name === c.target);
      expect(target, c.target).toBeDefined();
      expect(() => target!.run(fromHex(c.input), c.cuts)).not.toThrow();
    }
  });
});
