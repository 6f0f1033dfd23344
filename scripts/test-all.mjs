// `npm test`: builds the package, then runs the one test corpus in every
// runtime against the built dist/, and ends with a summary line per step and
// a final `N passed, M failed` line. Exits non-zero on any failure.
//
// Which binary runs what is explicit, never left to PATH: inside npm scripts
// `node` is node_modules/.bin/node (Node 24, a devDependency), so
//   - this script runs on the Node that runs npm ($npm_node_execpath, the
//     machine's Node 20), and Node 20 runs vitest (portable + node + interop);
//   - node_modules/node/bin/node (Node 24) runs the portable tests, ESM and CJS;
//   - Deno, Bun and Chromium run the portable tests through test/runtimes/*.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundlePortableTests } from '../test/runtimes/bundle.mjs';
import { exportTargets, root } from '../test/runtimes/package-exports.mjs';

const hostNode = process.execPath;
const bin = (...parts) => join(root, 'node_modules', ...parts);
const node24 = bin('node', 'bin', 'node');
const tmp = join(root, '.tmp', 'runtimes');
const only = process.argv.slice(2); // optional step-name filter: `npm test -- deno bun`
// Steps are named after the Node version that really runs them.
const hostName = `node${process.versions.node.split('.')[0]}`;
const node24Name = `node${spawnSync(node24, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout?.split('.')[0] ?? '?'}`;

/** Runs a command, streaming its output, and resolves to { code, output }. */
function run(command, args, env = {}) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const tee = (stream, sink) =>
      stream.on('data', (chunk) => {
        output += chunk;
        sink.write(chunk);
      });
    tee(child.stdout, process.stdout);
    tee(child.stderr, process.stderr);
    child.on('error', (error) => {
      output += String(error);
      done({ code: 127, output });
    });
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
}

