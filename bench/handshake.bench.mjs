// The opening handshake (RFC 6455 §4): wscodec's synchronous, dependency-free
// computeAcceptKey against the accept key as `ws` computes it (node:crypto's
// SHA-1 + base64), and a whole server handshake (parse + validate + 101) of
// the real Chromium request in test/fixtures. Same process, interleaved
// rounds, medians.
//
// Run: npm run build && node bench/handshake.bench.mjs
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { computeAcceptKey, ServerHandshake } from '../dist/index.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const ROUNDS = 7;
const N = 50_000;
const keys = Array.from({ length: 1024 }, (_, i) => Buffer.from(`key-${i}-0123456789`).subarray(0, 16).toString('base64'));

// The Chromium request captured in test/fixtures/handshakes.ts: that module is
// TypeScript, so read its `chromiumRequest` string literals (JSON-compatible).
const fixture = readFileSync(new URL('../test/fixtures/handshakes.ts', import.meta.url), 'utf8');
const STRING = /"(?:[^"\\]|\\.)*"/g;
const declaration = new RegExp(`export const chromiumRequest =((?:\\s*${STRING.source}\\s*\\+?)+);`).exec(fixture);
const literals = declaration[1].match(STRING);
const chromiumRequest = new TextEncoder().encode(literals.map((l) => JSON.parse(l)).join(''));

const contenders = {
  'accept key: wscodec computeAcceptKey': (i) => computeAcceptKey(keys[i & 1023]),
  'accept key: node:crypto (as ws)': (i) => createHash('sha1').update(keys[i & 1023] + GUID).digest('base64'),
  'server handshake (Chromium request)': () => {
    const hs = new ServerHandshake();
    if (hs.receive(chromiumRequest).type !== 'request') throw new Error('fixture not accepted');
    return hs.accept().response;
  },
};
if (computeAcceptKey(keys[7]) !== contenders['accept key: node:crypto (as ws)'](7)) throw new Error('accept keys differ');

const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of Object.entries(contenders)) {
    for (let i = 0; i < 2000; i++) fn(i);
    const start = performance.now();
    for (let i = 0; i < N; i++) fn(i);
    samples[name].push(((performance.now() - start) * 1000) / N);
  }
}
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
console.log(`${process.version}; ${ROUNDS} rounds x ${N}; µs per call, medians`);
for (const [name, xs] of Object.entries(samples)) console.log(`${name.padEnd(40)} ${median(xs).toFixed(2)} µs`);
const ours = median(samples['accept key: wscodec computeAcceptKey']);
const theirs = median(samples['accept key: node:crypto (as ws)']);
console.log(`accept key ratio wscodec/node:crypto speed: ${(theirs / ours).toFixed(2)}x`);
