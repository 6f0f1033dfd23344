// The nine workloads of issue 11: wscodec against `ws` WITH its native add-on
// `bufferutil` (and, where text is delivered as strings, against ws plus the
// `toString()` a caller needs to get the string), all in memory, on the same
// wire bytes.
//
// Method: every variant runs each workload in a child process of its own (so
// 4 × 9 processes: no variant's JIT state, heap or detached buffers can slow
// another, and no workload's garbage another workload: W3 alone leaves
// hundreds of MiB behind). Each process warms its workload up before timing
// it, and the parent interleaves the rounds (round r times every workload in
// every variant before round r + 1 starts), so machine noise hits all of them
// alike. Times are the CPU time of the process (user + system), medians over
// the rounds: on a shared machine wall-clock time also counts the waits for a
// core (the wall-clock ratio is printed beside). The ratio of a row is the
// median of the rounds' ratios (each round runs the variants one after the
// other, so a burst of load hits both sides of a ratio).
//
// Variants:
//   wscodec          this checkout's dist/ (npm run build first)
//   main             another build of wscodec, when WSCODEC_BASELINE_DIST names
//                    its dist/ folder (e.g. main's, for a before/after table)
//   ws+bufferutil    ws's Receiver / Sender; the child checks that ws really
//                    loaded bufferutil and prints it
//   ws+toString      the same, plus data.toString() on every text message
//
// With --runs K (default 3), each process times K runs back to back per round
// and reports its fastest: load from other processes on a shared machine only
// ever adds time, so the fastest of a few runs is the steadier figure of what
// the code costs (every variant is measured the same way).
//
// With --gc, each run starts from a collected heap (gc() and a 100 ms pause
// before the timer starts); it also makes every run regrow the heap, a cost
// added to both sides alike.
//
// Run: npm run build && node bench/workloads.bench.mjs [rounds] [--gc] [--runs K] [only-workload-ids...]
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CHUNK = 64 * 1024;
const GC = process.argv.includes('--gc') || process.env.BENCH_GC === '1';
const here = fileURLToPath(import.meta.url);

// ─── The workloads (built the same way in every child) ───────────────────────

/** Deterministic masking keys, so every variant is fed identical bytes. */
function keys() {
  let state = 0x2545f491;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return [state >>> 24, (state >>> 16) & 0xff, (state >>> 8) & 0xff, state & 0xff];
  };
}

/** One frame (RFC 6455 §5.2), masked with `key` when given; written here so no variant builds the input. */
function frame(opcode, payload, fin, key) {
  const n = payload.length;
  const lengthBytes = n < 126 ? 0 : n <= 0xffff ? 2 : 8;
  const head = 2 + lengthBytes + (key ? 4 : 0);
  const out = new Uint8Array(head + n);
  out[0] = (fin ? 0x80 : 0) | opcode;
  out[1] = (key ? 0x80 : 0) | (n < 126 ? n : n <= 0xffff ? 126 : 127);
  if (lengthBytes === 2) {
    out[2] = n >>> 8;
    out[3] = n & 0xff;
  } else if (lengthBytes === 8) {
    new DataView(out.buffer).setUint32(6, n);
  }
  if (key) out.set(key, 2 + lengthBytes);
  for (let i = 0; i < n; i++) out[head + i] = key ? payload[i] ^ key[i & 3] : payload[i];
  return out;
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const ascii = (length, seed) => Uint8Array.from({ length }, (_, i) => 0x20 + ((i * 7 + seed) % 95));

function receiveW1() {
  const key = keys();
  return concat(Array.from({ length: 100_000 }, (_, i) => frame(1, ascii(16, i), true, key())));
}

const workloads = [
  {
    id: 'W1',
    name: '100,000 masked 16 B text frames, 64 KiB chunks',
    kind: 'receive',
    text: true,
    messages: 100_000,
    wire: receiveW1,
    chunk: CHUNK,
  },
  {
    id: 'W2',
    name: '20,000 masked 1 KiB binary frames, 64 KiB chunks',
    kind: 'receive',
    messages: 20_000,
    wire: () => {
      const key = keys();
      const payload = Uint8Array.from({ length: 1024 }, (_, i) => (i * 131) & 0xff);
      return concat(Array.from({ length: 20_000 }, () => frame(2, payload, true, key())));
    },
    chunk: CHUNK,
  },
  {
    id: 'W3',
    name: '200 masked 1 MiB binary frames, 64 KiB chunks',
    kind: 'receive',
    messages: 200,
    wire: () => {
      const key = keys();
      const payload = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 131) & 0xff);
      return concat(Array.from({ length: 200 }, () => frame(2, payload, true, key())));
    },
    chunk: CHUNK,
  },
  {
    id: 'W4',
    name: '10,000 4 KiB ASCII texts as 4 × 1 KiB fragments + ping, 64 KiB chunks',
    kind: 'receive',
    text: true,
    messages: 10_000,
    wire: () => {
      const key = keys();
      const ping = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
      const parts = [];
      for (let m = 0; m < 10_000; m++) {
        const text = ascii(4096, m);
        for (let f = 0; f < 4; f++) {
          if (f === 2) parts.push(frame(9, ping, true, key()));
          parts.push(frame(f === 0 ? 1 : 0, text.subarray(f * 1024, (f + 1) * 1024), f === 3, key()));
        }
      }
      return concat(parts);
    },
    chunk: CHUNK,
  },
  {
    id: 'W5',
    name: "W1's bytes in 7-byte chunks",
    kind: 'receive',
    text: true,
    messages: 100_000,
    wire: receiveW1,
    chunk: 7,
  },
  {
    id: 'W6 text',
    name: 'server encode, 100,000 distinct 16-char ASCII strings',
    kind: 'send',
    role: 'server',
    messages: 100_000,
    data: () => Array.from({ length: 100_000 }, (_, i) => `message #${String(i).padStart(7, '0')}`),
  },
  {
    id: 'W6 1 MiB',
    name: 'server encode, 200 × the same 1 MiB binary (no copy)',
    kind: 'send',
    role: 'server',
    messages: 200,
    repeat: 50,
    data: () => new Uint8Array(1 << 20).map((_, i) => (i * 131) & 0xff),
  },
  {
    id: 'W7 text',
    name: 'client encode, 100,000 distinct 16-char strings (masked)',
    kind: 'send',
    role: 'client',
    messages: 100_000,
    data: () => Array.from({ length: 100_000 }, (_, i) => `message #${String(i).padStart(7, '0')}`),
  },
  {
    id: 'W7 1 MiB',
    name: 'client encode, 200 × 1 MiB binary (masked)',
    kind: 'send',
    role: 'client',
    messages: 200,
    data: () => new Uint8Array(1 << 20).map((_, i) => (i * 131) & 0xff),
  },
];

