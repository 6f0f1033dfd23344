#!/usr/bin/env node
// The demo: a page with an echo panel and a chat room, both on the browser's
// own WebSocket, served by a node:http server whose WebSocket endpoints run
// on wscodec. `npm start` builds the package and runs this file.
//   node examples/demo/server.mjs [--port 8080] [--host localhost]
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { buildRejection } from 'wscodec';
import { PerMessageDeflateServer } from 'wscodec/deflate';
import { acceptUpgrade } from '../node-adapter.mjs';
import { echoHandlers } from '../echo.mjs';
import { ChatHub } from './chat-hub.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8080' },
    host: { type: 'string', default: process.env.HOST ?? 'localhost' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(`Usage: node examples/demo/server.mjs [--port N] [--host ADDRESS]

Serves the demo page on http://ADDRESS:N/ (default localhost:8080; also the
PORT and HOST environment variables), with WebSocket endpoints /echo (echoes
every message, up to 1 MiB) and /chat (a room: each text message, up to
4 KiB, goes to everyone). Both accept the browser's permessage-deflate offer
(RFC 7692) and compress every message; the page shows what was negotiated.`);
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`demo: --port must be an integer from 0 to 65535, not ${values.port}`);
  process.exit(2);
}

/** @type {Record<string, [file: string, contentType: string]>} */
const STATIC = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/demo.js': ['demo.js', 'text/javascript; charset=utf-8'],
};

const hub = new ChatHub();
// permessage-deflate (RFC 7692) on both endpoints, every message compressed.
// The chat room's server compresses without context takeover, so that each
// broadcast is compressed once for every member (a PreparedMessage shares it).
const echoDeflate = new PerMessageDeflateServer({ threshold: 0 });
const chatDeflate = new PerMessageDeflateServer({ threshold: 0, serverNoContextTakeover: true });
/** @type {Record<string, Parameters<typeof acceptUpgrade>[3]>} */
const ENDPOINTS = {
  '/echo': { server: { extensions: [echoDeflate] }, connection: { maxMessageSize: 1 << 20 }, ...echoHandlers },
  '/chat': { server: { extensions: [chatDeflate] }, connection: { maxMessageSize: 4096 }, ...hub.handlers() },
};

const server = createServer(async (request, response) => {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const entry = Object.hasOwn(STATIC, path) ? STATIC[path] : undefined;
  if (entry === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
    return;
  }
  const body = await readFile(new URL(entry[0], import.meta.url));
  response.writeHead(200, { 'content-type': entry[1], 'cache-control': 'no-cache' });
  response.end(request.method === 'HEAD' ? undefined : body);
});

server.on('upgrade', (request, socket, head) => {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const endpoint = Object.hasOwn(ENDPOINTS, path) ? ENDPOINTS[path] : undefined;
  if (endpoint === undefined) {
    socket.end(buildRejection(404, `No WebSocket endpoint at ${path}; try /echo or /chat\n`));
    return;
  }
  acceptUpgrade(request, socket, head, endpoint);
});

server.listen(port, values.host, () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const host = values.host.includes(':') ? `[${values.host}]` : values.host;
  console.log(`demo: listening on http://${host}:${address.port}/`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    hub.closeAll();
    server.close();
    setTimeout(() => process.exit(0), 200).unref();
  });
}
