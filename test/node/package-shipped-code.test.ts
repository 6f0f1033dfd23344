/**
 * The shipped code uses only web-standard globals, so it runs unchanged in
 * browsers, Deno, Bun and Node: no Node-only API (`Buffer`, `process`,
 * `require` of a package, `node:` modules, `__dirname`, `setImmediate`…), no
 * runtime-specific namespace (`Deno.`, `Bun.`), and no import of anything
 * but its own files — except `wscodec/deflate` (dist/deflate.*), which
 * imports its DEFLATE engine, pako, the package's one runtime dependency,
 * whose shipped files pass the same check.
 *
 * Each dist file is minified first (comments gone, global names kept), so
 * TSDoc prose that mentions `Buffer` is not mistaken for a use of it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../../dist', import.meta.url));
const shipped = readdirSync(dist).filter((f) => /\.(c|m)?js$/.test(f)).sort();

/** Forbidden constructs: a name for the report, and a pattern over minified code. */
const NON_WEB: [string, RegExp][] = [
  ['Buffer (Node global)', /(?<![\w$.])Buffer(?![\w$])/],
  ['process (Node global)', /(?<![\w$.])process(?![\w$])/],
  ['global (Node global)', /(?<![\w$.])global(?![\w$])/],
  ['__dirname / __filename', /(?<![\w$.])__(dirname|filename)(?![\w$])/],
  ['setImmediate / clearImmediate', /(?<![\w$.])(set|clear)Immediate(?![\w$])/],
  ['Deno / Bun namespace', /(?<![\w$.])(Deno|Bun)\s*\./],
  ['a node: module specifier', /["'`]node:/],
  ['require of anything but a relative path', /(?<![\w$.])require\s*\(\s*(?!["']\.\.?\/)/],
  ['static import of anything but a relative path', /(?:^|[;}\s])(?:import|export)\b[^;"'`]*?\bfrom\s*["'](?!\.\.?\/)/],
  ['bare import of anything but a relative path', /(?:^|[;}\s])import\s*["'](?!\.\.?\/)/],
  ['dynamic import of anything but a relative path', /(?<![\w$.])import\s*\(\s*(?!["']\.\.?\/)/],
];

/** Every forbidden construct found in some code, as `name: excerpt`. */
function findNonWebApis(code: string): string[] {
  const found: string[] = [];
  for (const [name, pattern] of NON_WEB) {
    const match = pattern.exec(code);
    if (match) found.push(`${name}: …${code.slice(Math.max(0, match.index - 30), match.index + 40)}…`);
  }
  return found;
}

describe('shipped code uses only web-standard APIs', () => {
  it('dist/ holds ESM and CJS files to check', () => {
    expect(shipped.some((f) => f.endsWith('.js'))).toBe(true);
    expect(shipped.some((f) => f.endsWith('.cjs'))).toBe(true);
  });

  it.each(shipped)('%s', (file) => {
    const source = readFileSync(join(dist, file), 'utf8');
    const { code } = transformSync(source, { minify: true, legalComments: 'none', loader: 'js' });
    // Only the deflate entry may import the engine; the check then runs on the rest of it.
    const engineFree = /^deflate\.c?js$/.test(file) ? code.replace(/(from\s*|require\s*\(\s*)"pako"/g, '$1"./pako"') : code;
    expect(findNonWebApis(engineFree)).toEqual([]);
    if (!/^deflate\.c?js$/.test(file)) expect(code).not.toContain('pako');
  });

  it.each(['pako/dist/pako.mjs', 'pako/dist/pako.cjs.js'])('the engine, node_modules/%s', (file) => {
    const source = readFileSync(join(dist, '..', 'node_modules', file), 'utf8');
    const { code } = transformSync(source, { minify: true, legalComments: 'none', loader: 'js' });
    expect(findNonWebApis(code)).toEqual([]);
  });

  it('the check itself catches each kind of forbidden construct', () => {
    const offenders = [
      'const b=Buffer.from("x")',
      'if(typeof process<"u")x()',
      'global.x=1',
      'console.log(__dirname)',
      'setImmediate(f)',
      'Deno.exit(0)',
      'import{createHash as h}from"node:crypto"',
      'const z=require("zlib")',
      'import{x}from"ws"',
      'import"polyfill"',
      'import("ws").then(f)',
    ];
    for (const code of offenders) expect(findNonWebApis(code).length, code).toBeGreaterThan(0);
    const clean = 'import{a}from"./chunk-X.js";const c=require("./chunk-Y.cjs");const u=new Uint8Array(4);crypto.getRandomValues(u);globalThis.TextDecoder;x.process=1;new ArrayBuffer(2)';
    expect(findNonWebApis(clean)).toEqual([]);
  });
});
