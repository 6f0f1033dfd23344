// permessage-deflate throughput: wscodec/deflate (pako, synchronous) against
// ws's permessage-deflate (node:zlib, asynchronous) on the same messages.
//
// Workloads (one connection each: context takeover, window 15, level 6,
// memLevel 8, a sync flush per message and its 00 00 ff ff removed):
//   - 10,000 JSON text messages of about 1 KiB;
//   - 200 binary messages of 64 KiB (runs, repeats and noise, like images).
// Compress: every message through one compressor, in order, as a sender does.
//   wscodec: PerMessageDeflate.encodeMessage (what sendText/sendBinary call);
//   ws: PerMessageDeflate.compress(data, true, callback), awaiting each
//   callback before the next message (ws's Sender compresses one message at
//   a time per connection).
// Inflate: the same compressed stream (made once by wscodec and checked to
// inflate back to the messages on both sides), every message in order.
//   wscodec: PerMessageDeflate.decode; ws: decompress(data, true, callback).
//
// Each (variant, workload) runs in a process of its own, every round: one
// warm-up pass, then one timed pass of compress and one of inflate. Rounds
// interleave the variants so machine noise hits both; figures are medians.
//
// With --engines it compares the engines considered instead: pako (as
// wscodec/deflate drives it) against fflate's streaming Deflate/Inflate with
// flush(true) per message (fflate has no window-size option; its output is
// checked for the 00 00 ff ff that RFC 7692 §7.2.1 removes).
//
// With --pako it adds pako's own high-level Deflate/Inflate (sync flush per
// message) as a third variant: the ceiling for any engine driving pako.
//
// With --before=DIR it adds wscodec as built in DIR/dist (another checkout) as
// the first variant, for a before/after table in one run.
//
// Run: npm run build && node bench/deflate.bench.mjs [rounds] [--engines | --pako] [--before=DIR]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { binaryLike, random } from '../test/helpers/data.mjs';

// `--engines`: the two candidate engines instead (pako through wscodec/deflate against fflate).
const ENGINES = process.argv.includes('--engines');
// `--pako`: also pako's own high-level Deflate/Inflate (the ceiling for an engine built on pako).
const PAKO = process.argv.includes('--pako');
// `--before=DIR`: also wscodec as built in another checkout's DIR/dist (variant `before`), for before/after tables.
const BEFORE = process.argv.find((a) => a.startsWith('--before='))?.slice('--before='.length);
const VARIANTS = [
  ...(BEFORE ? ['before'] : []),
  ...(ENGINES ? ['wscodec', 'fflate'] : PAKO ? ['wscodec', 'pako', 'ws'] : ['wscodec', 'ws']),
];
const ROUNDS = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 7);
const self = fileURLToPath(import.meta.url);

const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon'.split(' ');

/** `count` JSON messages of about `size` bytes, as an API sends: objects with keys, numbers and words. */
export function jsonMessages(count, size) {
  const next = random(1);
  const encoder = new TextEncoder();
  const out = [];
  for (let i = 0; i < count; i++) {
    const items = [];
    let length = 2;
    while (length < size - 90) {
      const item = JSON.stringify({
        id: Math.floor(next() * 1e9),
        user: WORDS[Math.floor(next() * WORDS.length)],
        score: Math.round(next() * 1e5) / 100,
        active: next() < 0.5,
        tags: [WORDS[Math.floor(next() * WORDS.length)], WORDS[Math.floor(next() * WORDS.length)]],
      });
      items.push(item);
      length += item.length + 1;
    }
    out.push(encoder.encode(JSON.stringify({ seq: i, type: 'update', items: items.map((s) => JSON.parse(s)) })));
  }
  return out;
}

/** `count` binary messages of `size` bytes that compress somewhat: runs, repeats and noise. */
export function binaryMessages(count, size) {
  return Array.from({ length: count }, (_, m) => binaryLike(size, m + 2));
}

const WORKLOADS = {
  json: { name: '10,000 × ~1 KiB JSON text', make: () => jsonMessages(10_000, 1024), opcode: 1 },
  binary: { name: '200 × 64 KiB binary', make: () => binaryMessages(200, 64 * 1024), opcode: 2 },
};

// ---------------------------------------------------------------------------
// Child: one variant, one workload.

