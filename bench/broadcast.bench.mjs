// Broadcast cost: one message to 1,000 server connections, sent with
// sendText on each connection against one PreparedMessage sent with
// sendPrepared on each, in the same process, rounds interleaved so that
// machine noise hits every variant.
//
// Message: about 1 KiB of JSON text. Connections (all servers, unmasked):
//   - no extension;
//   - permessage-deflate without server context takeover (the chat room's
//     setting): a prepared message is compressed once for all of them;
//   - permessage-deflate with context takeover: nothing can be shared, so
//     sendPrepared compresses per connection as sendText does (only the UTF-8
//     encoding is shared).
// Every variant takes dataToSend() from every connection after the
// broadcast, and the bytes are counted: both ways must send the same number.
//
// Run: npx tsup && /usr/bin/node bench/broadcast.bench.mjs
import { PreparedMessage, WebSocketConnection } from '../dist/index.js';
import { PerMessageDeflateClient, PerMessageDeflateServer } from '../dist/deflate.js';

const ROUNDS = 7;
const CONNECTIONS = 1_000;
const BROADCASTS = 20;
const text = JSON.stringify({
  room: 'lobby',
  messages: Array.from({ length: 12 }, (_, i) => ({ id: 1000 + i, from: `user-${i}`, text: 'hello everyone, how are you today?' })),
});

/** permessage-deflate as one connection's server side negotiates it with a default client offer. */
function deflateServer(serverNoContextTakeover) {
  const client = new PerMessageDeflateClient();
  const factory = new PerMessageDeflateServer({ threshold: 0, serverNoContextTakeover });
  return factory.accept(client.offer(), []).extension;
}

const setups = {
  'no extension': () => [],
  'deflate, no context takeover': () => [deflateServer(true)],
  'deflate, context takeover': () => [deflateServer(false)],
};

/** Runs BROADCASTS broadcasts to fresh connections; returns ms per broadcast and the bytes sent. */
function run(setup, prepared) {
  const conns = Array.from({ length: CONNECTIONS }, () => new WebSocketConnection({ role: 'server', extensions: setup() }));
  let bytes = 0;
  const start = performance.now();
  for (let b = 0; b < BROADCASTS; b++) {
    const message = prepared ? new PreparedMessage(text) : undefined;
    for (const conn of conns) {
      if (message) conn.sendPrepared(message);
      else conn.sendText(text);
      for (const chunk of conn.dataToSend()) bytes += chunk.length;
    }
  }
  return { ms: (performance.now() - start) / BROADCASTS, bytes };
}

const results = new Map();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, setup] of Object.entries(setups)) {
    for (const prepared of [false, true]) {
      const key = `${name}|${prepared}`;
      const { ms, bytes } = run(setup, prepared);
      const entry = results.get(key) ?? { samples: [], bytes };
      if (entry.bytes !== bytes) throw new Error(`${key}: ${bytes} bytes sent, ${entry.bytes} before`);
      entry.samples.push(ms);
      results.set(key, entry);
    }
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`broadcast of ${new TextEncoder().encode(text).length} B of JSON to ${CONNECTIONS} server connections; median of ${ROUNDS} rounds`);
console.log('| connections | sendText per connection | sendPrepared | speed-up | bytes per broadcast |');
console.log('| --- | --- | --- | --- | --- |');
for (const name of Object.keys(setups)) {
  const each = results.get(`${name}|false`);
  const shared = results.get(`${name}|true`);
  if (each.bytes !== shared.bytes) throw new Error(`${name}: sendPrepared sent ${shared.bytes} bytes, sendText ${each.bytes}`);
  const [a, b] = [median(each.samples), median(shared.samples)];
  console.log(`| ${name} | ${a.toFixed(2)} ms | ${b.toFixed(2)} ms | ${(a / b).toFixed(1)}× | ${each.bytes / BROADCASTS} |`);
}
