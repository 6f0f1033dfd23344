// Masking throughput (RFC 6455 §5.3), 1 MiB payloads, against ws's `bufferutil`
// (native): in place (what a receiver does with a payload inside one chunk),
// and into a new buffer (a client's send, a payload spanning chunks).
// Same process, same bytes, rounds interleaved; best of the rounds.
//   in place:    wscodec applyMask (WebAssembly SIMD kernel / JS word loop),
//                the byte-wise definition, bufferutil.unmask
//   with a copy: wscodec encodeFrame (new zero-filled frame + masked copy,
//                SIMD / JS), bufferutil.mask into Buffer.allocUnsafe (no
//                zero-fill), and the floor of both: allocation + plain copy
//
// Run: npm run build && node bench/mask.bench.mjs
import { createRequire } from 'node:module';
import { applyMask, encodeFrame, Opcode, useMaskKernel } from '../dist/index.js';

const require = createRequire(import.meta.url);
const bufferUtil = require('bufferutil');

const SIZE = 1 << 20;
const ROUNDS = 9;
const ITERATIONS = 100;
const key = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
const data = new Uint8Array(SIZE).map((_, i) => (i * 131) & 0xff);
const buffer = Buffer.from(data);

function byteLoop(bytes, k) {
  for (let i = 0; i < bytes.length; i++) bytes[i] ^= k[i & 3];
  return bytes;
}

const contenders = {
  'in place: applyMask, wasm-simd': () => (useMaskKernel('auto'), applyMask(data, key)),
  'in place: applyMask, js': () => (useMaskKernel('js'), applyMask(data, key)),
  'in place: byte loop': () => byteLoop(data, key),
  'in place: bufferutil.unmask': () => bufferUtil.unmask(buffer, key),
  'copy: encodeFrame, wasm-simd': () => (useMaskKernel('auto'), encodeFrame({ opcode: Opcode.Binary, payload: data, mask: key })),
  'copy: encodeFrame, js': () => (useMaskKernel('js'), encodeFrame({ opcode: Opcode.Binary, payload: data, mask: key })),
  'copy: allocUnsafe+bufferutil.mask': () => {
    const out = Buffer.allocUnsafe(SIZE + 14);
    bufferUtil.mask(buffer, key, out, 14, SIZE);
    return out;
  },
  'copy: new Uint8Array + set (floor)': () => new Uint8Array(SIZE + 14).set(data, 14),
  'copy: allocUnsafe + set (floor)': () => Buffer.allocUnsafe(SIZE + 14).set(data, 14),
};

// Sanity: the kernels agree with the definition.
useMaskKernel('auto');
const a = applyMask(data.slice(), key, 3);
useMaskKernel('js');
const b = applyMask(data.slice(), key, 3);
const c = data.map((v, i) => v ^ key[(i + 3) & 3]);
if (a.some((v, i) => v !== c[i]) || b.some((v, i) => v !== c[i])) throw new Error('applyMask disagrees with the definition');

const best = Object.fromEntries(Object.keys(contenders).map((n) => [n, Infinity]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of Object.entries(contenders)) {
    for (let i = 0; i < 10; i++) fn(); // warm-up
    const start = performance.now();
    for (let i = 0; i < ITERATIONS; i++) fn();
    best[name] = Math.min(best[name], performance.now() - start);
  }
}
useMaskKernel('auto');
const rate = (ms) => (SIZE * ITERATIONS) / (ms / 1000);
console.log(`masking ${SIZE} B payloads, best of ${ROUNDS} rounds x ${ITERATIONS} (${process.version})`);
for (const [name, ms] of Object.entries(best)) console.log(`${name.padEnd(38)} ${(rate(ms) / 1e9).toFixed(2).padStart(7)} GB/s`);
