// Send throughput: wscodec's WebSocketConnection against ws's Sender, framing
// the same messages in the same process, rounds interleaved so that machine
// noise hits both.
//
// Workloads, each once as a client (every frame masked, RFC 6455 §5.3) and
// once as a server (unmasked):
//   - 100,000 text messages of 16 ASCII bytes;
//   - 100,000 binary messages of 16 bytes;
//   - 200 binary messages of 1 MiB.
// wscodec: sendText/sendBinary, then dataToSend() after every message, as a
// caller writing each message out at once would; the bytes returned are counted.
// ws: sender.send(data, { binary, mask, fin: true, compress: false }) into a
// fake socket that only counts what it is given. Both must produce the same
// total byte count (masking keys differ, lengths may not).
//
// A server's 1 MiB frames are zero-copy on both sides (header + the caller's
// bytes), so 200 of them take microseconds: that workload runs 100 times per
// timed sample to be measurable; its figures count every repetition.
//
// Caveat: an unmasked ws text frame is handed to the socket as [header, string]
// and the socket encodes the string natively; the fake socket only measures
// it (Buffer.byteLength), so ws's server-role text figure leaves out that
// encoding while wscodec's includes it. ws runs without its optional native
// add-on (bufferutil) unless it is installed.
//
// Run: npx tsup && /usr/bin/node bench/send.bench.mjs
import { Sender } from 'ws';
import { WebSocketConnection } from '../dist/index.js';

const ROUNDS = 9;

const text = 'sixteen bytes!!!';
const small = new TextEncoder().encode(text);
const mib = new Uint8Array(1 << 20).map((_, i) => (i * 131) & 0xff);
if (small.length !== 16) throw new Error('the text must be 16 bytes');

const kinds = [
  { name: '100,000 × 16 B text', data: text, binary: false, count: 100_000, payloadBytes: 16 },
  { name: '100,000 × 16 B binary', data: small, binary: true, count: 100_000, payloadBytes: 16 },
  { name: '200 × 1 MiB binary', data: mib, binary: true, count: 200, payloadBytes: mib.length },
];
const workloads = ['client', 'server'].flatMap((role) =>
  kinds.map((kind) => ({ ...kind, role, repeat: role === 'server' && kind.payloadBytes > 16 ? 100 : 1 })),
);

/** What ws's Sender needs of a socket (lib/sender.js sendFrame): write, cork, uncork. */
class CountingSocket {
  bytes = 0;
  writes = 0;
  write(data, cb) {
    this.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    this.writes++;
    if (typeof cb === 'function') cb();
    return true;
  }
  cork() {}
  uncork() {}
}

const contenders = {
  wscodec(w) {
    const conn = new WebSocketConnection({ role: w.role });
    let bytes = 0;
    for (let i = 0; i < w.count; i++) {
      if (w.binary) conn.sendBinary(w.data);
      else conn.sendText(w.data);
      for (const chunk of conn.dataToSend()) bytes += chunk.length;
    }
    return bytes;
  },
  ws(w) {
    const socket = new CountingSocket();
    const sender = new Sender(socket);
    const options = { binary: w.binary, mask: w.role === 'client', fin: true, compress: false };
    for (let i = 0; i < w.count; i++) sender.send(w.data, options);
    return socket.bytes;
  },
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`node ${process.version}; ${ROUNDS} rounds; figures are medians (best in brackets)\n`);
for (const w of workloads) {
  const times = { wscodec: [], ws: [] };
  let wireBytes;
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const [name, run] of Object.entries(contenders)) {
      const start = performance.now();
      let bytes = 0;
      for (let r = 0; r < w.repeat; r++) bytes = run(w);
      const ms = performance.now() - start;
      wireBytes ??= bytes;
      if (bytes !== wireBytes) throw new Error(`${w.role} ${w.name}: ${name} produced ${bytes} bytes, expected ${wireBytes}`);
      if (round > 0) times[name].push(ms); // round 0 warms up
    }
  }
  const times100 = w.repeat > 1 ? `, run ${w.repeat} times per sample` : '';
  console.log(
    `${w.role} (${w.role === 'client' ? 'masked' : 'unmasked'}) ${w.name}${times100}: ` +
      `${wireBytes.toLocaleString('en-US')} bytes on the wire per run, same for both`,
  );
  const rate = {};
  for (const name of Object.keys(contenders)) {
    const ms = median(times[name]);
    const best = Math.min(...times[name]);
    rate[name] = (w.count * w.repeat) / (ms / 1000);
    const mbps = (w.count * w.repeat * w.payloadBytes) / (1 << 20) / (ms / 1000);
    console.log(
      `  ${name.padEnd(8)} ${ms.toFixed(1).padStart(8)} ms [${best.toFixed(1)}]  ` +
        `${Math.round(rate[name]).toLocaleString('en-US').padStart(12)} msg/s  ` +
        (w.repeat > 1 ? '(payload not copied: no MB/s)' : `${mbps.toFixed(0).padStart(6)} MB/s payload`),
    );
  }
  console.log(`  ratio wscodec/ws: ${(rate.wscodec / rate.ws).toFixed(2)}×\n`);
}
