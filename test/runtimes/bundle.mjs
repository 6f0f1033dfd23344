// Bundles each portable test file for runtimes without vitest: `vitest` is
// replaced by vitest-shim.ts, fast-check is bundled in, and every `wscodec`
// specifier stays external so the runtime loads the built package itself.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
const portableDir = `${root}test/portable`;

/** The portable test files, found by glob so new ones run everywhere without edits here. */
export function portableTestFiles() {
  return readdirSync(portableDir)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => `${portableDir}/${f}`);
}

/** Writes one bundle per test file into `outdir` as `.mjs` (format esm) or `.cjs` (format cjs). */
export async function bundlePortableTests({ format, outdir }) {
  await build({
    entryPoints: portableTestFiles(),
    outdir,
    bundle: true,
    format,
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    outExtension: { '.js': format === 'esm' ? '.mjs' : '.cjs' },
    alias: { vitest: `${root}test/runtimes/vitest-shim.ts` },
    external: ['wscodec', 'wscodec/*'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}
