/**
 * A stand-in for the part of `vitest` that the portable tests may use (see
 * test/README.md): `describe`, `it`, `test` and `expect` with the listed
 * matchers. Runtimes without vitest (Node 24, Deno, Chromium) resolve the
 * specifier `vitest` to this file, so the tests are written once.
 *
 * Registration: under `deno test` each test becomes a `Deno.test`; everywhere
 * else tests are collected on a global registry that test/runtimes/run-tests.mjs
 * runs. The registry is global (not module state) because each test file is
 * bundled separately and carries its own copy of this module.
 */

export type TestFn = () => unknown;
export interface RegisteredTest {
  name: string;
  fn: TestFn;
}

interface DenoLike {
  test(name: string, fn: () => unknown): void;
}

const REGISTRY = '__wscodecRegisteredTests';
const globals = globalThis as unknown as Record<string, unknown>;

/** Tests registered since the last call; the runner drains it after loading each file. */
export function takeRegisteredTests(): RegisteredTest[] {
  const tests = (globals[REGISTRY] as RegisteredTest[] | undefined) ?? [];
  globals[REGISTRY] = [];
  return tests;
}

const suitePath: string[] = [];

export function describe(name: string, body: () => void): void {
  suitePath.push(name);
  try {
    const result: unknown = body();
    if (result instanceof Promise) throw new TypeError(`describe("${name}") must be synchronous`);
  } finally {
    suitePath.pop();
  }
}

export function it(name: string, fn: TestFn, _timeout?: number): void {
  const fullName = [...suitePath, name].join(' > ');
  const deno = globals.Deno as DenoLike | undefined;
  if (deno && typeof deno.test === 'function') {
    deno.test(fullName, async () => {
      await fn();
    });
    return;
  }
  const list = (globals[REGISTRY] as RegisteredTest[] | undefined) ?? [];
  list.push({ name: fullName, fn });
  globals[REGISTRY] = list;
}

export const test = it;

// ---------------------------------------------------------------------------
// Equality

/** An `expect.objectContaining(...)`-style matcher placed inside an expected value. */
class AsymmetricMatcher {
  constructor(
    readonly description: string,
    readonly matches: (actual: unknown) => boolean,
  ) {}
}

const tagOf = (v: unknown) => Object.prototype.toString.call(v);
const isObject = (v: unknown): v is Record<PropertyKey, unknown> => typeof v === 'object' && v !== null;
/** Own enumerable keys, symbols included (as vitest's `equals` counts them); `toEqual` skips undefined values. */
const ownKeys = (o: object, strict: boolean): PropertyKey[] => [
  ...Object.keys(o).filter((k) => strict || (o as Record<string, unknown>)[k] !== undefined),
  // vitest counts enumerable symbol keys even when their value is undefined.
  ...Object.getOwnPropertySymbols(o).filter((s) => Object.getOwnPropertyDescriptor(o, s)!.enumerable),
];
const isIterable = (v: object): v is Iterable<unknown> => typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';

/**
 * vitest's iterable equality, for two objects that are iterable but not arrays
 * (Map, Set, typed arrays, any class with `Symbol.iterator`): same
 * constructor; Sets and Maps by membership; anything else element by element
 * in order, then by its own enumerable string-keyed entries (skipped for typed
 * arrays, whose entries are their elements).
 */
function iterableEquals(actual: Iterable<unknown>, expected: Iterable<unknown>, strict: boolean, seen: Map<object, object>): boolean {
  if (actual.constructor !== expected.constructor) return false;
  if (actual instanceof Set && expected instanceof Set) {
    if (actual.size !== expected.size) return false;
    for (const v of actual) if (!expected.has(v) && ![...expected].some((w) => equals(v, w, strict, seen))) return false;
    return true;
  }
  if (actual instanceof Map && expected instanceof Map) {
    if (actual.size !== expected.size) return false;
    for (const [k, v] of actual) {
      if (expected.has(k) && equals(v, expected.get(k), strict, seen)) continue;
      if (![...expected].some(([l, w]) => equals(k, l, strict, seen) && equals(v, w, strict, seen))) return false;
    }
    return true;
  }
  const rest = expected[Symbol.iterator]();
  for (const v of actual) {
    const next = rest.next();
    if (next.done || !equals(v, next.value, strict, seen)) return false;
  }
  if (!rest.next().done) return false;
  if (ArrayBuffer.isView(actual)) return true;
  return equals(Object.entries(actual), Object.entries(expected), strict, seen);
}

/**
 * Deep equality in the manner of vitest: `toEqual` ignores properties whose
 * value is `undefined` and the class of plain objects; `toStrictEqual` does not.
 * Values of different kinds (an array and a Uint8Array) are never equal.
 */
