// Receive throughput: wscodec's WebSocketConnection (server role) against
// ws's Receiver, on the same bytes in the same chunks, in the same process,
// rounds interleaved so that machine noise hits both.
//
// Workloads (client-to-server, so every frame is masked, RFC 6455 §5.3):
//   - 100,000 text frames of 16 bytes, fed in 64 KiB chunks;
//   - 200 binary frames of 1 MiB, fed in 64 KiB chunks.
// Both receivers unmask in place, so each gets its own fresh copy of the
// input every round (copying is not timed). ws runs without its optional
// native add-ons (bufferutil, utf-8-validate) unless they are installed.
//
// Run: npx tsup && /usr/bin/node bench/receive.bench.mjs
import { Receiver } from 'ws';
import { encodeFrame, Opcode, WebSocketConnection } from '../dist/index.js';

const CHUNK = 64 * 1024;
const ROUNDS = 7;

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function workload(name, frame, count) {
  const wire = concat(Array.from({ length: count }, frame));
  return { name, wire, count, payloadBytes: count * frame().length };
}

const text = new TextEncoder().encode('sixteen bytes!!!');
const mib = new Uint8Array(1 << 20).map((_, i) => (i * 131) & 0xff);
const workloads = [
  workload('100,000 × 16 B text', () => encodeFrame({ opcode: Opcode.Text, payload: text, mask: true }), 100_000),
  workload('200 × 1 MiB binary', () => encodeFrame({ opcode: Opcode.Binary, payload: mib, mask: true }), 200),
];

/** Fresh copy of the wire, cut into 64 KiB chunks of the given kind. */
function chunks(wire, asBuffer) {
  const copy = wire.slice();
  const out = [];
  for (let at = 0; at < copy.length; at += CHUNK) {
    const end = Math.min(at + CHUNK, copy.length);
    out.push(asBuffer ? Buffer.from(copy.buffer, at, end - at) : copy.subarray(at, end));
  }
  return out;
}

const contenders = {
  wscodec(input) {
    const conn = new WebSocketConnection({ role: 'server' });
    let messages = 0;
    for (const chunk of input) {
      for (const event of conn.receive(chunk)) if (event.type === 'text' || event.type === 'binary') messages++;
    }
    return messages;
  },
  ws(input) {
    const receiver = new Receiver({ isServer: true });
    let messages = 0;
    receiver.on('message', () => messages++);
    receiver.on('error', (err) => {
      throw err;
    });
    for (const chunk of input) receiver.write(chunk);
    return messages;
  },
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`node ${process.version}; ${ROUNDS} rounds, 64 KiB chunks; figures are medians (best in brackets)\n`);
for (const w of workloads) {
  const times = { wscodec: [], ws: [] };
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const [name, run] of Object.entries(contenders)) {
      const input = chunks(w.wire, name === 'ws');
      const start = performance.now();
      const messages = run(input);
      const ms = performance.now() - start;
      if (messages !== w.count) throw new Error(`${name} received ${messages} of ${w.count} messages`);
      if (round > 0) times[name].push(ms); // round 0 warms up
    }
  }
  console.log(w.name);
  const rate = {};
  for (const name of Object.keys(contenders)) {
    const ms = median(times[name]);
    const best = Math.min(...times[name]);
    rate[name] = w.count / (ms / 1000);
    const mbps = w.wire.length / (1 << 20) / (ms / 1000);
    console.log(
      `  ${name.padEnd(8)} ${ms.toFixed(1).padStart(8)} ms [${best.toFixed(1)}]  ` +
        `${Math.round(rate[name]).toLocaleString('en-US').padStart(12)} msg/s  ${mbps.toFixed(0).padStart(6)} MB/s`,
    );
  }
  console.log(`  ratio wscodec/ws: ${(rate.wscodec / rate.ws).toFixed(2)}×\n`);
}
