// Node-compatible adapter: runs the bundled portable tests (see bundle.mjs) in
// whatever runs this script (a Node binary, or Bun), as ES modules or CommonJS.
//   node test/runtimes/node.mjs <esm|cjs> <bundle dir>
// In the CJS bundles `require('wscodec')` resolves through the package's own
// "exports" (self-reference), so the shipped dist/*.cjs files are what runs.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runFiles } from './run-tests.mjs';

const [format, dir] = process.argv.slice(2);
if ((format !== 'esm' && format !== 'cjs') || !dir) {
  console.error('usage: node test/runtimes/node.mjs <esm|cjs> <bundle dir>');
  process.exit(2);
}
const extension = format === 'esm' ? '.mjs' : '.cjs';
const files = readdirSync(dir).filter((f) => f.endsWith(extension)).sort();
const require = createRequire(import.meta.url);
const load = (file) => {
  const path = resolve(join(dir, file));
  return format === 'esm' ? import(pathToFileURL(path).href) : require(path);
};

const runtime = globalThis.Bun ? `bun ${globalThis.Bun.version}` : `node ${process.version}`;
console.log(`${runtime} (${process.execPath}), ${format.toUpperCase()}: ${files.length} test files`);
console.log(`wscodec resolves to ${format === 'esm' ? import.meta.resolve('wscodec') : require.resolve('wscodec')}`);
const { passed, failed } = await runFiles(files, load, (line) => console.log(line));
console.log(`RESULT ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && files.length > 0 ? 0 : 1;