// ─── Child: one variant ──────────────────────────────────────────────────────

async function child(variant, dist) {
  const require = createRequire(import.meta.url);
  let lib;
  let ws;
  if (variant === 'ws+bufferutil' || variant === 'ws+toString') {
    ws = require('ws');
    // ws requires bufferutil from lib/buffer-util.js when it is installed (and
    // WS_NO_BUFFER_UTIL is unset): it must now be in the module cache.
    const loaded = Object.keys(require.cache).find((path) => /[\\/]node_modules[\\/]bufferutil[\\/]/.test(path));
    if (!loaded || process.env.WS_NO_BUFFER_UTIL) throw new Error('ws did not load bufferutil');
    process.send({ info: `${variant}: ws ${require('ws/package.json').version} loaded bufferutil ${require('bufferutil/package.json').version} (${loaded.replace(/.*node_modules[\\/]/, '')})` });
  } else {
    lib = await import(pathToFileURL(resolve(dist, 'index.js')).href);
    const kernel = lib.maskKernel ? lib.maskKernel() : 'js word loop';
    process.send({ info: `${variant}: ${dist} (masking: ${kernel})` });
  }
  const toString = variant === 'ws+toString';

  const cache = new Map();
  const prepared = (w) => {
    if (!cache.has(w.id)) cache.set(w.id, w.kind === 'receive' ? w.wire() : w.data());
    return cache.get(w.id);
  };

  /** A fresh copy of the wire cut into chunks (both sides unmask in place). */
  function chunks(wire, size) {
    const copy = ws ? Buffer.from(wire) : wire.slice();
    const out = [];
    for (let at = 0; at < copy.length; at += size) out.push(copy.subarray(at, Math.min(at + size, copy.length)));
    return out;
  }

  function receiveWscodec(input) {
    const conn = new lib.WebSocketConnection({ role: 'server' });
    let messages = 0;
    let chars = 0;
    for (const chunk of input) {
      for (const event of conn.receive(chunk)) {
        if (event.type === 'text') {
          messages++;
          chars += event.data.length;
        } else if (event.type === 'binary') {
          messages++;
          chars += event.data.length;
        } else if (event.type === 'error') throw new Error(event.message);
      }
      conn.dataToSend(); // the automatic pongs (W4), as a caller writes them out
    }
    return { messages, chars };
  }

  function receiveWs(input) {
    const receiver = new ws.Receiver({ isServer: true });
    let messages = 0;
    let chars = 0;
    receiver.on('message', (data, isBinary) => {
      messages++;
      chars += toString && !isBinary ? data.toString().length : data.length;
    });
    receiver.on('error', (error) => {
      throw error;
    });
    for (const chunk of input) receiver.write(chunk);
    return { messages, chars };
  }

  // What ws's Sender needs of a socket (write, cork, uncork). ws hands an
  // unmasked text frame's string to the socket, which encodes it natively into
  // its write buffer: done here into a reused buffer, so that the encoding
  // wscodec does itself (into the frame) is charged to ws as well.
  const scratch = Buffer.alloc(64 * 1024);
  class CountingSocket {
    bytes = 0;
    write(data, cb) {
      this.bytes += typeof data === 'string' ? scratch.write(data) : data.length;
      if (typeof cb === 'function') cb();
      return true;
    }
    cork() {}
    uncork() {}
  }

  function sendWscodec(w, data) {
    const conn = new lib.WebSocketConnection({ role: w.role });
    let bytes = 0;
    let uncopied = 0;
    for (let i = 0; i < w.messages; i++) {
      if (typeof data === 'string' || Array.isArray(data)) conn.sendText(data[i]);
      else conn.sendBinary(data);
      for (const chunk of conn.dataToSend()) {
        bytes += chunk.length;
        if (chunk === data) uncopied++;
      }
    }
    return { messages: w.messages, chars: bytes, uncopied };
  }

  function sendWs(w, data) {
    const socket = new CountingSocket();
    const sender = new ws.Sender(socket);
    const options = { binary: !Array.isArray(data), mask: w.role === 'client', fin: true, compress: false };
    if (Array.isArray(data)) for (let i = 0; i < w.messages; i++) sender.send(data[i], options);
    else for (let i = 0; i < w.messages; i++) sender.send(data, options);
    return { messages: w.messages, chars: socket.bytes };
  }

  const warmed = new Set();
  process.on('message', async ({ id, runs = 1 }) => {
    const w = workloads.find((x) => x.id === id);
    const data = prepared(w);
    const once = async () => {
      const input = w.kind === 'receive' ? chunks(data, w.chunk) : undefined;
      // With --gc: start every run from a collected heap (and 100 ms for the
      // collector's background threads to finish freeing), so the garbage of
      // the previous run (hundreds of MiB for W3) is not freed on this run's time.
      if (GC) {
        globalThis.gc();
        await new Promise((done) => setTimeout(done, 100));
      }
      const cpu = process.cpuUsage();
      const start = performance.now();
      let result;
      if (input) result = ws ? receiveWs(input) : receiveWscodec(input);
      else for (let r = 0; r < (w.repeat ?? 1); r++) result = ws ? sendWs(w, data) : sendWscodec(w, data);
      const wall = performance.now() - start;
      const used = process.cpuUsage(cpu);
      return { wall, ms: (used.user + used.system) / 1000, ...result };
    };
    if (!warmed.has(id)) {
      warmed.add(id);
      await once();
      await once();
    }
    let best;
    for (let r = 0; r < runs; r++) {
      const result = await once();
      if (best === undefined || result.ms < best.ms) best = result;
    }
    process.send(best);
  });
  process.send({ ready: true });
}

