// Deterministic test and benchmark data, the same in every runtime and
// process: plain JavaScript, so that benchmarks (bench/*.mjs) share it with
// the tests. Portable: no Node API.

/** A pseudo-random generator (xorshift32) giving numbers in [0, 1). */
export function random(seed) {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Binary data of `size` bytes that compresses somewhat, like images or PDF streams: runs, repeats and noise. */
export function binaryLike(size, seed) {
  const next = random(seed);
  const out = new Uint8Array(size);
  let i = 0;
  while (i < size) {
    const kind = next();
    const length = Math.min(size - i, 1 + Math.floor(next() * 64));
    if (kind < 0.3) out.fill(Math.floor(next() * 256), i, i + length);
    else if (kind < 0.6 && i > 300) {
      const from = i - 1 - Math.floor(next() * 256);
      out.copyWithin(i, from, from + length);
    } else for (let j = 0; j < length; j++) out[i + j] = Math.floor(next() * 256);
    i += length;
  }
  return out;
}
