/**
 * The package as published: `npm pack` it once, then lint the tarball offline
 * with publint and @arethetypeswrong/cli (types resolve in node10, node16
 * CJS/ESM and bundler modes), and check that "exports", "typesVersions" and
 * "files" agree with each other.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const require = createRequire(import.meta.url);

type Conditions = { import: { types: string; default: string }; require: { types: string; default: string } };
const subpaths = Object.entries(pkg.exports as Record<string, Conditions | string>).filter(
  (entry): entry is [string, Conditions] => typeof entry[1] === 'object',
);

let workdir = '';
let tarball = '';
let packedFiles: string[] = [];

beforeAll(() => {
  workdir = mkdtempSync(join(tmpdir(), 'wscodec-pack-'));
  const packed = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', workdir], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(packed.status, packed.stderr).toBe(0);
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(workdir, info!.filename);
  packedFiles = info!.files.map((f) => f.path);
});
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

describe('the packed tarball', () => {
  it('passes publint (strict) with no message at any level', async () => {
    const buffer = readFileSync(tarball);
    const tarballData = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
    const { messages, pkg: packed } = await publint({ pack: { tarball: tarballData }, level: 'suggestion', strict: true });
    const report = messages.map((m) => `${m.type}: ${formatMessage(m, packed)}`);
    console.log(`publint: ${report.length === 0 ? 'no issues' : report.join('\n')}`);
    expect(report).toEqual([]);
  });

  it('passes @arethetypeswrong/cli in every resolution mode, offline', () => {
    const cli = require.resolve('@arethetypeswrong/cli/package.json').replace(/package\.json$/, 'dist/index.js');
    const result = spawnSync(
      process.execPath,
      [cli, tarball, '--no-definitely-typed', '--format', 'table-flipped', '--no-color', '--no-emoji'],
      { cwd: root, encoding: 'utf8' },
    );
    console.log(`attw:\n${result.stdout}${result.stderr}`);
    expect(result.stdout).toContain('No problems found');
    expect(result.status).toBe(0);
  });

  it('ships dist/ and the README, and no sources or tests', () => {
    expect(packedFiles).toContain('package.json');
    expect(packedFiles).toContain('README.md');
    const stray = packedFiles.filter((f) => !/^(dist\/|package\.json$|README\.md$|LICENSE)/.test(f));
    expect(stray).toEqual([]);
  });

  it('contains every file that "exports" points to', () => {
    for (const [, conditions] of subpaths) {
      for (const branch of [conditions.import, conditions.require]) {
        expect(packedFiles).toContain(branch.types.replace(/^\.\//, ''));
        expect(packedFiles).toContain(branch.default.replace(/^\.\//, ''));
      }
    }
  });
});

describe('package.json', () => {
  it('gives each subpath an ESM and a CJS branch, each with its own types', () => {
    for (const [subpath, conditions] of subpaths) {
      expect(conditions.import.default, subpath).toMatch(/\.js$/);
      expect(conditions.import.types, subpath).toMatch(/\.d\.ts$/);
      expect(conditions.require.default, subpath).toMatch(/\.cjs$/);
      expect(conditions.require.types, subpath).toMatch(/\.d\.cts$/);
    }
  });

  it('maps every subpath in "typesVersions" for TypeScript\'s node10 resolution, which ignores "exports"', () => {
    const mapped = pkg.typesVersions['*'] as Record<string, string[]>;
    const expected = Object.fromEntries(
      subpaths.filter(([subpath]) => subpath !== '.').map(([subpath, c]) => [subpath.slice(2), [c.import.types]]),
    );
    expect(mapped).toEqual(expected);
  });

  it('documents every subpath: typedoc.json has one entry point per "exports" entry', () => {
    const typedoc = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as { entryPoints: string[] };
    // Layout convention (tsup.config.ts): dist/<name>.js is built from src/<name>/index.ts.
    const sources = subpaths.map(([, c]) => {
      const name = c.import.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '');
      return name === 'index' ? 'src/index.ts' : `src/${name}/index.ts`;
    });
    expect([...typedoc.entryPoints].sort()).toEqual(sources.sort());
  });

  it('declares one runtime dependency, the DEFLATE engine of wscodec/deflate, at an exact version, and no side effects', () => {
    // pako is imported by dist/deflate.* only (package-shipped-code.test.ts, package-bundle.test.ts).
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(['pako']);
    expect(pkg.dependencies.pako).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.peerDependencies ?? {}).toEqual({});
    expect(pkg.sideEffects).toBe(false);
  });
});