// ─── Parent: interleave the rounds, print one table ──────────────────────────

async function parent() {
  let args = process.argv.slice(2).filter((a) => a !== '--gc');
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
  if (!(Number.isInteger(runs) && runs > 0)) throw new RangeError('--runs must be a positive integer');
  if (runsAt >= 0) args = args.filter((_, i) => i !== runsAt && i !== runsAt + 1);
  const rounds = Number(args[0] ?? 7);
  const only = args.slice(1);
  const selected = only.length ? workloads.filter((w) => only.some((o) => w.id.startsWith(o))) : workloads;
  const variants = [['wscodec', resolve(here, '../../dist')]];
  if (process.env.WSCODEC_BASELINE_DIST) variants.push(['main', resolve(process.env.WSCODEC_BASELINE_DIST)]);
  variants.push(['ws+bufferutil'], ['ws+toString']);

  // One process per variant and workload: no workload's garbage or heap
  // shape slows another's (W3 alone leaves hundreds of MiB behind).
  const procs = {};
  const printed = new Set();
  async function processFor(name, id) {
    const key = `${name}|${id}`;
    if (procs[key]) return procs[key];
    const dist = variants.find(([n]) => n === name)[1];
    const proc = fork(here, ['--child', name, dist ?? '', ...(GC ? ['--gc'] : [])], { execArgv: ['--max-old-space-size=4096', '--expose-gc'], stdio: 'inherit' });
    const queue = [];
    proc.on('message', (m) => {
      if (m.info) {
        if (!printed.has(name)) console.log(m.info);
        printed.add(name);
      } else queue.shift()?.(m);
    });
    const call = (msg) =>
      new Promise((done) => {
        queue.push(done);
        if (msg) proc.send(msg);
      });
    await call();
    return (procs[key] = { proc, call });
  }

  const times = {}; // id → variant → CPU ms[]
  const walls = {}; // id → variant → wall-clock ms[]
  const checks = {};
  for (let round = 0; round < rounds; round++) {
    for (const w of selected) {
      const names = variants.map(([n]) => n).filter((n) => n !== 'ws+toString' || w.text);
      // Rotate the order each round: no variant always runs first.
      const order = names.map((_, i) => names[(i + round) % names.length]);
      for (const name of order) {
        const r = await (await processFor(name, w.id)).call({ id: w.id, runs });
        (times[w.id] ??= {})[name] ??= [];
        times[w.id][name].push(r.ms);
        ((walls[w.id] ??= {})[name] ??= []).push(r.wall);
        if (r.messages !== w.messages) throw new Error(`${name} ${w.id}: ${r.messages} of ${w.messages} messages`);
        // Every variant must deliver the same: text characters, binary bytes, or encoded bytes.
        const expected = (checks[w.id] ??= r.chars);
        if (r.chars !== expected) throw new Error(`${name} ${w.id}: ${r.chars} units, expected ${expected}`);
        if (name !== 'ws+bufferutil' && name !== 'ws+toString' && w.id === 'W6 1 MiB' && r.uncopied !== w.messages) {
          throw new Error(`${name} ${w.id}: the payload was copied`);
        }
      }
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
  for (const { proc } of Object.values(procs)) proc.kill();

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const cell = (s, n) => String(s).padStart(n);
  console.log(`\nnode ${process.version}; ${rounds} rounds interleaved, each variant in its own process, fastest of ${runs} runs per round`);
  console.log(`ms: median over the rounds of the CPU time of the process (user + system) per run: on a shared machine it leaves out the`);
  console.log(`time spent waiting for a core; the wall-clock ratio (median of the rounds') is in the last column`);
  console.log(`ratio = speed of wscodec ÷ speed of the other (above 1: wscodec is faster), median of the rounds' ratios\n`);
  const header = ['workload', 'wscodec ms', ...(variants.some(([n]) => n === 'main') ? ['main ms'] : []), 'ws+bu ms', 'ws+toStr ms', '÷ ws+bu', '÷ ws+toStr', ...(variants.some(([n]) => n === 'main') ? ['main ÷ ws+bu'] : [])];
  const widths = [10, 11, ...(variants.some(([n]) => n === 'main') ? [9] : []), 9, 12, 8, 11, 13];
  console.log(`${header.map((h, i) => (i === 0 ? h.padEnd(widths[i]) : cell(h, widths[i]))).join(' ')} ${cell('wall ÷ ws+bu', 9)}`);
  for (const w of selected) {
    const t = Object.fromEntries(Object.entries(times[w.id]).map(([n, xs]) => [n, median(xs)]));
    const row = [w.id.padEnd(widths[0]), cell(t.wscodec.toFixed(1), widths[1])];
    let c = 2;
    if (t.main !== undefined) row.push(cell(t.main.toFixed(1), widths[c++]));
    else if (variants.some(([n]) => n === 'main')) row.push(cell('', widths[c++]));
    row.push(cell(t['ws+bufferutil'].toFixed(1), widths[c++]));
    row.push(cell(t['ws+toString'] === undefined ? '' : t['ws+toString'].toFixed(1), widths[c++]));
    // The ratio of a row: the median of the rounds' ratios (each round measures
    // the variants one after the other, so a burst of load hits both sides).
    const ratio = (ours, theirs, table = times) => {
      const a = table[w.id][ours];
      const b = table[w.id][theirs];
      return `${median(a.map((x, i) => b[i] / x)).toFixed(2)}×`;
    };
    row.push(cell(ratio('wscodec', 'ws+bufferutil'), widths[c++]));
    row.push(cell(t['ws+toString'] === undefined ? '' : ratio('wscodec', 'ws+toString'), widths[c++]));
    if (t.main !== undefined) row.push(cell(ratio('main', 'ws+bufferutil'), widths[c++]));
    console.log(`${row.join(' ')} ${cell(ratio('wscodec', 'ws+bufferutil', walls), 9)}  ${w.name}`);
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await parent();
