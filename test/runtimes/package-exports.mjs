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
