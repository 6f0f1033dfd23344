/**
 * The client side of the opening handshake (RFC 6455 §4.1): build the
 * upgrade request and validate the server's response. No I/O: bytes in,
 * bytes out.
 *
 * @module
 */
import { HandshakeError } from '../errors.js';
import type { ClientExtensionFactory, Extension } from '../extensions/extension.js';
import { computeAcceptKey, generateKey, isValidKey } from './accept.js';
import { formatExtensions, isToken, parseExtensions, parseTokenList, splitList, type HttpHeadersInit } from './headers.js';
import { encodeHead, extraHeaderFields, HttpHeadParser, type HttpHeadLimits, type HttpResponseHead } from './http11.js';

/** Where to connect, given as parts instead of a URL. */
export interface ClientTarget {
  /** Host and optional port as they appear in a URL, e.g. `example.com`, `127.0.0.1:8080`, `[::1]:9000`. */
  readonly host: string;
  /** Path and query, starting with `/`. Default `/`. */
  readonly path?: string;
  /** Whether the connection uses TLS (`wss:`). Default `false`. */
  readonly secure?: boolean;
}

/** Options of {@link ClientHandshake}. */
export interface ClientHandshakeOptions {
  /** A `ws:` or `wss:` URL (`http:`/`https:` are read as `ws:`/`wss:`), or its parts. */
  url: string | URL | ClientTarget;
  /** Subprotocols to offer, in order of preference (RFC 6455 §4.1 item 10): unique tokens. */
  subprotocols?: readonly string[];
  /** Extensions to offer, in order of preference (RFC 6455 §9.1). */
  extensions?: readonly ClientExtensionFactory[];
  /** Extra request headers, e.g. `Origin`, `Cookie`, `Authorization`, `User-Agent`. */
  headers?: HttpHeadersInit;
  /** Limits on the response head; see {@link DEFAULT_HTTP_HEAD_LIMITS}. */
  limits?: HttpHeadLimits;
  /** The `Sec-WebSocket-Key` to send. Default: a fresh random key; set it only to reproduce a handshake in tests. */
  key?: string;
}

/** Where the transport must connect (the handshake itself does no I/O). */
export interface ClientEndpoint {
  /** Host name or IP address, without brackets around IPv6 addresses. */
  readonly hostname: string;
  /** TCP port (the scheme's default, 80 or 443, when the URL has none). */
  readonly port: number;
  /** Whether to run TLS (`wss:`). */
  readonly secure: boolean;
}

/**
 * What {@link ClientHandshake.receive} returns: more bytes are needed; or the
 * server accepted, with the negotiated subprotocol and extensions, the
 * response head (for its headers, e.g. `Set-Cookie`) and `rest`, the bytes
 * after the head (the server's first frames, for the connection); or a
 * failure, with `response` when a head was read (e.g. to see a 401 or a
 * redirect).
 */
export type ClientReceiveResult =
  | { readonly type: 'incomplete' }
  | {
      readonly type: 'accepted';
      readonly subprotocol: string | undefined;
      readonly extensions: Extension[];
      readonly response: HttpResponseHead;
      readonly rest: Uint8Array;
    }
  | { readonly type: 'error'; readonly error: HandshakeError; readonly response: HttpResponseHead | undefined };

/** Header names the request computes itself. */
const REQUEST_HEADERS = [
  'host',
  'upgrade',
  'connection',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
];

/**
 * The client's half of one opening handshake.
 *
 * ```ts
 * const hs = new ClientHandshake({ url: 'ws://127.0.0.1:8080/chat', subprotocols: ['chat'] });
 * connect(hs.endpoint.hostname, hs.endpoint.port); send(hs.request());
 * const r = hs.receive(chunk);     // repeat until not 'incomplete'
 * if (r.type === 'accepted') { ... hand r.rest to the connection }
 * else if (r.type === 'error') { fail(r.error.reason); }
 * ```
 *
 * A response that breaks the rules is never thrown: it is an `error` result
 * whose {@link HandshakeError.reason} names the rule (`unexpected-status`,
 * `invalid-upgrade`, `invalid-connection`, `invalid-accept`,
 * `unexpected-subprotocol`, `invalid-subprotocol-header`,
 * `invalid-extensions-header`, `unexpected-extension`, or a head-parsing
 * reason, or the reason of a {@link HandshakeError} thrown by an extension
 * factory). On the client side the error's `status` has no use; the server's
 * own status is in the result's `response`. Invalid options throw a
 * `TypeError` from the constructor.
 */
