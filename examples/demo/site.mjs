// The demo's site, shared by the HTTP/1.1 demo server (server.mjs) and the
// HTTP/2 one (../http2-server.mjs): the page's files and the WebSocket
// endpoints /echo and /chat.
import { readFile } from 'node:fs/promises';
import { buildRejection } from 'wscodec';
import { PerMessageDeflateServer } from 'wscodec/deflate';
import { echoHandlers } from '../echo.mjs';
import { acceptUpgrade } from '../node-adapter.mjs';

/** @type {Record<string, [file: string, contentType: string]>} */
const STATIC = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/demo.js': ['demo.js', 'text/javascript; charset=utf-8'],
};

/**
 * The response to a page request: a file of the demo, or 404.
 * @param {string | undefined} method
 * @param {string} path The request's path, without the query.
 * @returns {Promise<{ status: number, headers: Record<string, string>, body: Uint8Array | string }>}
 */
export async function pageResponse(method, path) {
  const entry = Object.hasOwn(STATIC, path) ? STATIC[path] : undefined;
  if (entry === undefined || (method !== 'GET' && method !== 'HEAD')) {
    return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not found\n' };
  }
  const body = await readFile(new URL(entry[0], import.meta.url));
  return { status: 200, headers: { 'content-type': entry[1], 'cache-control': 'no-cache' }, body: method === 'HEAD' ? '' : body };
}

/**
 * The WebSocket endpoints, by path: `/echo` echoes every message (up to
 * 1 MiB), `/chat` is the room of `hub` (text messages up to 4 KiB). Both
 * negotiate permessage-deflate (RFC 7692) and compress every message; the
 * chat room's server compresses without context takeover, so that each
 * broadcast is compressed once for every member (a PreparedMessage shares it).
 * `server` holds the handshake options, for HTTP/1.1 Upgrade and HTTP/2
 * extended CONNECT alike.
 * @param {import('./chat-hub.mjs').ChatHub} hub
 * @returns {Record<string, Pick<import('../session.mjs').SessionOptions, 'connection' | 'server'> & import('../session.mjs').SessionHandlers>}
 */
export function demoEndpoints(hub) {
  const echoDeflate = new PerMessageDeflateServer({ threshold: 0 });
  const chatDeflate = new PerMessageDeflateServer({ threshold: 0, serverNoContextTakeover: true });
  return {
    '/echo': { server: { extensions: [echoDeflate] }, connection: { maxMessageSize: 1 << 20 }, ...echoHandlers },
    '/chat': { server: { extensions: [chatDeflate] }, connection: { maxMessageSize: 4096 }, ...hub.handlers() },
  };
}

/**
 * A `node:http` 'upgrade' listener: the endpoint `endpointAt` gives for the
 * request's path runs the WebSocket (HTTP/1.1 Upgrade), or the request gets a
 * 404 naming the endpoints.
 * @param {(path: string, request: import('node:http').IncomingMessage) => Parameters<typeof acceptUpgrade>[3] | undefined} endpointAt
 */
export function upgradeListener(endpointAt) {
  return (
    /** @type {import('node:http').IncomingMessage} */ request,
    /** @type {import('node:stream').Duplex} */ socket,
    /** @type {Buffer} */ head,
  ) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const endpoint = endpointAt(path, request);
    if (endpoint === undefined) {
      socket.end(buildRejection(404, `No WebSocket endpoint at ${path}; try /echo or /chat\n`));
      return;
    }
    acceptUpgrade(request, socket, head, endpoint);
  };
}