async function child(variant, workloadName) {
  const dist = variant === 'before' ? new URL(`file://${BEFORE}/dist/deflate.js`).href : '../dist/deflate.js';
  const { PerMessageDeflateClient, PerMessageDeflateServer } = await import(dist);
  const workload = WORKLOADS[workloadName];
  const messages = workload.make();
  const options = { threshold: 0, level: 6, memLevel: 8 };
  const ours = () => {
    const server = new PerMessageDeflateServer(options);
    const client = new PerMessageDeflateClient(options);
    const accepted = server.accept(client.offer(), []);
    return { sender: accepted.extension, receiver: client.accept(accepted.params, []) };
  };
  const frame = (payload, opcode = workload.opcode) => ({ opcode, fin: true, rsv1: false, rsv2: false, rsv3: false, payload });
  // The compressed stream both variants inflate.
  const { sender } = ours();
  const compressed = messages.map((m) => sender.encodeMessage(frame(m)).payload);

  let compress;
  let inflate;
  if (variant === 'wscodec' || variant === 'before') {
    compress = async () => {
      const { sender } = ours();
      let bytes = 0;
      for (const m of messages) bytes += sender.encodeMessage(frame(m)).payload.length;
      return bytes;
    };
    inflate = async () => {
      const { receiver } = ours();
      let bytes = 0;
      for (const c of compressed) bytes += receiver.decode({ ...frame(c), rsv1: true }, 1 << 30).payload.length;
      return bytes;
    };
  } else if (variant === 'pako') {
    // pako's high-level streaming API, a sync flush per message, the tail removed
    // and appended again before inflating (RFC 7692 §7.2.1, §7.2.2).
    const { Deflate, Inflate } = await import('pako');
    const TAIL = Uint8Array.of(0, 0, 0xff, 0xff);
    compress = async () => {
      const deflate = new Deflate({ raw: true, level: 6, memLevel: 8, windowBits: 15 });
      let bytes = 0;
      for (const m of messages) {
        deflate.push(m, 2);
        const chunks = deflate.chunks;
        const one = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        deflate.chunks = [];
        bytes += one.subarray(0, one.length - 4).length;
      }
      return bytes;
    };
    inflate = async () => {
      const inflater = new Inflate({ raw: true, windowBits: 15 });
      let bytes = 0;
      for (const c of compressed) {
        inflater.push(c, 0);
        inflater.push(TAIL, 2);
        const chunks = inflater.chunks;
        bytes += (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).length;
        inflater.chunks = [];
      }
      return bytes;
    };
  } else if (variant === 'fflate') {
    // fflate's streaming Deflate/Inflate, a sync flush per message (flush(true)), level 6.
    const { Deflate, Inflate } = await import('fflate');
    let tails = 0;
    const fflateCompress = () => {
      const out = [];
      let chunks = [];
      const deflate = new Deflate({ level: 6 }, (chunk) => chunks.push(chunk));
      for (const m of messages) {
        deflate.push(m);
        deflate.flush(true);
        const one = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        chunks = [];
        const l = one.length;
        if (l >= 4 && one[l - 4] === 0 && one[l - 3] === 0 && one[l - 2] === 0xff && one[l - 1] === 0xff) tails++;
        out.push(one);
      }
      return out;
    };
    const fflateCompressed = fflateCompress();
    compress = async () => fflateCompress().reduce((n, c) => n + c.length, 0);
    inflate = async () => {
      let bytes = 0;
      const inflater = new Inflate((chunk) => (bytes += chunk.length));
      try {
        for (const c of fflateCompressed) inflater.push(c);
      } catch (error) {
        console.error(`fflate: Inflate failed on its own sync-flushed stream: ${error.message}`);
      }
      return bytes;
    };
    console.error(`fflate: ${tails} of ${messages.length} sync-flushed messages end in 00 00 ff ff`);
  } else {
    const require = createRequire(import.meta.url);
    const PerMessageDeflate = require(require.resolve('ws').replace(/index\.js$/, 'lib/permessage-deflate.js'));
    const wsPair = () => {
      const server = new PerMessageDeflate({ threshold: 0, zlibDeflateOptions: { level: 6, memLevel: 8 } }, true, 0);
      server.accept([{}]);
      const client = new PerMessageDeflate({}, false, 0);
      client.accept([{}]);
      return { server, client };
    };
    const step = (fn) => new Promise((done, fail) => fn((error, out) => (error ? fail(error) : done(out))));
    compress = async () => {
      const { server } = wsPair();
      let bytes = 0;
      for (const m of messages) bytes += (await step((cb) => server.compress(m, true, cb))).length;
      server.cleanup();
      return bytes;
    };
    inflate = async () => {
      const { client } = wsPair();
      let bytes = 0;
      for (const c of compressed) bytes += (await step((cb) => client.decompress(Buffer.from(c.buffer, c.byteOffset, c.byteLength), true, cb))).length;
      client.cleanup();
      return bytes;
    };
  }
  const total = messages.reduce((n, m) => n + m.length, 0);
  await compress(); // warm-up
  const inflated = await inflate();
  if (inflated !== total && variant !== 'fflate') throw new Error(`${variant} inflated ${inflated} bytes, expected ${total}`);
  // fflate's Inflate holds back output it has not yet written out: a receiver could not deliver each message.
  if (variant === 'fflate') console.error(`fflate: Inflate gave out ${inflated} of ${total} bytes after the last message's flush point`);
  let start = performance.now();
  const compressedBytes = await compress();
  const compressMs = performance.now() - start;
  start = performance.now();
  await inflate();
  const inflateMs = performance.now() - start;
  console.log(JSON.stringify({ compressMs, inflateMs, compressedBytes, total, count: messages.length }));
}

