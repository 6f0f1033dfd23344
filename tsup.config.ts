import { defineConfig } from 'tsup';
import { exportTargets } from './test/runtimes/package-exports.mjs';

// One entry per public subpath, read from package.json "exports" so a new
// subpath is declared in one place. Layout convention: `dist/<name>.js` is
// built from `src/<name>/index.ts`, and `dist/index.js` from `src/index.ts`.
const entry = Object.fromEntries(
  Object.values(exportTargets('import')).map((file) => {
    const name = file.replace(/^dist\//, '').replace(/\.js$/, '');
    return [name, name === 'index' ? 'src/index.ts' : `src/${name}/index.ts`];
  }),
);

export default defineConfig({
  entry,
  format: ['esm', 'cjs'],
  dts: true,
  // No source maps in the package: the output is not minified and keeps its
  // comments, so it reads as is, and maps would double the install size.
  sourcemap: false,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  splitting: true,
  treeshake: true,
});
