/**
 * Property tests are reproducible: every test file takes fast-check from
 * test/helpers/fast-check.ts, which applies `FC_SEED` to every property and
 * prints the seed that replays a failure.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const node24 = join(root, 'node_modules/node/bin/node');

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

// A property that fails for about half the inputs, run in a fresh process (Node 24 strips the types).
const failing = `
  import { fc } from ${JSON.stringify(join(root, 'test/helpers/fast-check.ts'))};
  try {
    fc.assert(fc.property(fc.integer(), fc.string(), (n, s) => n % 7 !== 3 || s.length > 100));
  } catch (error) {
    console.log(error.message);
  }
`;
const runFailing = (seed?: string) =>
  execFileSync(node24, ['--input-type=module', '-e', failing], {
    env: { ...process.env, FC_SEED: seed ?? '' },
    encoding: 'utf8',
  });

describe('seeded property tests', () => {
  it('every test file imports fast-check through the shared helper', () => {
    const direct = testFiles(join(root, 'test'))
      .filter((f) => !f.endsWith(join('helpers', 'fast-check.ts')))
      .filter((f) => /from ['"]fast-check['"]/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(direct).toEqual([]);
  });

  it('a failure prints its seed, and FC_SEED replays the same run', () => {
    const first = runFailing();
    const seed = /reproduce: FC_SEED=(-?\d+)/.exec(first)?.[1];
    expect(seed).toBeDefined();
    const replay = runFailing(seed);
    const counterexample = (out: string) => /Counterexample: (.*)/.exec(out)?.[1];
    expect(counterexample(replay)).toBeDefined();
    expect(counterexample(replay)).toBe(counterexample(first));
    expect(replay).toContain(`reproduce: FC_SEED=${seed}`);
  });

  it('refuses a malformed FC_SEED rather than ignoring it', () => {
    const result = spawnSync(node24, ['--input-type=module', '-e', failing], { env: { ...process.env, FC_SEED: 'abc' }, encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('FC_SEED must be an integer');
  });
});