// ---------------------------------------------------------------------------
// Parent: interleaved rounds, medians, ratios.

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  console.log(`node ${process.version}; ${VARIANTS.join(' vs ')}; ${ROUNDS} rounds, each variant in its own process; medians (best in brackets)\n`);
  for (const [workloadName, workload] of Object.entries(WORKLOADS)) {
    const results = Object.fromEntries(VARIANTS.map((v) => [v, []]));
    const notes = new Set();
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order every round, so that no variant always runs first.
      const order = VARIANTS.map((_, k) => VARIANTS[(k + round) % VARIANTS.length]);
      for (const variant of order) {
        const args = [self, '--child', variant, workloadName, ...(BEFORE ? [`--before=${BEFORE}`] : [])];
        // A child that hangs (seen once for ws on a saturated machine) fails the run instead of blocking it.
        const run = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 300_000 });
        if (run.status !== 0) throw new Error(`${variant} ${workloadName} failed (${run.signal ?? run.status}):\n${run.stderr}`);
        results[variant].push(JSON.parse(run.stdout.trim().split('\n').at(-1)));
        if (run.stderr.trim()) notes.add(run.stderr.trim());
      }
    }
    for (const note of notes) console.log(`  (${note})`);
    const first = results[VARIANTS[0]][0];
    console.log(`${workload.name}: ${first.total.toLocaleString('en-US')} bytes`);
    const rate = {};
    for (const [variant, runs] of Object.entries(results)) {
      const c = median(runs.map((r) => r.compressMs));
      const i = median(runs.map((r) => r.inflateMs));
      rate[variant] = { c: first.total / c, i: first.total / i };
      const mb = (bytes, ms) => ((bytes / (1 << 20)) / (ms / 1000)).toFixed(0).padStart(5);
      console.log(
        `  ${variant.padEnd(8)} compress ${c.toFixed(1).padStart(8)} ms [${Math.min(...runs.map((r) => r.compressMs)).toFixed(1)}] ${mb(first.total, c)} MB/s, ` +
          `ratio ${(runs[0].compressedBytes / first.total).toFixed(3)}; inflate ${i.toFixed(1).padStart(8)} ms [${Math.min(...runs.map((r) => r.inflateMs)).toFixed(1)}] ${mb(first.total, i)} MB/s`,
      );
    }
    // Every variant against the last one (the baseline: ws, or fflate with --engines).
    const base = VARIANTS.at(-1);
    for (const variant of VARIANTS.slice(0, -1)) {
      console.log(`  ${variant}/${base}: compress ${(rate[variant].c / rate[base].c).toFixed(2)}×, inflate ${(rate[variant].i / rate[base].i).toFixed(2)}×`);
    }
    console.log('');
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else if (process.argv[1] === self) await main();
