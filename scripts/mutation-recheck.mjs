// Re-runs the undetected mutants of Stryker reports against the WHOLE
// portable suite (`coverageAnalysis: 'all'`), not only the tests Stryker saw
// covering them:
//
//   node scripts/mutation-recheck.mjs [report.json ...] [--out .tmp/mutation-recheck] [--all]
//
// Why: with `perTest` coverage (stryker.config.mjs), a mutant runs only the
// tests that executed its line while Stryker was watching. Work a test file
// does while vitest collects it (expected values and wire bytes built in a
// `describe` body, tables of cases computed at load) is seen by no test, so
// a mutant there can be reported as surviving although the suite fails on
// it (found by hand: src/deflate/extension.ts, the sending state of
// `encodeMessage`, fails 36 tests of deflate-autobahn.test.ts and was
// reported as surviving). Stryker marks such mutants `static` in its report
// (their code also ran while no test was running); this run gives each
// static survivor the whole suite (`--all`: every survivor).
//
// The result is a Stryker JSON report in <out>/report.json; pass it to
// `npm run mutation:summary -- --recheck <out>/report.json` to count the
// mutants it killed as detected.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = resolve(root, outAt >= 0 ? args.splice(outAt, 2)[1] : '.tmp/mutation-recheck');
const everySurvivor = args.includes('--all');
const paths = args.filter((a) => a !== '--all');
const reports = paths.length > 0 ? paths : ['.tmp/mutation/report.json'];

const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const ranges = new Set();
for (const path of reports) {
  const report = JSON.parse(readFileSync(resolve(root, path), 'utf8'));
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const rel = relative(root, resolve(root, file));
    for (const m of mutants) {
      if (!UNDETECTED.has(m.status) || !(everySurvivor || m.static)) continue;
      // Report positions are 1-based; a mutate range's columns are 0-based
      // (Stryker's project-reader): cover the mutant's own span.
      const { start, end } = m.location;
      ranges.add(`${rel}:${start.line}:${start.column - 1}-${end.line}:${end.column}`);
    }
  }
}
if (ranges.size === 0) {
  console.log('no undetected mutants in', reports.join(', '));
  process.exit(0);
}
mkdirSync(out, { recursive: true });
const config = join(out, 'stryker.config.mjs');
writeFileSync(
  config,
  `import base from ${JSON.stringify(join(root, 'stryker.config.mjs'))};
export default {
  ...base,
  mutate: ${JSON.stringify([...ranges], null, 2)},
  coverageAnalysis: 'all',
  ignoreStatic: false, // not supported with 'all' (every mutant runs the whole suite anyway)
  incremental: false,
  reporters: ['clear-text', 'progress-append-only', 'json'],
  jsonReporter: { fileName: ${JSON.stringify(join(out, 'report.json'))} },
};
`,
);
console.log(`${ranges.size} mutant spans from ${reports.join(', ')}; the whole portable suite for each (config: ${relative(root, config)})`);
const run = spawnSync(process.execPath, [join(root, 'node_modules/@stryker-mutator/core/bin/stryker.js'), 'run', config], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, WSCODEC_TEST_SRC: '1' },
});
process.exitCode = run.status ?? 1;
