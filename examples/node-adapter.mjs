// Node transport for WebSocketSession (session.mjs): a `node:net` socket, or
// the socket of a `node:http` 'upgrade' event. Thin on purpose: it moves
// bytes, applies back-pressure and closes the socket when told to.
import { connect as netConnect } from 'node:net';
import { WebSocketSession } from './session.mjs';

export { WebSocketSession, DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_HANDSHAKE_TIMEOUT_MS } from './session.mjs';

/**
 * Wraps a socket (or any duplex stream, e.g. an HTTP/2 stream) as a session
 * transport. Back-pressure: when the stream's write buffer is full, reading
 * from the peer pauses until it drains, so a peer that sends faster than it
 * reads cannot grow our memory without bound.
 * @param {import('node:stream').Duplex} socket
 * @returns {import('./session.mjs').Transport}
 */
export function socketTransport(socket) {
  let waitingForDrain = false;
  return {
    write(chunks) {
      if (socket.destroyed || socket.writableEnded) return;
      socket.cork();
      let flowing = true;
      for (const chunk of chunks) flowing = socket.write(chunk);
      socket.uncork();
      if (!flowing && !waitingForDrain) {
        waitingForDrain = true;
        socket.pause();
        socket.once('drain', () => {
          waitingForDrain = false;
          socket.resume();
        });
      }
    },
    end() {
      if (!socket.destroyed) socket.end();
    },
    destroy() {
      socket.destroy();
    },
  };
}

/**
 * Connects a session to a socket's events.
 * @param {import('node:net').Socket} socket
 * @param {WebSocketSession} session
 */
function pipe(socket, session) {
  socket.setNoDelay(true);
  socket.on('data', (/** @type {Buffer} */ chunk) => session.receive(chunk));
  socket.on('end', () => session.receiveEof());
  // ECONNRESET and the like: the transport broke; 'close' follows.
  socket.on('error', () => {});
  socket.on('close', () => session.transportClosed());
}

/**
 * Serves a WebSocket on a raw socket accepted by a `node:net` server: the
 * handshake reads the HTTP head from the socket's first bytes.
 * @param {import('node:net').Socket} socket
 * @param {Omit<import('./session.mjs').SessionOptions, 'role'> & import('./session.mjs').SessionHandlers} options
 */
export function acceptSocket(socket, options) {
  const session = new WebSocketSession(socketTransport(socket), { ...options, role: 'server' });
  pipe(socket, session);
  return session;
}

/**
 * Serves a WebSocket from a `node:http` server's 'upgrade' event. Node has
 * already parsed the request head; the handshake checks it as it is
 * (`ServerHandshake.receiveRequest`), and `head` holds the bytes that came
 * after it, for the connection.
 * @param {import('node:http').IncomingMessage} request
 * @param {import('node:stream').Duplex} socket
 * @param {Buffer} head
 * @param {Omit<import('./session.mjs').SessionOptions, 'role'> & import('./session.mjs').SessionHandlers} options
 */
export function acceptUpgrade(request, socket, head, options) {
  const session = new WebSocketSession(socketTransport(/** @type {import('node:net').Socket} */ (socket)), {
    ...options,
    role: 'server',
  });
  pipe(/** @type {import('node:net').Socket} */ (socket), session);
  session.receiveRequest({
    method: request.method ?? 'GET',
    target: request.url ?? '/',
    version: `HTTP/${request.httpVersion}`,
    headers: request.rawHeaders,
  });
  if (head.length > 0 && session.connection !== undefined) session.receive(head);
  return session;
}

/**
 * Opens a client connection to a `ws://` URL over `node:net` (no TLS in this
 * example). Resolves with the session once the server accepted the
 * handshake; rejects if the handshake or the TCP connection fails.
 * @param {string | URL} url
 * @param {Omit<import('./session.mjs').SessionOptions, 'role' | 'client'> & import('./session.mjs').SessionHandlers & { client?: Omit<import('wscodec').ClientHandshakeOptions, 'url'> }} [options]
 * @returns {Promise<WebSocketSession>}
 */
export function connect(url, options = {}) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== 'ws:') throw new TypeError(`connect: only ws: URLs are supported here, not ${target.protocol}`);
    const socket = netConnect({ host: target.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(target.port || 80) });
    socket.once('error', reject);
    socket.once('connect', () => {
      const session = new WebSocketSession(socketTransport(socket), {
        ...options,
        role: 'client',
        client: { ...options.client, url },
        onOpen(s) {
          socket.off('error', reject);
          options.onOpen?.(s);
          resolve(s);
        },
        onHandshakeError(s, error) {
          options.onHandshakeError?.(s, error);
          reject(error);
        },
      });
      pipe(socket, session);
      socket.once('close', () => reject(new Error('connect: the connection closed during the handshake')));
    });
  });
}
