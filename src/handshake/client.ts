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
import { parsedHeaderFields, splitList, type HttpHeadersInit, type ParsedHeaders } from './headers.js';
import { encodeHead, extraHeaderFields, HttpHeadParser, type HttpHeadLimits, type HttpHeadResult, type HttpResponseHead } from './http11.js';
import { ClientNegotiation } from './negotiation.js';

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

/** What {@link ClientHandshake.receiveResponse} returns: {@link ClientReceiveResult} without `incomplete` (and `rest` is empty). */
export type ClientResponseResult = Exclude<ClientReceiveResult, { readonly type: 'incomplete' }>;

/**
 * A response head that another HTTP stack has already parsed, for
 * {@link ClientHandshake.receiveResponse} (e.g. `node:http`'s `'upgrade'`
 * event on a client request).
 */
export interface ParsedResponse {
  /** The status code, e.g. `101`. */
  readonly status: number;
  /** The fields, in any of the {@link ParsedHeaders} shapes. */
  readonly headers: ParsedHeaders;
  /** The reason phrase (default empty). */
  readonly reason?: string;
  /** The protocol version (default `HTTP/1.1`). */
  readonly version?: string;
}

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
  private readonly negotiation: ClientNegotiation;
  private readonly parser: HttpHeadParser<HttpResponseHead>;
  private result: ClientResponseResult | undefined;

  constructor(options: ClientHandshakeOptions) {
    const url = toWebSocketUrl(options.url);
    this.endpoint = endpointOf(url);
    this.key = options.key ?? generateKey();
    if (!isValidKey(this.key)) throw new TypeError('ClientHandshake: key must be 16 bytes in base64 (RFC 6455 §4.1 item 7)');
    this.expectedAccept = computeAcceptKey(this.key);

    this.negotiation = new ClientNegotiation(options.subprotocols, options.extensions);

    const fields: [string, string][] = [
      ['Host', url.host],
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Key', this.key],
      ['Sec-WebSocket-Version', '13'],
      ...this.negotiation.offerFields(),
      ...extraHeaderFields(options.headers, REQUEST_HEADERS),
    ];
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
    return this.complete(parsed);
  }

  /**
   * Takes a response that another HTTP stack has already parsed (e.g. the
   * `response` of `http.request`'s `'upgrade'` event: `{ status:
   * res.statusCode, headers: res.rawHeaders }`) instead of its bytes. It is
   * checked exactly as its bytes would be: the head's grammar and limits,
   * then RFC 6455 §4.1. Frame bytes that came with the head are the
   * caller's to hand to the connection. Throws a `TypeError` if a response
   * was already accepted or bytes were already given, or if `headers` is not
   * one of the {@link ParsedHeaders} shapes; after a refusal it returns the
   * same refusal again, as {@link ClientHandshake.receive} does.
   */
  receiveResponse(response: ParsedResponse): ClientResponseResult {
    if (this.result?.type === 'accepted') throw new TypeError('ClientHandshake.receiveResponse: a response was already received');
    if (this.result !== undefined) return this.result;
    const reason = response.reason ?? '';
    const startLine = `${response.version ?? 'HTTP/1.1'} ${String(response.status)}${reason === '' ? '' : ` ${reason}`}`;
    return this.complete(this.parser.pushParsed(startLine, parsedHeaderFields(response.headers)));
  }

  private complete(parsed: Exclude<HttpHeadResult<HttpResponseHead>, { type: 'incomplete' }>): ClientResponseResult {
    this.result = parsed.type === 'error' ? { type: 'error', error: parsed.error, response: undefined } : this.validate(parsed.head, parsed.rest);
    return this.result;
  }

  /** Checks the response against RFC 6455 §4.1 (the client's steps 1–6 after sending). */
  private validate(response: HttpResponseHead, rest: Uint8Array): ClientResponseResult {
    const fail = (reason: string, message: string): ClientResponseResult => ({
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

    // Subprotocol and extensions: the checks shared with extended CONNECT.
    const answer = this.negotiation.checkAnswer(headers);
    if (answer instanceof HandshakeError) return { type: 'error', error: answer, response };
    return { type: 'accepted', ...answer, response, rest };
  }
}

/** Where to connect for a `ws:`/`wss:` URL. */
export function endpointOf(url: URL): ClientEndpoint {
  const secure = url.protocol === 'wss:';
  return {
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    secure,
  };
}

/** Normalizes the `url` option to a `ws:`/`wss:` URL, refusing what a handshake cannot carry. */
export function toWebSocketUrl(target: string | URL | ClientTarget): URL {
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