/** The first line of a failure message, cut to a length a summary can show. */
function firstLine(message) {
  const line = String(message ?? 'no message').split('\n').find((l) => l.trim() !== '') ?? 'no message';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** The last `N passed, M failed` figures a pattern finds in a run's output. */
function lastCounts(output, pattern) {
  const matches = [...output.matchAll(pattern)];
  const last = matches.at(-1);
  return last ? { passed: Number(last.groups.passed), failed: Number(last.groups.failed ?? 0) } : undefined;
}

// Each step: a name, how to run it, and how to count its tests. A step that
// counts no tests (build, typecheck) contributes one pass or one failure.
const steps = [
  { name: 'build', run: () => run(hostNode, [bin('tsup', 'dist', 'cli-default.js')]) },
  { name: 'typecheck', run: () => run(hostNode, [bin('typescript', 'bin', 'tsc'), '--noEmit', '-p', '.']) },
  { name: 'typecheck tests', run: () => run(hostNode, [bin('typescript', 'bin', 'tsc'), '--noEmit', '-p', 'test/tsconfig.json']) },
  { name: 'typecheck interop', run: () => run(hostNode, [bin('typescript', 'bin', 'tsc'), '--noEmit', '-p', 'test/interop']) },
  { name: 'docs', run: () => run(hostNode, [bin('typedoc', 'bin', 'typedoc'), '--emit', 'none', '--treatWarningsAsErrors']) },
  {
    name: `${hostName} vitest`,
    run: async () => {
      const report = join(tmp, 'vitest.json');
      rmSync(report, { force: true });
      // The coverage gate runs here, in the same pass: the tests load a build
      // of the same sources as dist/ with source maps, mapped back to src/
      // (thresholds: COVERAGE_THRESHOLDS in vitest.config.ts).
      const coverageBuild = join(tmp, 'dist-coverage');
      const coverageSummary = join(root, '.tmp', 'coverage', 'coverage-summary.json');
      rmSync(coverageSummary, { force: true });
      const built = await run(hostNode, [bin('tsup', 'dist', 'cli-default.js'), '--sourcemap', '--no-dts', '--out-dir', coverageBuild]);
      if (built.code !== 0) return built;
      const result = await run(
        hostNode,
        [bin('vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, '--coverage.enabled'],
        { WSCODEC_TEST_DIST: relative(root, coverageBuild) },
      );
      if (!existsSync(report)) return result;
      const json = JSON.parse(readFileSync(report, 'utf8'));
      // A file that fails to load has no tests but a failed status: count it once.
      const brokenFiles = json.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
      const portable = json.testResults
        .filter((f) => f.name.includes('/test/portable/'))
        .reduce((n, f) => n + f.assertionResults.length, 0);
      const coverage = existsSync(coverageSummary) ? JSON.parse(readFileSync(coverageSummary, 'utf8')).total : undefined;
      const note = coverage ? `coverage of src/: lines ${coverage.lines.pct} %, branches ${coverage.branches.pct} %` : undefined;
      // Name every failure in the summary: CI may show only the end of the output.
      const failures = json.testResults.flatMap((f) => {
        const file = relative(root, f.name);
        const failedTests = f.assertionResults.filter((t) => t.status === 'failed');
        if (f.status === 'failed' && failedTests.length === 0) return [`${file}: ${firstLine(f.message)}`];
        return failedTests.map((t) => `${file} > ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
      });
      return { ...result, portable, note, failures, counts: { passed: json.numPassedTests, failed: json.numFailedTests + brokenFiles } };
    },
  },
  { name: 'bundle portable tests', run: bundleAll },
  { name: `${node24Name} esm`, run: () => run(node24, ['--enable-source-maps', 'test/runtimes/node.mjs', 'esm', join(tmp, 'esm')]), counts: shimCounts },
  { name: `${node24Name} cjs`, run: () => run(node24, ['--enable-source-maps', 'test/runtimes/node.mjs', 'cjs', join(tmp, 'cjs')]), counts: shimCounts },
  { name: 'deno esm', run: () => deno('import'), counts: denoCounts },
  { name: 'deno cjs', run: () => deno('require'), counts: denoCounts },
  { name: 'bun esm', run: () => run(bin('bun', 'bin', 'bun.exe'), ['test', '--timeout', '60000', '--preload', './test/runtimes/bun-preload.ts', './test/portable']), counts: bunCounts },
  { name: 'bun cjs', run: () => run(bin('bun', 'bin', 'bun.exe'), ['test/runtimes/node.mjs', 'cjs', join(tmp, 'cjs')]), counts: shimCounts },
  { name: 'chromium esm', run: () => run(hostNode, ['test/runtimes/chromium.mjs', join(tmp, 'esm')]), counts: shimCounts },
];

function shimCounts(output) {
  return lastCounts(output, /^RESULT (?<passed>\d+) passed, (?<failed>\d+) failed$/gm);
}
function denoCounts(output) {
  return lastCounts(output, /\| (?<passed>\d+) passed (?:\(\d+ steps?\) )?\| (?<failed>\d+) failed/g);
}
function bunCounts(output) {
  const passed = lastCounts(output, /^\s*(?<passed>\d+) pass$/gm)?.passed;
  const failed = lastCounts(output, /^\s*(?<passed>\d+) fail$/gm)?.passed;
  return passed === undefined ? undefined : { passed, failed: failed ?? 0 };
}

async function bundleAll() {
  try {
    await bundlePortableTests({ format: 'esm', outdir: join(tmp, 'esm') });
    await bundlePortableTests({ format: 'cjs', outdir: join(tmp, 'cjs') });
    return { code: 0, output: '' };
  } catch (error) {
    console.error(error);
    return { code: 1, output: String(error) };
  }
}

/** `deno test` on the TypeScript sources, with an import map to the ESM or CJS build. */
async function deno(condition) {
  const denoBin = bin('deno', 'bin.cjs');
  const version = await run(hostNode, [denoBin, 'eval', 'console.log(`deno ${Deno.version.deno} (${Deno.execPath()})`)'], { DENO_NO_UPDATE_CHECK: '1' });
  if (version.code !== 0) return version;
  const map = join(tmp, `deno-import-map.${condition}.json`);
  const imports = { vitest: `./${relative(tmp, join(root, 'test/runtimes/vitest-shim.ts'))}` };
  for (const [specifier, file] of Object.entries(exportTargets(condition))) imports[specifier] = `./${relative(tmp, join(root, file))}`;
  writeFileSync(map, JSON.stringify({ imports }, null, 2));
  console.log(`deno import map: ${JSON.stringify(imports)}`);
  // Loading CommonJS goes through Deno's Node layer, which reads the files itself.
  const read = condition === 'require' ? ['--allow-read=dist'] : [];
  // FC_SEED and FC_RUNS_SCALE reach the property tests (test/helpers/fast-check.ts).
  const env = ['--allow-env=FC_SEED,FC_RUNS_SCALE'];
  return run(hostNode, [denoBin, 'test', '--no-check', '--no-lock', ...read, ...env, `--import-map=${map}`, 'test/portable/'], {
    NO_COLOR: '1',
    DENO_NO_UPDATE_CHECK: '1',
  });
}

mkdirSync(tmp, { recursive: true });
const summary = [];
let totalPassed = 0;
let totalFailed = 0;
const portableTotals = new Map(); // step name → number of portable tests it ran
for (const step of steps) {
  if (only.length > 0 && !only.some((o) => step.name.includes(o)) && !['build', 'bundle portable tests'].includes(step.name)) continue;
  console.log(`\n━━ ${step.name} ━━`);
  const started = performance.now();
  const result = await step.run();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  let counts = result.counts ?? step.counts?.(result.output);
  if (!counts) counts = result.code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
  else if (result.code !== 0 && counts.failed === 0) counts = { ...counts, failed: 1 }; // crashed after counting
  else if (counts.passed + counts.failed === 0) counts = { passed: 0, failed: 1 }; // ran nothing
  totalPassed += counts.passed;
  totalFailed += counts.failed;
  let tests = step.counts || result.counts ? `${counts.passed} passed, ${counts.failed} failed` : counts.failed ? 'FAILED' : 'ok';
  if (result.portable !== undefined) tests += ` (${result.portable} portable)`;
  summary.push(`${counts.failed ? '✗' : '✓'} ${step.name.padEnd(22)} ${tests.padEnd(40)} ${seconds.padStart(5)} s`);
  if (result.note) summary.push(`  ${result.note}`);
  for (const failure of result.failures ?? []) summary.push(`  ✗ ${failure}`);
  console.log(`── ${step.name}: ${tests}`);
  if (step.name === 'build' && counts.failed) break; // nothing else can run without dist/
  if (step.counts || result.portable !== undefined) portableTotals.set(step.name, result.portable ?? counts.passed + counts.failed);
}

// The same corpus must run whole everywhere: a runtime that silently skipped
// a file (or found an extra one) shows up here as a failure.
const distinct = new Set(portableTotals.values());
if (distinct.size > 1) {
  totalFailed++;
  const list = [...portableTotals].map(([name, n]) => `${name}=${n}`).join(', ');
  summary.push(`✗ ${'portable test counts'.padEnd(22)} differ between runtimes: ${list}`);
}

console.log('\n━━ summary ━━');
console.log(`vitest ran on node ${process.version} (${hostNode}); ${node24Name} is ${node24}`);
for (const line of summary) console.log(line);
console.log(`${totalPassed} passed, ${totalFailed} failed`);
process.exitCode = totalFailed === 0 ? 0 : 1;
