#!/usr/bin/env node
// The demo: a page with an echo panel and a chat room, both on the browser's
// own WebSocket, served by a node:http server whose WebSocket endpoints run
// on wscodec. `npm start` builds the package and runs this file.
//   node examples/demo/server.mjs [--port 8080] [--host localhost]
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { portFromFlag } from '../echo.mjs';
import { ChatHub } from './chat-hub.mjs';
import { demoEndpoints, pageResponse, upgradeListener } from './site.mjs';

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
const port = portFromFlag(values.port, 'demo');

const hub = new ChatHub();
const ENDPOINTS = demoEndpoints(hub);

const server = createServer(async (request, response) => {
  const page = await pageResponse(request.method, new URL(request.url ?? '/', 'http://localhost').pathname);
  response.writeHead(page.status, page.headers).end(page.body);
});

server.on('upgrade', upgradeListener((path) => (Object.hasOwn(ENDPOINTS, path) ? ENDPOINTS[path] : undefined)));

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
