/**
 * Random bytes from the Web Crypto API, which Node ≥ 18, Deno, Bun and every
 * browser expose as `globalThis.crypto`. Leaf module: imports nothing.
 *
 * Masking keys are drawn from a pool refilled 2 KiB at a time, because one
 * `getRandomValues` call per frame costs more than the frame itself for
 * small messages. RFC 6455 §5.3 asks for keys that are unpredictable; the pool
 * keeps them so (they come from the CSPRNG) and never hands out a byte twice.
 *
 * @module
 */

const POOL_SIZE = 2048;
let pool: Uint8Array | undefined;
let poolOffset = POOL_SIZE;

/** Fills `target` with cryptographically strong random bytes. */
export function fillRandom(target: Uint8Array): Uint8Array {
  globalThis.crypto.getRandomValues(target);
  return target;
}

/**
 * Returns a fresh 4-byte masking key (RFC 6455 §5.3). The returned array is a
 * view into the pool and stays valid: its bytes are never reused.
 */
export function randomMaskKey(): Uint8Array {
  if (pool === undefined || poolOffset + 4 > POOL_SIZE) {
    pool = fillRandom(new Uint8Array(POOL_SIZE));
    poolOffset = 0;
  }
  const key = pool.subarray(poolOffset, poolOffset + 4);
  poolOffset += 4;
  return key;
}
