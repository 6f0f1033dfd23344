/**
 * The stand-in for vitest used by Node 24, Deno and Chromium
 * (test/runtimes/vitest-shim.ts) must judge like vitest: for every matcher
 * that test/README.md allows, on values that pass and values that fail,
 * with and without `.not`, both agree.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as shim from '../runtimes/vitest-shim.ts';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}
const thrower = (error: unknown) => () => {
  throw error;
};
const bytes = (...b: number[]) => Uint8Array.from(b);
const root = fileURLToPath(new URL('../..', import.meta.url));
const SYM = Symbol('s');
/** An iterable class: vitest compares it by iteration, then by its own entries. */
class Bag {
  constructor(
    readonly items: number[],
    readonly label: string,
  ) {}
  *[Symbol.iterator]() {
    yield* this.items;
  }
}

// [matcher, actual, expected arguments] — each run plain and negated, in both implementations.
type Case = [string, unknown, unknown[]];
const cases = (e: typeof expect | typeof shim.expect): Case[] => [
  ['toBe', 1, [1]],
  ['toBe', 1, [2]],
  ['toBe', NaN, [NaN]],
  ['toBe', 0, [-0]],
  ['toBe', { a: 1 }, [{ a: 1 }]],
  ['toEqual', { a: 1, b: undefined }, [{ a: 1 }]],
  ['toEqual', { a: [1, { b: 2 }] }, [{ a: [1, { b: 2 }] }]],
  ['toEqual', { a: [1, { b: 2 }] }, [{ a: [1, { b: 3 }] }]],
  ['toEqual', [1, 2], [[1, 2, 3]]],
  ['toEqual', bytes(1, 2), [bytes(1, 2)]],
  ['toEqual', bytes(1, 2), [bytes(1, 3)]],
  ['toEqual', bytes(1, 2), [[1, 2]]],
  ['toEqual', bytes(1, 2).subarray(1), [bytes(2)]],
  ['toEqual', new Point(1, 2), [{ x: 1, y: 2 }]],
  ['toEqual', new Map([[1, { a: 1 }]]), [new Map([[1, { a: 1 }]])]],
  ['toEqual', new Set([1, 2]), [new Set([2, 1])]],
  ['toEqual', { [SYM]: 1, a: 1 }, [{ [SYM]: 1, a: 1 }]],
  ['toEqual', { [SYM]: 1, a: 1 }, [{ [SYM]: 2, a: 1 }]],
  ['toEqual', { [SYM]: 1 }, [{}]],
  ['toEqual', { [SYM]: undefined }, [{}]],
  ['toStrictEqual', { [SYM]: [1] }, [{ [SYM]: [2] }]],
  ['toMatchObject', { [SYM]: 1, a: 1 }, [{ a: 1 }]],
  ['toEqual', new Map([[1, 'a'], [2, 'b']]), [new Map([[2, 'b'], [1, 'a']])]],
  ['toEqual', new Map([[1, 'a']]), [new Map([[1, 'b']])]],
  ['toEqual', new Map([[{ k: 1 }, 'a']]), [new Map([[{ k: 1 }, 'a']])]],
  ['toEqual', new Map([[{ k: 1 }, 'a']]), [new Map([[{ k: 2 }, 'a']])]],
  ['toEqual', new Set([{ a: 1 }, { a: 2 }]), [new Set([{ a: 2 }, { a: 1 }])]],
  ['toEqual', new Set([{ a: 1 }]), [new Set([{ a: 3 }])]],
  ['toEqual', new Set([1]), [[1]]],
  ['toEqual', new Map([['a', 1]]), [{ a: 1 }]],
  ['toEqual', bytes(1, 2), [Int8Array.of(1, 2)]],
  ['toEqual', Buffer.from([1, 2]), [bytes(1, 2)]],
  ['toEqual', Uint16Array.of(1, 500), [Uint16Array.of(1, 500)]],
  ['toEqual', Uint16Array.of(1, 500), [Uint16Array.of(1, 501)]],
  ['toEqual', new Bag([1, 2], 'x'), [new Bag([1, 2], 'x')]],
  ['toEqual', new Bag([1, 2], 'x'), [new Bag([1, 2], 'y')]],
  ['toEqual', new Bag([1, 2], 'x'), [new Bag([2, 1], 'x')]],
  ['toEqual', new Bag([1], 'x'), [{ items: [1], label: 'x' }]],
  ['toEqual', [new Map([[1, bytes(1)]])], [[new Map([[1, bytes(1)]])]]],
  ['toEqual', [new Map([[1, bytes(1)]])], [[new Map([[1, bytes(2)]])]]],
  ['toEqual', new RangeError('x'), [new RangeError('x')]],
  ['toEqual', new RangeError('x'), [new RangeError('y')]],
  ['toEqual', [{ type: 'error', code: 1002, reason: 'r' }], [[e.objectContaining({ type: 'error', code: 1002 })]]],
  ['toEqual', [{ type: 'error', code: 1007 }], [[e.objectContaining({ type: 'error', code: 1002 })]]],
  ['toEqual', { code: 1002, at: 3 }, [{ code: 1002, at: e.anything() }]],
  ['toEqual', { code: 1002, at: undefined }, [{ code: 1002, at: e.anything() }]],
  ['toEqual', { code: 1002 }, [{ code: 1002, at: e.anything() }]],
  ['toEqual', [null], [[e.anything()]]],
  ['toEqual', { n: 3, s: 'x', f: () => 1 }, [{ n: e.any(Number), s: e.any(String), f: e.any(Function) }]],
  ['toEqual', { err: new RangeError('x') }, [{ err: e.any(Error) }]],
  ['toEqual', { err: 'x' }, [{ err: e.any(Error) }]],
  ['toStrictEqual', { a: 1, b: undefined }, [{ a: 1 }]],
  ['toStrictEqual', new Point(1, 2), [{ x: 1, y: 2 }]],
  ['toStrictEqual', new Point(1, 2), [new Point(1, 2)]],
  ['toMatchObject', { a: 1, b: { c: 2, d: 3 } }, [{ b: { c: 2 } }]],
  ['toMatchObject', { a: 1 }, [{ a: 1, b: 2 }]],
  ['toMatchObject', { p: bytes(1) }, [{ p: bytes(1) }]],
  ['toMatchObject', { list: [{ a: 1, b: 2 }] }, [{ list: [{ a: 1 }] }]],
  ['toMatchObject', { list: [{ a: 1 }, { a: 2 }] }, [{ list: [{ a: 1 }] }]],
  ['toHaveLength', [1, 2], [2]],
  ['toHaveLength', 'abc', [2]],
  ['toHaveLength', bytes(1, 2, 3), [3]],
  ['toContain', [1, 2, 3], [2]],
  ['toContain', [{ a: 1 }], [{ a: 1 }]],
  ['toContain', 'hello', ['ell']],
  ['toContain', bytes(5, 6), [6]],
  ['toThrow', thrower(new TypeError('bad key')), []],
  ['toThrow', thrower(new TypeError('bad key')), [TypeError]],
  ['toThrow', thrower(new TypeError('bad key')), [RangeError]],
  ['toThrow', thrower(new TypeError('bad key')), ['bad']],
  ['toThrow', thrower(new TypeError('bad key')), ['good']],
  ['toThrow', thrower(new TypeError('bad key')), [/KEY/i]],
  ['toThrow', thrower(new TypeError('bad key')), [/^good/]],
  ['toThrow', () => 1, []],
  ['toBeInstanceOf', new RangeError('x'), [Error]],
  ['toBeInstanceOf', {}, [Error]],
  ['toBeUndefined', undefined, []],
  ['toBeUndefined', null, []],
  ['toBeDefined', 0, []],
  ['toBeDefined', undefined, []],
  ['toBeNull', null, []],
  ['toBeNull', undefined, []],
  ['toBeTruthy', 1, []],
  ['toBeTruthy', '', []],
  ['toBeFalsy', 0, []],
  ['toBeFalsy', 'x', []],
  ['toBeGreaterThan', 2, [1]],
  ['toBeGreaterThan', 1, [1]],
  ['toBeGreaterThanOrEqual', 1, [1]],
  ['toBeLessThan', 1n, [2n]],
  ['toBeLessThan', 2, [2]],
  ['toBeLessThanOrEqual', 2, [2]],
  ['toBeLessThanOrEqual', 3, [2]],
];

