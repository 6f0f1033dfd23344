// End to end over loopback: examples/echo-server.mjs (wscodec on node:net)
// against a `ws` echo server with bufferutil (bench/ws-echo-server.mjs), both
// driven by the same `ws` client in this process (bufferutil loaded too).
// Each server runs in its own process on 127.0.0.1, port 0; rounds alternate
// between the servers; figures are medians.
//   - 16 B binary messages, one at a time: round trips per second;
//   - 64 KiB and 16 MiB binary messages, one at a time: MB/s of payload echoed.
//
// Run: npm run build && node bench/e2e.bench.mjs [rounds]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const require = createRequire(import.meta.url);
const ROUNDS = Number(process.argv[2] ?? 5);
const root = fileURLToPath(new URL('..', import.meta.url));
const servers = {
  wscodec: ['examples/echo-server.mjs', '--port', '0'],
  'ws+bufferutil': ['bench/ws-echo-server.mjs', '--port', '0'],
};
// WSCODEC_BASELINE_ROOT: another checkout (built) whose echo server runs too, e.g. main's for a before/after table.
if (process.env.WSCODEC_BASELINE_ROOT) servers.main = [`${process.env.WSCODEC_BASELINE_ROOT}/examples/echo-server.mjs`, '--port', '0'];
const tests = [
  { name: '16 B round trips', size: 16, count: 20_000, unit: 'rt/s' },
  { name: '64 KiB messages', size: 64 * 1024, count: 2_000, unit: 'MB/s' },
  { name: '16 MiB messages', size: 16 * 1024 * 1024, count: 12, unit: 'MB/s' },
];

function start(args) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((done, fail) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const url = /listening on (ws:\/\/\S+)/.exec(out)?.[1];
      if (url) done({ child, url, banner: out.split('\n')[0] });
    });
    child.on('exit', (code) => fail(new Error(`${args[0]} exited with ${code}: ${out}`)));
  });
}

function open(url) {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  return new Promise((done, fail) => {
    ws.once('open', () => done(ws));
    ws.once('error', fail);
  });
}

/** Sends `count` messages of `size` bytes one at a time, each after the previous echo; returns seconds. */
async function run(ws, size, count) {
  const payload = new Uint8Array(size).map((_, i) => (i * 131) & 0xff);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const echoed = new Promise((done) => ws.once('message', (data) => done(data)));
    ws.send(payload, { binary: true });
    const data = await echoed;
    if (data.length !== size) throw new Error(`echo of ${data.length} bytes, sent ${size}`);
  }
  return (performance.now() - start) / 1000;
}

if (!Object.keys(require.cache).some((path) => /[\\/]node_modules[\\/]bufferutil[\\/]/.test(path))) {
  throw new Error('the ws client did not load bufferutil');
}
const running = {};
for (const [name, args] of Object.entries(servers)) {
  running[name] = await start(args);
  console.log(`${name}: ${running[name].banner.trim()}`);
}
const clients = {};
for (const name of Object.keys(servers)) clients[name] = await open(running[name].url);
const rates = {};
try {
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const t of tests) {
      const names = Object.keys(servers);
      for (const name of round % 2 ? names.reverse() : names) {
        const seconds = await run(clients[name], t.size, round === 0 ? Math.ceil(t.count / 4) : t.count);
        if (round === 0) continue; // warm-up
        const rate = t.unit === 'rt/s' ? t.count / seconds : (t.size * t.count) / 1e6 / seconds;
        ((rates[t.name] ??= {})[name] ??= []).push(rate);
      }
    }
    if (round > 0) process.stderr.write(`round ${round}/${ROUNDS} done\n`);
  }
} finally {
  for (const ws of Object.values(clients)) ws.terminate();
  for (const { child } of Object.values(running)) child.kill();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`\nnode ${process.version}; loopback, one ws client; ${ROUNDS} rounds alternating; medians`);
const names = Object.keys(servers);
console.log(`${'test'.padEnd(18)} ${names.map((n) => n.padStart(14)).join(' ')}  ${names.filter((n) => n !== 'ws+bufferutil').map((n) => `${n} ÷ ws+bu`.padStart(16)).join(' ')}`);
for (const t of tests) {
  const r = rates[t.name];
  const ratio = (n) => median(r[n].map((x, i) => x / r['ws+bufferutil'][i])).toFixed(2) + '×';
  console.log(
    `${t.name.padEnd(18)} ${names.map((n) => `${median(r[n]).toFixed(0)} ${t.unit}`.padStart(14)).join(' ')}  ${names.filter((n) => n !== 'ws+bufferutil').map((n) => ratio(n).padStart(16)).join(' ')}`,
  );
}
console.log('(ratio: median of the rounds\' ratios, above 1: faster than ws + bufferutil)');
