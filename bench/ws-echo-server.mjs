// The `ws` echo server that bench/e2e.bench.mjs measures examples/echo-server.mjs
// against: ws's WebSocketServer with bufferutil (checked and printed), no
// compression, the same 16 MiB message limit, echoing every message as the
// same type. Prints "listening on ws://HOST:PORT/" like the example.
//   node bench/ws-echo-server.mjs [--port N]
import { createRequire } from 'node:module';
import { WebSocketServer } from 'ws';

const require = createRequire(import.meta.url);
const port = Number(process.argv[process.argv.indexOf('--port') + 1] ?? 0) || 0;
const bufferutil = Object.keys(require.cache).find((path) => /[\\/]node_modules[\\/]bufferutil[\\/]/.test(path));
if (!bufferutil) throw new Error('ws did not load bufferutil');
const server = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
server.on('listening', () => {
  console.log(`ws ${require('ws/package.json').version} with bufferutil ${require('bufferutil/package.json').version}`);
  console.log(`listening on ws://127.0.0.1:${server.address().port}/`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