type AnyMatchers = Record<string, (...args: unknown[]) => void> & { not: Record<string, (...args: unknown[]) => void> };
const passes = (run: () => void) => {
  try {
    run();
    return true;
  } catch {
    return false;
  }
};

describe('the vitest shim agrees with vitest', () => {
  const real = cases(expect);
  const stand = cases(shim.expect);
  it.each(real.map((c, i) => [`${c[0]} #${i}`, i] as const))('%s', (_label, i) => {
    const [matcher, actual, args] = real[i]!;
    const [, shimActual, shimArgs] = stand[i]!;
    for (const negated of [false, true]) {
      const vitestVerdict = passes(() => {
        const m = expect(actual) as unknown as AnyMatchers;
        (negated ? m.not : m)[matcher]!(...args);
      });
      const shimVerdict = passes(() => {
        const m = shim.expect(shimActual) as unknown as AnyMatchers;
        (negated ? m.not : m)[matcher]!(...shimArgs);
      });
      expect(shimVerdict, `${negated ? 'not.' : ''}${matcher}`).toBe(vitestVerdict);
    }
  });

  it('registers tests under their suite path', () => {
    shim.takeRegisteredTests();
    shim.describe('outer', () => {
      shim.describe('inner', () => shim.it('case', () => undefined));
      shim.test('other', () => undefined);
    });
    expect(shim.takeRegisteredTests().map((t) => t.name)).toEqual(['outer > inner > case', 'outer > other']);
  });
});

