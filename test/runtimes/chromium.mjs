// Browser adapter: runs the bundled portable tests (ES modules, see
// bundle.mjs) in headless Chromium driven by playwright-core. `wscodec` and
// its subpaths are resolved by an import map built from package.json
// "exports", so the browser loads the shipped dist/*.js files themselves.
//   node test/runtimes/chromium.mjs <esm bundle dir>
// Traffic stays on 127.0.0.1 (a throwaway static server on a random port).
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { CHROMIUM_PATH, launchChromium } from '../helpers/chromium.mjs';
import { dependencyTargets, exportTargets, root } from './package-exports.mjs';

const bundleDir = resolve(process.argv[2] ?? '');
const files = readdirSync(bundleDir).filter((f) => f.endsWith('.mjs')).sort();

/** Import map entries for every subpath in package.json "exports" (ESM branch). */
const importMap = () => ({
  imports: Object.fromEntries(
    [...Object.entries(exportTargets('import')), ...Object.entries(dependencyTargets())].map(([spec, file]) => [spec, `/pkg/${file}`]),
  ),
});

// The variables test/helpers/fast-check.ts reads, passed on from this process.
const testEnv = Object.fromEntries(['FC_SEED', 'FC_RUNS_SCALE'].filter((k) => process.env[k]).map((k) => [k, process.env[k]]));

const page = `<!doctype html><meta charset="utf-8"><title>wscodec portable tests</title>
<script type="importmap">${JSON.stringify(importMap())}</script>
<script>globalThis.__wscodecTestEnv = ${JSON.stringify(testEnv)};</script>
<script type="module">
  import { runFiles } from '/runner/run-tests.mjs';
  console.log('wscodec resolves to ' + import.meta.resolve('wscodec'));
  const files = ${JSON.stringify(files)};
  runFiles(files, (f) => import('/bundles/' + f), (line) => console.log(line))
    .then((result) => { window.__testResult = result; },
          (error) => { window.__testResult = { passed: 0, failed: 1, error: String(error) }; });
</script>`;

const mounts = { '/pkg/': root, '/bundles/': bundleDir + sep, '/runner/': join(root, 'test/runtimes') + sep };
const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json' };
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    return;
  }
  for (const [prefix, dir] of Object.entries(mounts)) {
    if (!url.pathname.startsWith(prefix)) continue;
    const path = resolve(dir, decodeURIComponent(url.pathname.slice(prefix.length)));
    // Serve only files below the mount, and from the package only what it ships.
    // (and the runtime dependencies the package imports, e.g. pako for wscodec/deflate).
    const shipped = [join(root, 'dist') + sep, ...Object.keys(dependencyTargets()).map((name) => join(root, 'node_modules', name) + sep)];
    const allowed = path.startsWith(dir) && (prefix !== '/pkg/' || shipped.some((d) => path.startsWith(d)));
    try {
      if (!allowed) throw new Error('forbidden');
      const body = readFileSync(path);
      res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
    return;
  }
  res.writeHead(404).end();
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const origin = `http://127.0.0.1:${server.address().port}`;

let browser;
let exitCode = 1;
try {
  browser = await launchChromium();
  const tab = await browser.page();
  tab.on('console', (message) => console.log(message.text()));
  // An uncaught error or unhandled rejection (e.g. an assertion that fails
  // after its test returned) fails the run, as it does in vitest.
  const pageErrors = [];
  tab.on('pageerror', (error) => {
    pageErrors.push(error);
    console.log(`page error: ${error.stack ?? error.message}`);
  });
  console.log(`chromium ${browser.version} (${CHROMIUM_PATH}), ESM via import map: ${files.length} test files`);
  await tab.goto(`${origin}/`);
  await tab.waitForFunction(() => window.__testResult !== undefined, null, { timeout: 300_000 });
  // Let errors raised after the last test returned surface before counting.
  await tab.evaluate(() => new Promise((done) => setTimeout(done, 100)));
  const { passed, failed } = await tab.evaluate(() => window.__testResult);
  if (pageErrors.length > 0) console.log(`${pageErrors.length} page error(s) outside a test: each counts as a failure`);
  console.log(`RESULT ${passed} passed, ${failed + pageErrors.length} failed`);
  exitCode = failed + pageErrors.length === 0 && files.length > 0 ? 0 : 1;
} catch (error) {
  console.log(`chromium run failed: ${error instanceof Error ? error.message : error}`);
  console.log('RESULT 0 passed, 1 failed');
} finally {
  await browser?.close();
  server.close();
}
process.exitCode = exitCode;