export class ClientHandshake {
  /** The `Sec-WebSocket-Key` sent. */
  readonly key: string;
  /** Where to connect. */
  readonly endpoint: ClientEndpoint;
  private readonly requestBytes: Uint8Array;
  private readonly expectedAccept: string;
  private readonly subprotocols: readonly string[];
  private readonly extensions: readonly ClientExtensionFactory[];
  private readonly parser: HttpHeadParser<HttpResponseHead>;
  private result: ClientReceiveResult | undefined;

  constructor(options: ClientHandshakeOptions) {
    const url = toWebSocketUrl(options.url);
    const secure = url.protocol === 'wss:';
    this.endpoint = {
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      secure,
    };
    this.key = options.key ?? generateKey();
    if (!isValidKey(this.key)) throw new TypeError('ClientHandshake: key must be 16 bytes in base64 (RFC 6455 §4.1 item 7)');
    this.expectedAccept = computeAcceptKey(this.key);

    this.subprotocols = options.subprotocols ?? [];
    for (const [i, protocol] of this.subprotocols.entries()) {
      if (!isToken(protocol)) throw new TypeError(`Subprotocol ${JSON.stringify(protocol)} is not a token (RFC 6455 §4.1 item 10)`);
      if (this.subprotocols.indexOf(protocol) !== i) throw new TypeError(`Subprotocol ${protocol} is offered twice (RFC 6455 §4.1 item 10)`);
    }
    this.extensions = options.extensions ?? [];
    for (const [i, factory] of this.extensions.entries()) {
      if (this.extensions.findIndex((f) => f.name === factory.name) !== i) {
        throw new TypeError(`Extension ${factory.name} is given twice`);
      }
    }

    const fields: [string, string][] = [
      ['Host', url.host],
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Key', this.key],
      ['Sec-WebSocket-Version', '13'],
    ];
    if (this.subprotocols.length > 0) fields.push(['Sec-WebSocket-Protocol', this.subprotocols.join(', ')]);
    if (this.extensions.length > 0) {
      fields.push(['Sec-WebSocket-Extensions', formatExtensions(this.extensions.map((f) => ({ name: f.name, params: f.offer() })))]);
    }
    fields.push(...extraHeaderFields(options.headers, REQUEST_HEADERS));
    this.requestBytes = encodeHead(`GET ${url.pathname}${url.search} HTTP/1.1`, fields);
    this.parser = HttpHeadParser.response(options.limits);
  }

  /** The request bytes to send (RFC 6455 §4.1); the same bytes on every call. */
  request(): Uint8Array {
    return this.requestBytes.slice();
  }

  /**
   * Reads the next chunk of the response. After an `error` result every call
   * returns it again; after `accepted`, calls throw a `TypeError` (later
   * bytes belong to the connection).
   */
  receive(chunk: Uint8Array): ClientReceiveResult {
    if (this.result?.type === 'accepted') throw new TypeError('ClientHandshake.receive: the response is complete; give later bytes to the connection');
    if (this.result !== undefined) return this.result;
    const parsed = this.parser.push(chunk);
    if (parsed.type === 'incomplete') return parsed;
    this.result = parsed.type === 'error' ? { type: 'error', error: parsed.error, response: undefined } : this.validate(parsed.head, parsed.rest);
    return this.result;
  }

