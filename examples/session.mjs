// One WebSocket over any byte-stream transport, for every runtime: the
// opening handshake (wscodec's ServerHandshake / ClientHandshake), then a
// WebSocketConnection. The transport adapters (node-adapter.mjs, the Deno and
// Bun echo servers) only move bytes in and out; all protocol work is here and
// in the codec. Uses the public package surface only.
import { ClientHandshake, ServerHandshake, WebSocketConnection } from 'wscodec';

/** How long to wait for the peer to finish a close handshake before dropping the transport (RFC 6455 §7.1.1). */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

/**
 * How long the opening handshake may take, from the moment the transport is
 * handed to the session, before the transport is dropped. The codec bounds
 * what a peer can make it buffer (the HTTP head limits), not how long a peer
 * may take: a peer trickling a head under every limit (slowloris) is stopped
 * by this deadline. 10 s is ample for a real client's few hundred bytes.
 */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * How many bytes the peer may still send once we are done with it (a refused
 * handshake, or a connection whose close is complete or failed) before the
 * transport is dropped at once. Until then, what comes is read and thrown
 * away rather than left unread, so that our last answer (the refusal, or the
 * Close frame) is not destroyed by a TCP reset before the peer has read it.
 * 16 MiB, the codec's default message size limit: a peer may be in the
 * middle of sending a message that large when our Close frame reaches it.
 * A peer that floods on without reading may still lose our last answer to
 * the reset (TCP drops what it had not read; see SECURITY.md). Past this
 * budget reading on would only cost CPU and garbage (64 KiB per read)
 * until the close timer fires.
 */
export const DEFAULT_DISCARD_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * @typedef {object} Transport What a session needs from a byte stream.
 * @property {(chunks: Uint8Array[]) => void} write Writes the chunks in order (the adapter applies back-pressure).
 * @property {() => void} end Closes the stream after pending writes (TCP FIN).
 * @property {() => void} destroy Drops the stream now.
 */

/**
 * @typedef {object} SessionHandlers
 * @property {(session: WebSocketSession) => void} [onOpen] The handshake succeeded.
 * @property {(session: WebSocketSession, event: import('wscodec').WebSocketEvent) => void} [onEvent]
 *   Every event of the connection. Sends made here go out after the events of the same chunk.
 * @property {(session: WebSocketSession, error: import('wscodec').HandshakeError) => void} [onHandshakeError]
 *   The handshake failed (a server has sent its rejection response).
 * @property {(session: WebSocketSession) => void} [onClose] The transport is gone; `session.closeCode` tells why.
 */

/**
 * @typedef {object} SessionOptions
 * @property {'server' | 'client'} role
 * @property {import('wscodec').ServerHandshakeOptions} [server] Server handshake options (role `server`).
 * @property {import('wscodec').ClientHandshakeOptions} [client] Client handshake options (role `client`; `url` required).
 * @property {Omit<import('wscodec').WebSocketConnectionOptions, 'role' | 'extensions'>} [connection] Limits and behaviour.
 * @property {number} [closeTimeoutMs] Default {@link DEFAULT_CLOSE_TIMEOUT_MS}.
 * @property {number} [handshakeTimeoutMs] Default {@link DEFAULT_HANDSHAKE_TIMEOUT_MS}.
 * @property {number} [discardLimitBytes] Default {@link DEFAULT_DISCARD_LIMIT_BYTES}.
 * @property {AcceptedHandshake} [accepted] The opening handshake was done elsewhere (an extended CONNECT
 *   over HTTP/2, RFC 8441): the session starts with the connection, and `server`/`client` are not used.
 */

/**
 * @typedef {object} AcceptedHandshake
 * @property {string} [subprotocol] The negotiated subprotocol.
 * @property {import('wscodec').Extension[]} [extensions] The negotiated extensions.
 * @property {import('wscodec').ConnectRequest} [request] The request (server role).
 */

/** A WebSocket endpoint driven by a transport adapter. */
export class WebSocketSession {
  /** @type {ServerHandshake | ClientHandshake | undefined} */
  #handshake;
  /** @type {WebSocketConnection | undefined} */
  #connection;
  /** @type {Transport} */
  #transport;
  /** @type {SessionOptions & SessionHandlers} */
  #options;
  #delivering = false;
  #transportEnding = false;
  #finished = false;
  /** Bytes read and thrown away since the transport began to end. */
  #discarded = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #closeTimer;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #handshakeTimer;

