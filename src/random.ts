/**
 * Random bytes from the Web Crypto API, which Node ≥ 20, Deno, Bun and every
 * browser expose as `globalThis.crypto`. Leaf module: imports nothing.
 *
 * Masking keys (RFC 6455 §5.3) come from a pool of CSPRNG bytes refilled
 * 8 KiB at a time: one `getRandomValues` call per frame would cost more than
 * framing a small message (in Node, ~1.4 µs for 2 KiB and ~2.2 µs for 8 KiB,
 * so about 1 ns per key). Each key is copied into one reused 4-byte array
 * rather than handed out as a new view, because an object per frame costs as
 * much as the frame. The keys stay unpredictable (they come from the CSPRNG)
 * and no pool byte is used twice.
 *
 * @module
 */

const POOL_SIZE = 8192;
let pool: Uint8Array | undefined;
let poolOffset = POOL_SIZE;
const key = new Uint8Array(4);

/** Fills `target` with cryptographically strong random bytes and returns it. */
export function fillRandom(target: Uint8Array): Uint8Array {
  globalThis.crypto.getRandomValues(target);
  return target;
}

/**
 * Returns a fresh 4-byte masking key (RFC 6455 §5.3) in a shared scratch
 * array: valid until the next call, so copy it (into a frame header) before
 * asking for another.
 */
export function nextMaskKey(): Uint8Array {
  writeMaskKey(key, 0);
  return key;
}

/**
 * Writes a fresh 4-byte masking key (RFC 6455 §5.3) straight into `out` at
 * `at` (a frame header's key field), without the scratch array of
 * {@link nextMaskKey}: the short-frame send path then reads the key back from
 * the header as it masks.
 */
export function writeMaskKey(out: Uint8Array, at: number): void {
  if (pool === undefined || poolOffset === POOL_SIZE) {
    pool = fillRandom(pool ?? new Uint8Array(POOL_SIZE));
    poolOffset = 0;
  }
  out[at] = pool[poolOffset]!;
  out[at + 1] = pool[poolOffset + 1]!;
  out[at + 2] = pool[poolOffset + 2]!;
  out[at + 3] = pool[poolOffset + 3]!;
  poolOffset += 4;
}
