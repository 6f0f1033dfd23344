// `npm run fuzz -- --minutes N [--target name] [--seed S]`: fuzzes every
// target (test/fuzz/targets.ts) for N minutes each against the built package
// and prints executions per second and the total per target. A failing input
// is saved under test/fuzz/regressions/ (replayed by test/node/fuzz.test.ts)
// and makes the run exit non-zero.
// Run by Node 24 (type stripping), which is `node` inside npm scripts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fuzz, fromHex } from '../test/fuzz/engine.ts';
import { targets } from '../test/fuzz/targets.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    seconds: { type: 'string' },
    target: { type: 'string', multiple: true },
    seed: { type: 'string' },
  },
});
const seconds = values.seconds !== undefined ? Number(values.seconds) : Number(values.minutes) * 60;
if (!(seconds > 0)) throw new RangeError('--minutes (or --seconds) must be a positive number');
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const chosen = targets.filter((t) => !values.target || values.target.includes(t.name));
if (chosen.length === 0) throw new RangeError(`no target named ${values.target}; targets: ${targets.map((t) => t.name).join(', ')}`);
const regressions = fileURLToPath(new URL('../test/fuzz/regressions/', import.meta.url));

console.log(`fuzzing ${chosen.length} target(s) for ${seconds} s each, seed ${seed} (replay with --seed ${seed})`);
const rows: string[] = [];
let failed = 0;
for (const target of chosen) {
  const report = fuzz(target, { seconds, seed, keepGoing: true });
  const rate = Math.round(report.executions / report.seconds);
  rows.push(`${target.name.padEnd(28)} ${String(report.executions).padStart(12)} ${String(rate).padStart(10)}/s ${String(report.corpus).padStart(7)} ${String(report.failures.length).padStart(9)}`);
  console.log(rows.at(-1));
  for (const failure of report.failures) {
    failed++;
    mkdirSync(regressions, { recursive: true });
    const id = createHash('sha1').update(fromHex(failure.input)).update(String(failure.cuts)).digest('hex').slice(0, 12);
    const file = join(regressions, `${target.name}-${id}.json`);
    writeFileSync(file, `${JSON.stringify(failure, null, 2)}\n`);
    console.log(`  FAILURE saved to ${file}: ${failure.error?.split('\n')[0]}`);
  }
}
console.log(`\n${'target'.padEnd(28)} ${'executions'.padStart(12)} ${'rate'.padStart(12)} ${'corpus'.padStart(7)} ${'failures'.padStart(9)}`);
for (const row of rows) console.log(row);
process.exitCode = failed === 0 ? 0 : 1;
