// Mutation score per folder of src/ from a Stryker JSON report
// (mutation-testing-report-schema), as printed in the issue notes:
//
//   node scripts/mutation-summary.mjs [.tmp/mutation/report.json] [--before other-report.json]
//       [--recheck recheck-report.json] [--before-recheck recheck-report.json] [--survivors]
//
// Score = detected / (detected + undetected), as Stryker counts it: killed
// and timed-out mutants are detected; survived and uncovered ones are not;
// ignored mutants (static ones under `ignoreStatic`) and compile errors are
// left out. With --before, a second report's score is printed beside it;
// with --recheck, the report of `npm run mutation:recheck` (the survivors
// run against the whole suite, see scripts/mutation-recheck.mjs) turns the
// survivors it killed into detected ones (--before-recheck does the same for
// the --before report); with --survivors, every undetected mutant is listed
// by file and line.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const [value] = args.splice(i, 2).slice(1);
  return value;
};
const beforePath = flag('--before');
const recheckPath = flag('--recheck');
const beforeRecheckPath = flag('--before-recheck');
const listSurvivors = args.includes('--survivors');
const reportPath = args.find((a) => !a.startsWith('--')) ?? '.tmp/mutation/report.json';

// The total row: every file the run mutated (all of src/ only when the run mutated all of it).
const TOTAL = 'all mutated files';
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** Where a mutant is and what it does: the same key in a report and in its recheck. */
const keyOf = (rel, m) => `${rel}:${m.location.start.line}:${m.location.start.column}:${m.mutatorName}:${JSON.stringify(m.replacement ?? '')}`;
const relOf = (file) => file.replace(/^.*?src\//, 'src/');

/** The mutants a recheck report detected. */
function detectedIn(path) {
  const detected = new Set();
  if (path === undefined) return detected;
  const report = JSON.parse(readFileSync(path, 'utf8'));
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const m of mutants) if (DETECTED.has(m.status)) detected.add(keyOf(relOf(file), m));
  }
  return detected;
}

function tally(path, recheck = new Set()) {
  const report = JSON.parse(readFileSync(path, 'utf8'));
  let rechecked = 0;
  const folders = new Map();
  const add = (key, status) => {
    const t = folders.get(key) ?? { detected: 0, undetected: 0, ignored: 0, total: 0 };
    t.total++;
    if (DETECTED.has(status)) t.detected++;
    else if (UNDETECTED.has(status)) t.undetected++;
    else t.ignored++;
    folders.set(key, t);
  };
  const survivors = [];
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const rel = relOf(file);
    const parts = rel.split('/');
    const folder = parts.length > 2 ? `${parts.slice(0, -1).join('/')}/` : 'src/ (top level)';
    for (const m of mutants) {
      let status = m.status;
      if (UNDETECTED.has(status) && recheck.has(keyOf(rel, m))) {
        status = 'Killed';
        rechecked++;
      }
      m.status = status;
      add(folder, status);
      add(TOTAL, status);
      if (UNDETECTED.has(m.status)) {
        survivors.push(`${rel}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName}${m.replacement !== undefined ? ` → ${JSON.stringify(m.replacement).slice(0, 80)}` : ''}`);
      }
    }
  }
  return { folders, survivors, rechecked };
}

const score = (t) => (t && t.detected + t.undetected > 0 ? ((100 * t.detected) / (t.detected + t.undetected)).toFixed(2) : '–');
const after = tally(reportPath, detectedIn(recheckPath));
const before = beforePath ? tally(beforePath, detectedIn(beforeRecheckPath)) : undefined;
const keys = [...after.folders.keys()].sort((a, b) => (a === TOTAL ? 1 : b === TOTAL ? -1 : a.localeCompare(b)));
console.log(
  before
    ? '| folder | mutants | ignored | score before | score after | undetected after |\n|---|---|---|---|---|---|'
    : '| folder | mutants | ignored | score | undetected |\n|---|---|---|---|---|',
);
for (const key of keys) {
  const t = after.folders.get(key);
  const cells = before ? [score(before.folders.get(key)), score(t)] : [score(t)];
  console.log(`| ${key} | ${t.total} | ${t.ignored} | ${cells.join(' | ')} | ${t.undetected} |`);
}
if (recheckPath) console.log(`\n${after.rechecked} survivors of ${reportPath} killed by the whole suite on recheck (${recheckPath}).`);
if (before && beforeRecheckPath) console.log(`${before.rechecked} survivors of ${beforePath} killed by the whole suite on recheck (${beforeRecheckPath}).`);
if (listSurvivors) for (const line of after.survivors) console.log(line);