  /** Checks the response against RFC 6455 §4.1 (the client's steps 1–6 after sending). */
  private validate(response: HttpResponseHead, rest: Uint8Array): ClientReceiveResult {
    const fail = (reason: string, message: string): ClientReceiveResult => ({
      type: 'error',
      error: new HandshakeError(reason, message),
      response,
    });
    if (response.status !== 101) {
      return fail('unexpected-status', `The server answered ${response.status} ${response.reason}, not 101 (RFC 6455 §4.1)`);
    }
    const { headers } = response;
    // §4.1: fail if the field "contains a value that is not an ASCII case-insensitive match" for websocket.
    const upgrade = splitList(headers.getAll('Upgrade'));
    if (upgrade.length === 0 || !upgrade.every((p) => p.toLowerCase() === 'websocket')) {
      return fail('invalid-upgrade', 'The response has no "Upgrade: websocket" (RFC 6455 §4.1, item 2 of the response checks)');
    }
    if (!splitList(headers.getAll('Connection')).some((p) => p.toLowerCase() === 'upgrade')) {
      return fail('invalid-connection', 'The response has no "Connection: Upgrade" (RFC 6455 §4.1, item 3 of the response checks)');
    }
    const accept = headers.getAll('Sec-WebSocket-Accept');
    if (accept.length !== 1 || accept[0] !== this.expectedAccept) {
      return fail('invalid-accept', 'Sec-WebSocket-Accept is missing or wrong (RFC 6455 §4.1, item 4 of the response checks)');
    }

    const protocols = parseTokenList(headers.getAll('Sec-WebSocket-Protocol'));
    if (protocols === undefined || protocols.length > 1) {
      return fail('invalid-subprotocol-header', 'Sec-WebSocket-Protocol must be a single token (RFC 6455 §4.2.2 item 5.4)');
    }
    const subprotocol = protocols[0];
    if (subprotocol !== undefined && !this.subprotocols.includes(subprotocol)) {
      return fail('unexpected-subprotocol', `The server chose subprotocol ${subprotocol}, which was not offered (RFC 6455 §4.1, item 6 of the response checks)`);
    }

    const answers = parseExtensions(headers.getAll('Sec-WebSocket-Extensions'));
    if (answers === undefined) return fail('invalid-extensions-header', 'Sec-WebSocket-Extensions is malformed (RFC 6455 §9.1)');
    const extensions: Extension[] = [];
    const seen: string[] = [];
    for (const answer of answers) {
      const factory = this.extensions.find((f) => f.name === answer.name);
      if (factory === undefined || seen.includes(answer.name)) {
        return fail('unexpected-extension', `The server answered with extension ${answer.name}, which was not offered or was answered twice (RFC 6455 §4.1, item 5 of the response checks)`);
      }
      seen.push(answer.name);
      try {
        extensions.push(factory.accept(answer.params, extensions));
      } catch (error) {
        if (!(error instanceof HandshakeError)) throw error;
        return { type: 'error', error, response };
      }
    }
    return { type: 'accepted', subprotocol, extensions, response, rest };
  }
}

/** Normalizes the `url` option to a `ws:`/`wss:` URL, refusing what a handshake cannot carry. */
function toWebSocketUrl(target: string | URL | ClientTarget): URL {
  let url: URL;
  if (typeof target === 'string' || target instanceof URL) {
    try {
      url = new URL(target);
    } catch {
      throw new TypeError(`ClientHandshake: invalid URL ${JSON.stringify(String(target))}`);
    }
  } else {
    const path = target.path ?? '/';
    if (!path.startsWith('/')) throw new TypeError('ClientHandshake: path must start with "/"');
    try {
      url = new URL(`${target.secure === true ? 'wss' : 'ws'}://${target.host}${path}`);
    } catch {
      throw new TypeError(`ClientHandshake: invalid host ${JSON.stringify(target.host)}`);
    }
  }
  if (url.protocol === 'http:') url = new URL(`ws:${url.href.slice(5)}`);
  if (url.protocol === 'https:') url = new URL(`wss:${url.href.slice(6)}`);
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`ClientHandshake: the URL scheme must be ws: or wss:, not ${url.protocol}`);
  }
  // The WebSocket URL grammar has no fragment (RFC 6455 §3).
  if (url.hash !== '' || url.href.includes('#')) throw new TypeError('ClientHandshake: a WebSocket URL cannot have a fragment (RFC 6455 §3)');
  if (url.username !== '' || url.password !== '') {
    throw new TypeError('ClientHandshake: credentials in the URL are not sent; give an Authorization header instead');
  }
  // RFC 3986 §3.2.2: a host is a bracketed IP literal or a reg-name. URL parsers
  // differ on what they let through (Chromium percent-encodes a space instead of
  // refusing it), so the parsed host is checked here; a percent-encoded octet
  // cannot name a host to connect to.
  if (!HOST.test(url.hostname)) {
    throw new TypeError(`ClientHandshake: invalid host ${JSON.stringify(url.hostname)}`);
  }
  return url;
}

const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=]+)$/;