function equals(actual: unknown, expected: unknown, strict: boolean, seen = new Map<object, object>()): boolean {
  if (expected instanceof AsymmetricMatcher) return expected.matches(actual);
  if (Object.is(actual, expected)) return true;
  if (!isObject(actual) || !isObject(expected)) return false;
  if (tagOf(actual) !== tagOf(expected)) return false;
  if (strict && Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) return false;
  // A pair already being compared further up (a cycle) is taken as equal; the
  // pair is forgotten once compared, so a later comparison is not short-cut.
  if (seen.get(actual) === expected) return true;
  seen.set(actual, expected);
  try {
    return objectsEqual(actual, expected, strict, seen);
  } finally {
    seen.delete(actual);
  }
}

function objectsEqual(
  actual: Record<PropertyKey, unknown>,
  expected: Record<PropertyKey, unknown>,
  strict: boolean,
  seen: Map<object, object>,
): boolean {
  if (actual instanceof Error && expected instanceof Error) {
    if (actual.name !== expected.name || actual.message !== expected.message) return false;
  }
  if (actual instanceof Date && expected instanceof Date) return actual.getTime() === expected.getTime();
  if (actual instanceof RegExp && expected instanceof RegExp) return String(actual) === String(expected);
  if (!Array.isArray(actual) && !Array.isArray(expected) && isIterable(actual) && isIterable(expected)) {
    return iterableEquals(actual, expected, strict, seen);
  }
  if (actual instanceof ArrayBuffer && expected instanceof ArrayBuffer) {
    return equals(new Uint8Array(actual), new Uint8Array(expected), strict, seen);
  }
  if (Array.isArray(actual) && Array.isArray(expected) && actual.length !== expected.length) return false;
  const aKeys = ownKeys(actual, strict);
  const eKeys = ownKeys(expected, strict);
  if (aKeys.length !== eKeys.length) return false;
  for (const k of eKeys) {
    if (!Object.prototype.hasOwnProperty.call(actual, k) && !(expected[k] instanceof AsymmetricMatcher)) return false;
    if (!equals(actual[k], expected[k], strict, seen)) return false;
  }
  return true;
}

/** `toMatchObject`: every property of `expected` is present in `actual` and matches, recursively. */
function matchesSubset(actual: unknown, expected: unknown): boolean {
  if (expected instanceof AsymmetricMatcher) return expected.matches(actual);
  if (!isObject(expected) || !isObject(actual)) return equals(actual, expected, false);
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matchesSubset(actual[i], e));
  }
  if (ArrayBuffer.isView(expected) || expected instanceof Date || expected instanceof Map || expected instanceof Set) {
    return equals(actual, expected, false);
  }
  return Object.keys(expected).every((k) => k in actual && matchesSubset(actual[k], expected[k]));
}

// ---------------------------------------------------------------------------
// Failure messages

function show(v: unknown, depth = 0): string {
  if (v instanceof AsymmetricMatcher) return v.description;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return `[Function ${v.name || 'anonymous'}]`;
  if (!isObject(v)) return String(v);
  if (depth > 3) return '…';
  if (v instanceof Error) return `${v.name}(${JSON.stringify(v.message)})`;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const items = Array.from(v as unknown as ArrayLike<number>);
    const head = items.slice(0, 32).join(', ');
    return `${v.constructor.name}(${items.length}) [${head}${items.length > 32 ? ', …' : ''}]`;
  }
  if (Array.isArray(v)) {
    const head = v.slice(0, 20).map((x) => show(x, depth + 1));
    return `[${head.join(', ')}${v.length > 20 ? `, … (${v.length})` : ''}]`;
  }
  const name = v.constructor && v.constructor !== Object ? `${v.constructor.name} ` : '';
  return `${name}{${Object.keys(v)
    .map((k) => `${k}: ${show(v[k], depth + 1)}`)
    .join(', ')}}`;
}

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

// ---------------------------------------------------------------------------
// expect

type ErrorClass = abstract new (...args: never[]) => unknown;
type Comparable = number | bigint;

export interface Matchers {
  not: Matchers;
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toStrictEqual(expected: unknown): void;
  toMatchObject(expected: object): void;
  toHaveLength(expected: number): void;
  toContain(expected: unknown): void;
  toThrow(expected?: ErrorClass | string | RegExp | Error): void;
  toBeInstanceOf(expected: ErrorClass): void;
  toBeUndefined(): void;
  toBeDefined(): void;
  toBeNull(): void;
  toBeTruthy(): void;
  toBeFalsy(): void;
  toBeGreaterThan(expected: Comparable): void;
  toBeGreaterThanOrEqual(expected: Comparable): void;
  toBeLessThan(expected: Comparable): void;
  toBeLessThanOrEqual(expected: Comparable): void;
}

