// Masking throughput (RFC 6455 §5.3) for 1 MiB payloads: wscodec's applyMask
// (word-at-a-time over the aligned middle) against a byte loop, which is the
// definition `data[i] ^= key[i % 4]`, and against `ws`'s own JS unmask (its
// fallback when the optional native `bufferutil` is absent). Same process,
// same bytes, rounds interleaved so that machine noise hits every contender.
//
// Run: npm run build && /usr/bin/node bench/mask.bench.mjs
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { applyMask } from '../dist/index.js';

const require = createRequire(import.meta.url);
// ws's "exports" hides lib/, so load the file by path from ws's package folder.
const wsDir = dirname(require.resolve('ws/package.json'));
const wsUtil = require(join(wsDir, 'lib/buffer-util.js'));

const SIZE = 1 << 20;
const ROUNDS = 7;
const ITERATIONS = 200;
const key = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
const data = new Uint8Array(SIZE).map((_, i) => (i * 131) & 0xff);
const buffer = Buffer.from(data);

function byteLoop(bytes, k) {
  for (let i = 0; i < bytes.length; i++) bytes[i] ^= k[i & 3];
  return bytes;
}

// ws exports `unmask` (native when bufferutil is installed, else its JS loop).
const contenders = {
  'wscodec applyMask': () => applyMask(data, key),
  'byte loop (baseline)': () => byteLoop(data, key),
  'ws unmask (JS fallback)': () => wsUtil.unmask(buffer, key),
};

// Sanity: the contenders agree with each other.
const a = applyMask(data.slice(), key);
const b = byteLoop(data.slice(), key);
if (a.some((v, i) => v !== b[i])) throw new Error('applyMask disagrees with the byte loop');

const best = Object.fromEntries(Object.keys(contenders).map((n) => [n, Infinity]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of Object.entries(contenders)) {
    for (let i = 0; i < 20; i++) fn(); // warm-up
    const start = performance.now();
    for (let i = 0; i < ITERATIONS; i++) fn();
    const ms = performance.now() - start;
    best[name] = Math.min(best[name], ms);
  }
}
const rate = (ms) => (SIZE * ITERATIONS) / (ms / 1000);
const baseline = rate(best['byte loop (baseline)']);
console.log(`masking ${SIZE} B payloads, best of ${ROUNDS} rounds x ${ITERATIONS} (${process.version})`);
for (const [name, ms] of Object.entries(best)) {
  const r = rate(ms);
  console.log(`${name.padEnd(26)} ${(r / 2 ** 30).toFixed(2).padStart(7)} GiB/s  ${(r / baseline).toFixed(2)}x baseline`);
}
