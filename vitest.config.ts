import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { exportTargets } from './test/runtimes/package-exports.mjs';

// Tests import the package by its public name. By default that resolves to the
// built bundle (the ESM branch of package.json "exports"), so what is tested is
// what ships; set WSCODEC_TEST_SRC=1 to run against src/ while developing (no
// build step). Subpaths follow the layout convention `dist/<name>.js` ⇐
// `src/<name>/index.ts` (and `dist/index.js` ⇐ `src/index.ts`).
const fromSrc = process.env.WSCODEC_TEST_SRC === '1';
const sourceOf = (distFile: string) => {
  const name = distFile.replace(/^dist\//, '').replace(/\.js$/, '');
  return name === 'index' ? 'src/index.ts' : `src/${name}/index.ts`;
};
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const alias = Object.entries(exportTargets('import')).map(([specifier, file]) => ({
  find: new RegExp(`^${escape(specifier)}$`),
  replacement: fileURLToPath(new URL(`./${fromSrc ? sourceOf(file) : file}`, import.meta.url)),
}));

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/runtimes/print-runtime.ts'],
    testTimeout: 60_000,
  },
});
