// The package's public specifiers and the built files they resolve to, read
// from package.json "exports", so every runtime adapter (vitest aliases, the
// Deno import map, the browser import map) follows new subpaths by itself.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Maps each public specifier (`wscodec`, `wscodec/frame`, …) to its file for
 * the given condition (`import` or `require`), relative to the package root
 * without a leading `./` (e.g. `dist/frame.js`).
 */
export function exportTargets(condition) {
  const { name, exports } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
  const targets = {};
  for (const [subpath, target] of Object.entries(exports)) {
    const file = target?.[condition]?.default;
    if (typeof file === 'string') targets[name + subpath.slice(1)] = file.replace(/^\.\//, '');
  }
  return targets;
}

/**
 * The package's runtime dependencies (package.json "dependencies", e.g. the
 * DEFLATE engine that `wscodec/deflate` imports) mapped to the ESM file each
 * resolves to, relative to the package root, for runtimes that resolve bare
 * specifiers only through an import map (the browser).
 */
export function dependencyTargets() {
  const { dependencies = {} } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
  const targets = {};
  for (const name of Object.keys(dependencies)) {
    const manifest = JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, 'utf8'));
    const entry = manifest.exports?.['.'];
    const file = (typeof entry === 'string' ? entry : entry?.import?.default ?? entry?.import ?? entry?.default) ?? manifest.module ?? manifest.main;
    targets[name] = `node_modules/${name}/${String(file).replace(/^\.\//, '')}`;
  }
  return targets;
}
