// Short non-ASCII texts through WebSocketConnection.sendText (100,000 sends,
// median of 15 rounds, per role). Compares builds side by side:
//   node bench/short-text-send.bench.mjs [distDir ...]   (default: ./dist)
// Run each build in its own process and interleave them, e.g.
//   for d in /tmp/a /tmp/b /tmp/a /tmp/b; do node bench/short-text-send.bench.mjs $d; done
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const dist = resolve(process.argv[2] ?? 'dist');
const { WebSocketConnection } = await import(pathToFileURL(`${dist}/index.js`).href);
const texts = Array.from({ length: 100_000 }, (_, i) => `hello κόσμε ${i}`);
for (const role of ['server', 'client']) {
  const conn = new WebSocketConnection({ role });
  const times = [];
  for (let round = 0; round < 15; round++) {
    const start = performance.now();
    for (const text of texts) {
      conn.sendText(text);
      conn.dataToSend();
    }
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(`${dist} ${role}: ${times[7].toFixed(1)} ms per 100k short non-ASCII sends (median of 15)`);
}