function thrownMatches(thrown: unknown, expected: ErrorClass | string | RegExp | Error | undefined): boolean {
  if (expected === undefined) return true;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  if (typeof expected === 'string') return message.includes(expected);
  if (expected instanceof RegExp) return expected.test(message);
  if (expected instanceof Error) return message === expected.message;
  return thrown instanceof expected;
}

function makeMatchers(actual: unknown, negated: boolean): Matchers {
  const check = (pass: boolean, what: string, ...expected: [unknown?]) => {
    if (pass === negated) {
      const tail = expected.length > 0 ? ` ${show(expected[0])}` : '';
      throw new AssertionError(`expected ${show(actual)} ${negated ? 'not ' : ''}${what}${tail}`);
    }
  };
  const number = (what: string) => {
    if (typeof actual !== 'number' && typeof actual !== 'bigint') {
      throw new AssertionError(`${what}: expected a number or bigint, got ${show(actual)}`);
    }
    return actual;
  };
  const matchers: Omit<Matchers, 'not'> = {
    toBe: (e) => check(Object.is(actual, e), 'to be', e),
    toEqual: (e) => check(equals(actual, e, false), 'to equal', e),
    toStrictEqual: (e) => check(equals(actual, e, true), 'to strictly equal', e),
    toMatchObject: (e) => check(matchesSubset(actual, e), 'to match object', e),
    toHaveLength: (e) => check(isObject(actual) || typeof actual === 'string' ? (actual as { length?: unknown }).length === e : false, 'to have length', e),
    toContain: (e) => {
      const pass =
        typeof actual === 'string'
          ? typeof e === 'string' && actual.includes(e)
          : isObject(actual) && Symbol.iterator in actual
            ? [...(actual as unknown as Iterable<unknown>)].some((x) => Object.is(x, e))
            : false;
      check(pass, 'to contain', e);
    },
    toThrow: (e) => {
      if (typeof actual !== 'function') throw new AssertionError('toThrow: expected a function');
      let threw = false;
      let thrown: unknown;
      try {
        (actual as () => unknown)();
      } catch (error) {
        threw = true;
        thrown = error;
      }
      const pass = threw && thrownMatches(thrown, e);
      if (pass === negated) {
        const got = threw ? `threw ${show(thrown)}` : 'did not throw';
        const want = e === undefined ? '' : ` matching ${typeof e === 'function' ? e.name : show(e)}`;
        throw new AssertionError(`expected function ${negated ? 'not ' : ''}to throw${want}, but it ${got}`);
      }
    },
    toBeInstanceOf: (e) => check(actual instanceof e, 'to be an instance of', e),
    toBeUndefined: () => check(actual === undefined, 'to be undefined'),
    toBeDefined: () => check(actual !== undefined, 'to be defined'),
    toBeNull: () => check(actual === null, 'to be null'),
    toBeTruthy: () => check(Boolean(actual), 'to be truthy'),
    toBeFalsy: () => check(!actual, 'to be falsy'),
    toBeGreaterThan: (e) => check(number('toBeGreaterThan') > e, 'to be greater than', e),
    toBeGreaterThanOrEqual: (e) => check(number('toBeGreaterThanOrEqual') >= e, 'to be greater than or equal to', e),
    toBeLessThan: (e) => check(number('toBeLessThan') < e, 'to be less than', e),
    toBeLessThanOrEqual: (e) => check(number('toBeLessThanOrEqual') <= e, 'to be less than or equal to', e),
  };
  return Object.defineProperty(matchers, 'not', {
    get: () => makeMatchers(actual, !negated),
  }) as Matchers;
}

export interface Expect {
  (actual: unknown, message?: string): Matchers;
  objectContaining(expected: object): unknown;
  anything(): unknown;
  any(type: abstract new (...args: never[]) => unknown): unknown;
}

/** Classes whose instances vitest's `expect.any` also accepts as primitives. */
const PRIMITIVE_WRAPPERS = new Map<unknown, string>([
  [Number, 'number'],
  [String, 'string'],
  [Boolean, 'boolean'],
  [BigInt, 'bigint'],
  [Symbol, 'symbol'],
  [Function, 'function'],
]);

export const expect: Expect = Object.assign((actual: unknown) => makeMatchers(actual, false), {
  objectContaining: (expected: object): unknown =>
    new AsymmetricMatcher(`ObjectContaining ${show(expected)}`, (actual) => matchesSubset(actual, expected)),
  anything: (): unknown => new AsymmetricMatcher('Anything', (actual) => actual !== null && actual !== undefined),
  any: (type: abstract new (...args: never[]) => unknown): unknown =>
    new AsymmetricMatcher(
      `Any<${type.name}>`,
      (actual) => typeof actual === PRIMITIVE_WRAPPERS.get(type) || actual instanceof type,
    ),
});
