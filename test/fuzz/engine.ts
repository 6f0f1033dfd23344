/**
 * A small mutation fuzzer (no coverage feedback: `@jazzer.js/core` needs a
 * newer glibc than these machines have). Each target starts from a corpus of
 * valid streams; inputs are mutated (bit flips, interesting bytes, cuts,
 * duplicated ranges, splices with another corpus entry, inserted random
 * bytes) or generated at random, fed in random chunks, and the target checks
 * its invariants, throwing on a violation. Inputs whose outcome (the target's
 * `signature`) was not seen before join the corpus, so the fuzzer explores
 * past the first error of a valid stream.
 *
 * Node only (run by Node 24 directly, type-stripped: erasable syntax only).
 */

import { concat } from '../helpers/bytes.ts';

/** One thing to fuzz. */
export interface FuzzTarget {
  readonly name: string;
  /** Valid inputs to start from. */
  seeds(): Uint8Array[];
  /**
   * Feeds `input` cut at `cuts` (sorted offsets) and checks the invariants;
   * throws an Error naming the broken one. Returns a short description of the
   * outcome (events, error code…), used to grow the corpus.
   */
  run(input: Uint8Array, cuts: readonly number[]): string;
}

/** A failing input, as saved under test/fuzz/regressions/. */
export interface FuzzCase {
  target: string;
  /** Hex digits. */
  input: string;
  cuts: number[];
  error?: string;
}

/** mulberry32: small, fast, seedable. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0x00, 0x01, 0x7e, 0x7f, 0x80, 0x81, 0x82, 0x88, 0x89, 0x8a, 0xc0, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xff, 0x0d, 0x0a, 0x20, 0x3a];

/** A mutated copy of `input` (1–4 stacked mutations), `other` serving for splices. */
export function mutate(input: Uint8Array, other: Uint8Array, rand: () => number): Uint8Array {
  const int = (n: number) => Math.floor(rand() * n);
  let b: Uint8Array = input.slice();
  for (let k = 1 + int(4); k > 0; k--) {
    const at = int(b.length + 1);
    switch (int(8)) {
      case 0: // flip a bit
        if (b.length > 0) b[at % b.length]! ^= 1 << int(8);
        break;
      case 1: // an interesting or random byte
        if (b.length > 0) b[at % b.length] = rand() < 0.5 ? INTERESTING[int(INTERESTING.length)]! : int(256);
        break;
      case 2: // cut the end
        b = b.slice(0, at);
        break;
      case 3: {
        // remove a range
        const end = Math.min(b.length, at + 1 + int(16));
        b = concat([b.subarray(0, at), b.subarray(end)]);
        break;
      }
      case 4: {
        // duplicate a range
        const end = Math.min(b.length, at + 1 + int(64));
        b = concat([b.subarray(0, end), b.subarray(at, end), b.subarray(end)]);
        break;
      }
      case 5: {
        // splice with another input
        const from = int(other.length + 1);
        b = concat([b.subarray(0, at), other.subarray(from)]);
        break;
      }
      case 6: {
        // insert random bytes
        const extra = Uint8Array.from({ length: 1 + int(8) }, () => int(256));
        b = concat([b.subarray(0, at), extra, b.subarray(at)]);
        break;
      }
      default: {
        // repeat the whole input (floods of the same frame)
        if (b.length > 0 && b.length < 4096) b = concat(Array.from({ length: 2 + int(30) }, () => b));
      }
    }
  }
  return b;
}

/**
 * A signature from a list of outcome tokens, with runs of one token folded to
 * `token*k` (k the run length's bit count), so that a flood of N pings is one
 * behaviour, not N.
 */
export function squash(tokens: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    let j = i;
    while (j < tokens.length && tokens[j] === tokens[i]) j++;
    out.push(j - i === 1 ? tokens[i]! : `${tokens[i]}*${Math.ceil(Math.log2(j - i + 1))}`);
    i = j;
  }
  return out.join(',');
}

/** Inputs kept in the corpus are at most this long, and mutated inputs are cut to 4 times it. */
const MAX_KEPT = 4096;

export const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
export const fromHex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16));

export interface FuzzReport {
  target: string;
  executions: number;
  seconds: number;
  corpus: number;
  failures: FuzzCase[];
}

/**
 * Fuzzes `target` for `seconds` (or `maxExecutions`), stopping at the first
 * failure unless `keepGoing`. Deterministic for a given seed and execution count.
 */
export function fuzz(target: FuzzTarget, options: { seconds: number; seed: number; maxExecutions?: number; keepGoing?: boolean }): FuzzReport {
  const rand = random(options.seed);
  const int = (n: number) => Math.floor(rand() * n);
  const corpus = target.seeds();
  const seen = new Set<string>();
  const failures: FuzzCase[] = [];
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  let executions = 0;
  // Seeds first, as they are, whole and chunked: they must pass.
  const queue: Uint8Array[] = [...corpus];
  while (executions < (options.maxExecutions ?? Infinity)) {
    if ((executions & 63) === 0 && performance.now() > deadline) break;
    let input: Uint8Array;
    if (queue.length > 0) input = queue.shift()!;
    else if (rand() < 0.05) input = Uint8Array.from({ length: int(300) }, () => int(256));
    else input = mutate(corpus[int(corpus.length)]!, corpus[int(corpus.length)]!, rand).subarray(0, 4 * MAX_KEPT);
    const cuts = Array.from({ length: int(6) }, () => int(input.length + 1));
    executions++;
    try {
      const signature = target.run(input, cuts);
      if (!seen.has(signature)) {
        seen.add(signature);
        if (corpus.length < 2000 && input.length <= MAX_KEPT) corpus.push(input);
      }
    } catch (error) {
      failures.push({ target: target.name, input: toHex(input), cuts, error: error instanceof Error ? error.message : String(error) });
      if (!options.keepGoing || failures.length >= 20) break;
    }
  }
  return { target: target.name, executions, seconds: (performance.now() - started) / 1000, corpus: corpus.length, failures };
}