describe('the runners outside vitest fail on errors raised after a test returned, as vitest does', () => {
  // A bundle as bundle.mjs writes them, by hand: one test whose assertion fails
  // in a promise it does not await (vitest reports it as an unhandled error
  // and fails the run), and one that passes.
  const bundle = `
    const tests = (globalThis.__wscodecRegisteredTests ??= []);
    tests.push({ name: 'late failure', fn: () => { Promise.resolve().then(() => { throw new Error('late assertion failed'); }); } });
    tests.push({ name: 'passes', fn: () => {} });
  `;
  const withBundle = async <T>(use: (dir: string) => Promise<T>): Promise<T> => {
    const dir = mkdtempSync(join(tmpdir(), 'wscodec-late-'));
    writeFileSync(join(dir, 'late.test.mjs'), bundle);
    try {
      return await use(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const run = (script: string, args: string[]) =>
    new Promise<{ code: number | null; output: string }>((done) => {
      execFile(process.execPath, [script, ...args], { cwd: root, timeout: 120_000 }, (error, stdout, stderr) =>
        done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
      );
    });

  it('node runner (Node 24, Bun): the process fails', async () => {
    const { code, output } = await withBundle((dir) => run('test/runtimes/node.mjs', ['esm', dir]));
    expect(output).toContain('late assertion failed');
    expect(code).not.toBe(0);
  });

  it('Chromium runner: the page error counts as a failure', async () => {
    const { code, output } = await withBundle((dir) => run('test/runtimes/chromium.mjs', [dir]));
    expect(output).toContain('late assertion failed');
    expect(output).toMatch(/^RESULT \d+ passed, [1-9]\d* failed$/m);
    expect(code).not.toBe(0);
  });
});