  /** The client's request (server role), once the handshake succeeded. */
  request = /** @type {import('wscodec').UpgradeRequest | import('wscodec').ConnectRequest | undefined} */ (undefined);
  /** The negotiated subprotocol, if any. */
  subprotocol = /** @type {string | undefined} */ (undefined);
  /** The negotiated extensions (e.g. permessage-deflate), as the connection runs them. */
  extensions = /** @type {import('wscodec').Extension[]} */ ([]);
  /** Close code: the peer's (from its Close frame), the one we sent on a violation, or 1006. */
  closeCode = /** @type {number | undefined} */ (undefined);
  /** Close reason that goes with {@link closeCode}. */
  closeReason = '';

  /**
   * @param {Transport} transport
   * @param {SessionOptions & SessionHandlers} options
   */
  constructor(transport, options) {
    this.#transport = transport;
    this.#options = options;
    if (options.accepted !== undefined) {
      this.request = options.accepted.request;
      this.subprotocol = options.accepted.subprotocol;
      this.#open(options.accepted.extensions, new Uint8Array(0));
    } else if (options.role === 'server') {
      this.#handshake = new ServerHandshake(options.server);
    } else {
      if (options.client === undefined) throw new TypeError('WebSocketSession: a client needs options.client.url');
      this.#handshake = new ClientHandshake(options.client);
      transport.write([this.#handshake.request()]);
    }
    // The handshake's deadline: a peer that has not completed it in time is dropped.
    if (this.#handshake !== undefined) {
      this.#handshakeTimer = setTimeout(() => this.#transport.destroy(), options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS);
    }
  }

  /** `'handshake'`, then the connection's state: `'open'`, `'closing'`, `'closed'`. */
  get state() {
    if (this.#finished) return 'closed';
    return this.#connection?.state ?? 'handshake';
  }

  /** The underlying connection (after the handshake). */
  get connection() {
    return this.#connection;
  }

  /** Bytes arrived from the transport. */
  receive(/** @type {Uint8Array} */ chunk) {
    if (this.#finished) return;
    if (this.#transportEnding) {
      // Refused, or the connection is over: nothing more is read, only dropped.
      this.#discarded += chunk.length;
      if (this.#discarded > (this.#options.discardLimitBytes ?? DEFAULT_DISCARD_LIMIT_BYTES)) this.#transport.destroy();
      return;
    }
    if (this.#connection === undefined) this.#receiveHandshake(chunk);
    else this.#deliver(this.#connection.receive(chunk));
  }

  /**
   * The request, already parsed by an HTTP stack (server role), e.g. from
   * `node:http`'s 'upgrade' event: checked like the bytes of a request. Give
   * the bytes that came after the head to {@link receive}.
   * @param {import('wscodec').ParsedRequest} request
   */
  receiveRequest(request) {
    const handshake = this.#handshake;
    if (!(handshake instanceof ServerHandshake)) throw new TypeError('WebSocketSession.receiveRequest: only a server receives a request');
    this.#handshakeResult(handshake.receiveRequest(request));
  }

  /** The transport's read side ended (or broke). */
  receiveEof() {
    if (this.#finished) return;
    if (this.#connection === undefined) {
      this.#endTransport();
      return;
    }
    this.#deliver(this.#connection.receiveEof());
  }

  /** The transport is closed for good: report once and stop the timer. */
  transportClosed() {
    if (this.#finished) return;
    if (this.#connection !== undefined && this.closeCode === undefined) this.#deliver(this.#connection.receiveEof());
    this.#finished = true;
    clearTimeout(this.#closeTimer);
    clearTimeout(this.#handshakeTimer);
    this.#options.onClose?.(this);
  }

  /**
   * Sends a text message (or part, with `{ fin: false }`). Returns `false`,
   * sending nothing, when the connection no longer takes data.
   * @param {string} text
   * @param {import('wscodec').SendOptions} [options]
   */
  sendText(text, options) {
    return this.#send(() => this.#requireConnection().sendText(text, options));
  }

  /**
   * Sends a binary message (or part); `false` when the connection no longer takes data.
   * @param {Uint8Array} data
   * @param {import('wscodec').SendOptions} [options]
   */
  sendBinary(data, options) {
    return this.#send(() => this.#requireConnection().sendBinary(data, options));
  }

  /**
   * Sends a ping (at most 125 bytes); `false` when closing.
   * @param {Uint8Array} [data]
   */
  ping(data) {
    return this.#send(() => this.#requireConnection().ping(data));
  }

  /** Starts the close handshake (RFC 6455 §7.1.2); the transport is dropped if the peer does not answer in time. */
  close(code = 1000, reason = '') {
    this.#requireConnection().close(code, reason);
    if (!this.#delivering) this.#flush();
  }

  /**
   * Sends a message prepared once for many sessions (a broadcast; see
   * wscodec's PreparedMessage); `false` when the connection no longer takes data.
   * @param {import('wscodec').PreparedMessage} message
   */
  sendPrepared(message) {
    return this.#send(() => this.#requireConnection().sendPrepared(message));
  }

  #requireConnection() {
    if (this.#connection === undefined) throw new TypeError('WebSocketSession: the opening handshake is not complete');
    return this.#connection;
  }

  /** Runs a send; `false` when the connection no longer takes data; misuse throws. */
  #send(/** @type {() => void} */ action) {
    // canSend: the connection says whether it takes data now (RFC 6455 §5.5.1), no need to catch.
    if (this.#finished || this.#connection?.canSend === false) return false;
    action();
    if (!this.#delivering) this.#flush();
    return true;
  }

  #receiveHandshake(/** @type {Uint8Array} */ chunk) {
    const result = this.#handshake?.receive(chunk);
    if (result !== undefined && result.type !== 'incomplete') this.#handshakeResult(result);
  }

  #handshakeResult(
    /** @type {import('wscodec').ServerRequestResult | import('wscodec').ClientResponseResult} */ result,
  ) {
    clearTimeout(this.#handshakeTimer);
    const handshake = this.#handshake;
    if (result.type === 'error') {
      if ('response' in result && result.response instanceof Uint8Array) this.#transport.write([result.response]);
      this.#options.onHandshakeError?.(this, result.error);
      this.#endTransport();
      return;
    }
    let extensions;
    if (handshake instanceof ServerHandshake && result.type === 'request') {
      this.request = result.request;
      const accepted = handshake.accept();
      this.#transport.write([accepted.response]);
      this.subprotocol = accepted.subprotocol;
      extensions = accepted.extensions;
    } else if (result.type === 'accepted') {
      this.subprotocol = result.subprotocol;
      extensions = result.extensions;
    }
    this.#open(extensions, result.rest);
  }

  /** Starts the connection once the handshake succeeded; `rest` holds frame bytes that came with the head. */
  #open(
    /** @type {import('wscodec').Extension[] | undefined} */ extensions,
    /** @type {Uint8Array} */ rest,
  ) {
    this.extensions = extensions ?? [];
    this.#connection = new WebSocketConnection({ ...this.#options.connection, role: this.#options.role, extensions });
    this.#options.onOpen?.(this);
    // Frames that came in the same chunk as the head belong to the connection.
    this.#deliver(rest.length > 0 ? this.#connection.receive(rest) : []);
  }

  #deliver(/** @type {import('wscodec').WebSocketEvent[]} */ events) {
    this.#delivering = true;
    try {
      for (const event of events) {
        if (event.type === 'close' || event.type === 'error') {
          this.closeCode ??= event.code;
          if (this.closeReason === '') this.closeReason = event.type === 'close' ? event.reason : event.message;
        }
        this.#options.onEvent?.(this, event);
      }
    } finally {
      this.#delivering = false;
    }
    this.#flush();
  }

  /** Writes what the connection queued, then closes the transport or arms the close timer as it says (RFC 6455 §7.1.1). */
  #flush() {
    const connection = this.#connection;
    if (connection === undefined || this.#finished) return;
    const out = connection.dataToSend();
    if (out.length > 0 && !this.#transportEnding) this.#transport.write(out);
    if (connection.shouldCloseTransport) this.#endTransport();
    else if (connection.state !== 'open') this.#armCloseTimer();
  }

  #endTransport() {
    if (this.#transportEnding) return;
    this.#transportEnding = true;
    this.#transport.end();
    // The peer should close its side too; if it does not, drop the transport.
    this.#armCloseTimer();
  }

  #armCloseTimer() {
    if (this.#closeTimer !== undefined || this.#finished) return;
    const ms = this.#options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.#closeTimer = setTimeout(() => this.#transport.destroy(), ms);
  }
}
