#!/usr/bin/env node
// The demo over HTTP/2: one TLS port serving the page and the WebSocket
// endpoints /echo and /chat both ways a browser may open them — an extended
// CONNECT on the page's own HTTP/2 connection (RFC 8441), or an HTTP/1.1
// Upgrade on a connection of its own — with the same endpoint code behind.
// Run `npm run build` first.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildConnectRejection } from 'wscodec';
import { portFromFlag } from './echo.mjs';
import { acceptConnectStream } from './http2-adapter.mjs';
import { ChatHub } from './demo/chat-hub.mjs';
import { demoEndpoints, pageResponse, upgradeListener } from './demo/site.mjs';

const HELP = `Usage: node examples/http2-server.mjs [--port N] [--host ADDRESS] [--cert FILE --key FILE]

Serves the demo page on https://ADDRESS:N/ over HTTP/2 (and HTTP/1.1 for
clients without it), with the WebSocket endpoints /echo and /chat reachable
by an HTTP/2 extended CONNECT (RFC 8441; SETTINGS_ENABLE_CONNECT_PROTOCOL is
announced) or an HTTP/1.1 Upgrade.

Options:
  --port N        TCP port (default 8443; 0 picks a free one)
  --host ADDRESS  address to listen on (default 127.0.0.1)
  --cert, --key   PEM certificate and key; without them a self-signed
                  certificate for localhost and 127.0.0.1 is made for this run
                  with openssl (browsers warn about it)
  --help          this text

Prints "listening on https://HOST:PORT/" once ready, then one JSON line per
WebSocket opened and closed, saying how it was opened. Stop it with Ctrl-C.`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8443' },
    host: { type: 'string', default: '127.0.0.1' },
    cert: { type: 'string' },
    key: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const port = portFromFlag(values.port, 'http2-server');
if ((values.cert === undefined) !== (values.key === undefined)) {
  console.error('http2-server: give both --cert and --key, or neither');
  process.exit(2);
}

/**
 * A self-signed certificate made for this run, so that no private key lives
 * in the repository; the files are deleted once read.
 */
function selfSignedCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'wscodec-cert-'));
  try {
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1', '-keyout', key, '-out', cert],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } catch (error) {
    console.error(`http2-server: could not make a certificate with openssl (${error instanceof Error ? error.message : error}); give --cert and --key`);
    process.exit(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tls = values.cert !== undefined && values.key !== undefined
  ? { cert: readFileSync(values.cert), key: readFileSync(values.key) }
  : selfSignedCertificate();
const hub = new ChatHub();
const endpoints = demoEndpoints(hub);

/**
 * The endpoint at `path` with its open and close logged as JSON lines: the
 * way the WebSocket was opened (an HTTP/2 extended CONNECT or an HTTP/1.1
 * Upgrade) and its close code.
 * @param {string} path
 * @param {Record<string, unknown>} via
 */
function loggedEndpoint(path, via) {
  const endpoint = Object.hasOwn(endpoints, path) ? endpoints[path] : undefined;
  if (endpoint === undefined) return undefined;
  return {
    ...endpoint,
    /** @param {import('./session.mjs').WebSocketSession} session */
    onOpen(session) {
      console.log(JSON.stringify({ event: 'open', path, ...via }));
      endpoint.onOpen?.(session);
    },
    /** @param {import('./session.mjs').WebSocketSession} session */
    onClose(session) {
      console.log(JSON.stringify({ event: 'close', path, via: via.via, code: session.closeCode ?? 1006 }));
      endpoint.onClose?.(session);
    },
  };
}

const server = createSecureServer({ ...tls, allowHTTP1: true, settings: { enableConnectProtocol: true } });
// Node's compatibility layer turns every HTTP/2 stream into a 'request' event
// once a 'request' listener exists, and answers a CONNECT itself with 405.
// HTTP/2 streams are handled on 'stream' below, so that layer is not
// installed: its hook, the server's only 'newListener' listener, is removed
// before the HTTP/1.1 'request' listener is added.
server.removeAllListeners('newListener');

// HTTP/2: the page's requests and the WebSockets' extended CONNECTs, each on its own stream.
server.on('stream', async (/** @type {import('node:http2').ServerHttp2Stream} */ stream, headers) => {
  stream.on('error', () => {}); // a stream reset by the client; its session notices through 'close'
  const path = new URL(headers[':path'] ?? '/', 'https://localhost').pathname;
  if (headers[':method'] === 'CONNECT') {
    const via = { via: 'h2', method: headers[':method'], protocol: headers[':protocol'], alpn: stream.session?.alpnProtocol };
    const endpoint = loggedEndpoint(path, via);
    if (endpoint === undefined) {
      const refusal = buildConnectRejection(404, `No WebSocket endpoint at ${path}; try /echo or /chat\n`);
      stream.respond(refusal.headers);
      stream.end(refusal.body);
      return;
    }
    // The same extensions as over HTTP/1.1 (the demo's endpoints set no subprotocols).
    const { server, ...session } = endpoint;
    acceptConnectStream(stream, headers, { ...session, handshake: { extensions: server?.extensions } });
    return;
  }
  const page = await pageResponse(headers[':method'], path);
  if (stream.destroyed) return;
  stream.respond({ ':status': page.status, ...page.headers });
  stream.end(page.body);
});

// HTTP/1.1 (clients without HTTP/2, e.g. the `ws` package): the same page and endpoints.
server.on('request', async (request, response) => {
  const page = await pageResponse(request.method, new URL(request.url ?? '/', 'https://localhost').pathname);
  response.writeHead(page.status, page.headers).end(page.body);
});
server.on(
  'upgrade',
  upgradeListener((path, request) => loggedEndpoint(path, { via: 'h1', method: request.method, protocol: request.headers.upgrade })),
);

server.listen(port, values.host, () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const host = values.host.includes(':') ? `[${values.host}]` : values.host;
  console.log(`listening on https://${host}:${address.port}/`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    hub.closeAll();
    server.close();
    setTimeout(() => process.exit(0), 200).unref();
  });
}
