// Node HTTP/2 transport for WebSocketSession (session.mjs): a WebSocket on
// one stream of an HTTP/2 connection, opened by an extended CONNECT
// (RFC 8441). The handshake is wscodec's ServerConnectHandshake /
// ClientConnectHandshake on header maps; after it the stream carries ordinary
// RFC 6455 frames, and this file only moves bytes, applies back-pressure and
// maps the end of the WebSocket onto the stream (RFC 8441 §5):
//   - the close handshake is Close frames on the stream, as over TCP;
//   - where RFC 6455 closes the TCP connection, we end our side of the stream
//     (END_STREAM); the peer's END_STREAM is its TCP FIN (receiveEof);
//   - where RFC 6455 drops the connection (close timeout, failure), we reset
//     the stream with RST_STREAM(CANCEL); a reset from the peer is an abnormal
//     closure (1006).
import { connect as http2Connect, constants } from 'node:http2';
import { ClientConnectHandshake, ServerConnectHandshake } from 'wscodec';
import { socketTransport } from './node-adapter.mjs';
import { WebSocketSession } from './session.mjs';

/**
 * @typedef {Omit<import('./session.mjs').SessionOptions, 'role' | 'server' | 'client' | 'accepted'>
 *   & import('./session.mjs').SessionHandlers} StreamSessionOptions
 */

/**
 * A session transport on an HTTP/2 stream: writes with back-pressure as on a
 * socket, `end()` sends END_STREAM, `destroy()` resets the stream with CANCEL.
 * @param {import('node:http2').Http2Stream} stream
 * @returns {import('./session.mjs').Transport}
 */
function streamTransport(stream) {
  return {
    ...socketTransport(stream),
    destroy() {
      if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
    },
  };
}

/**
 * Connects a session to a stream's events.
 * @param {import('node:http2').Http2Stream} stream
 * @param {WebSocketSession} session
 */
function pipe(stream, session) {
  stream.on('data', (/** @type {Uint8Array} */ chunk) => session.receive(chunk));
  stream.on('end', () => session.receiveEof()); // the peer's END_STREAM
  stream.on('error', () => {}); // a reset or a broken connection: 'close' follows
  stream.on('close', () => session.transportClosed()); // closed both ways, or reset (1006 if no Close came)
}

/**
 * Serves a WebSocket on an HTTP/2 stream from an `http2` server's 'stream'
 * event whose request is an extended CONNECT. Checks the request
 * (`ServerConnectHandshake`), answers `200` (leaving the stream open) or the
 * refusal (ending it), and returns the session, or the refusal's error.
 * @param {import('node:http2').ServerHttp2Stream} stream
 * @param {import('node:http2').IncomingHttpHeaders} headers
 * @param {StreamSessionOptions & { handshake?: import('wscodec').ServerConnectHandshakeOptions }} options
 * @returns {WebSocketSession | import('wscodec').HandshakeError}
 */
export function acceptConnectStream(stream, headers, options) {
  const handshake = new ServerConnectHandshake(options.handshake);
  const result = handshake.receive(headers);
  if (result.type === 'error') {
    stream.respond(result.response.headers);
    stream.end(result.response.body);
    return result.error;
  }
  const { headers: response, subprotocol, extensions } = handshake.accept();
  stream.respond(response); // no END_STREAM: the stream carries the WebSocket now
  const session = new WebSocketSession(streamTransport(stream), {
    ...options,
    role: 'server',
    accepted: { request: result.request, subprotocol, extensions },
  });
  pipe(stream, session);
  return session;
}

/**
 * Opens a WebSocket over HTTP/2 (RFC 8441): on `options.session` if given,
 * else on a new HTTP/2 connection to the URL's host. The request is sent once
 * the server's SETTINGS allow extended CONNECT (RFC 8441 §3). Resolves with
 * the session once the server answered 2xx; rejects on a refusal.
 * @param {string | URL} url A `wss:` (or `ws:`, for HTTP/2 without TLS) URL.
 * @param {StreamSessionOptions & {
 *   handshake?: Omit<import('wscodec').ClientConnectHandshakeOptions, 'url'>,
 *   session?: import('node:http2').ClientHttp2Session,
 *   tls?: import('node:http2').SecureClientSessionOptions,
 * }} [options]
 * @returns {Promise<WebSocketSession>}
 */
export function connectHttp2(url, options = {}) {
  return new Promise((resolve, reject) => {
    const handshake = new ClientConnectHandshake({ ...options.handshake, url });
    const { hostname, port, secure } = handshake.endpoint;
    const host = hostname.includes(':') ? `[${hostname}]` : hostname;
    const h2 = options.session ?? http2Connect(`${secure ? 'https' : 'http'}://${host}:${port}`, options.tls);
    const owned = options.session === undefined;
    const fail = (/** @type {Error} */ error) => {
      if (owned) h2.close();
      reject(error);
    };
    h2.once('error', fail);
    const open = () => {
      const stream = h2.request(handshake.request(), { endStream: false });
      stream.once('error', fail);
      stream.once('response', (headers) => {
        const result = handshake.receive(headers);
        if (result.type === 'error') {
          stream.close(constants.NGHTTP2_CANCEL);
          fail(result.error);
          return;
        }
        stream.off('error', fail);
        h2.off('error', fail);
        const session = new WebSocketSession(streamTransport(stream), {
          ...options,
          role: 'client',
          accepted: { subprotocol: result.subprotocol, extensions: result.extensions },
        });
        pipe(stream, session);
        // A connection opened for this WebSocket ends with it.
        if (owned) stream.once('close', () => h2.close());
        resolve(session);
      });
    };
    if (h2.remoteSettings?.enableConnectProtocol) return open();
    h2.once('remoteSettings', (settings) => {
      if (settings.enableConnectProtocol) open();
      else fail(new Error('connectHttp2: the server does not allow extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL, RFC 8441 §3)'));
    });
  });
}
