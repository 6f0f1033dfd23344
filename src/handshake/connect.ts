/**
 * The opening handshake of a WebSocket over HTTP/2 (RFC 8441) or HTTP/3
 * (RFC 9220): an extended CONNECT request — `:method CONNECT`, `:protocol
 * websocket` — answered by a `200`, after which the stream carries ordinary
 * RFC 6455 frames. No `Upgrade`, no `Sec-WebSocket-Key`, no
 * `Sec-WebSocket-Accept` (RFC 8441 §5); `Sec-WebSocket-Version`, `Origin`,
 * `Sec-WebSocket-Protocol` and `Sec-WebSocket-Extensions` work as in RFC 6455,
 * checked by the same code as the HTTP/1.1 handshake. RFC 9220 §3 uses the
 * same request over HTTP/3, so the same helpers serve both: header maps are
 * in and out, the HTTP/2 or HTTP/3 stack (Node's `http2`, a QUIC library) is
 * the caller's.
 *
 * @module
 */
import { HandshakeError } from '../errors.js';
import type { ClientExtensionFactory, Extension, ServerExtensionFactory } from '../extensions/extension.js';
import { endpointOf, toWebSocketUrl, type ClientEndpoint, type ClientTarget } from './client.js';
import { isHeaderValue, parsedHeaderFields, type HttpHeaders, type HttpHeadersInit, type ParsedHeaders } from './headers.js';
import { extraHeaderFields, HttpHeadParser, type HttpHeadLimits } from './http11.js';
import { ClientNegotiation, readOfferFields, ServerNegotiation, type WebSocketOfferFields } from './negotiation.js';

/**
 * A header map as HTTP/2 and HTTP/3 carry it: lower-case names (RFC 9113
 * §8.2.1), pseudo-headers such as `:status` included. Node's
 * `stream.respond()` and `session.request()` take it as it is.
 */
export type ConnectHeaders = Record<string, string>;

/** An extended CONNECT request that passed the checks of RFC 8441 §4–§5 (RFC 9220 §3), its fields decoded. */
export interface ConnectRequest extends WebSocketOfferFields {
  /** `:method`: always `CONNECT`. */
  readonly method: string;
  /** `:protocol`: always `websocket` (RFC 8441 §5). */
  readonly protocol: string;
  /** `:scheme`: `https` for a `wss:` URL, `http` for `ws:` (RFC 8441 §5). */
  readonly scheme: string;
  /** `:authority` (or `Host`, RFC 9113 §8.3.1): the host and optional port, as {@link isSameOrigin} compares it. */
  readonly host: string;
  /** `:path`: path and query, e.g. `/chat?room=1`. */
  readonly target: string;
  /** The regular (non-pseudo) header fields. */
  readonly headers: HttpHeaders;
}

/** Chooses a subprotocol among those the client offered, or `undefined` for none (RFC 6455 §4.2.2 item 5.4). */
export type ConnectSubprotocolSelector = (offered: readonly string[], request: ConnectRequest) => string | undefined;

/** Options of {@link ServerConnectHandshake}: those of `ServerHandshake`, for an extended CONNECT request. */
export interface ServerConnectHandshakeOptions {
  /** Subprotocols in the server's order of preference, or a function that chooses. Default: none. */
  subprotocols?: readonly string[] | ConnectSubprotocolSelector;
  /** Extensions the server supports (e.g. permessage-deflate's factory); each offer goes to the factory of its name. */
  extensions?: readonly ServerExtensionFactory[];
  /** Decides whether to accept a request from `origin`; `false` rejects it with 403 (RFC 6455 §10.2). Default: every origin. */
  checkOrigin?: (origin: string | undefined, request: ConnectRequest) => boolean;
  /** Limits on the header map, counted as for an HTTP/1.1 head; see {@link DEFAULT_HTTP_HEAD_LIMITS}. */
  limits?: HttpHeadLimits;
  /** Extra headers for every `200` response (not for rejections); names are sent in lower case. */
  headers?: HttpHeadersInit;
}

/** A refusal to send on the stream: the header map (`:status` included), then the body, then the end of the stream. */
export interface ConnectRejection {
  /** `:status`, `content-type` and, as the rule requires, `sec-websocket-version` or `allow`. */
  readonly headers: ConnectHeaders;
  /** A plain-text explanation (UTF-8). */
  readonly body: Uint8Array;
}

/** What {@link ServerConnectHandshake.receive} returns: a valid request, or a refusal to send. */
export type ServerConnectResult =
  | { readonly type: 'request'; readonly request: ConnectRequest }
  | { readonly type: 'error'; readonly error: HandshakeError; readonly response: ConnectRejection };

/** What {@link ServerConnectHandshake.accept} returns: the response header map and the negotiated results. */
export interface ServerConnectAcceptance {
  /** `:status 200` and the negotiated `sec-websocket-protocol` / `sec-websocket-extensions`: send them without ending the stream. */
  readonly headers: ConnectHeaders;
  /** The chosen subprotocol, if any. */
  readonly subprotocol: string | undefined;
  /** The accepted extensions, for the connection. */
  readonly extensions: Extension[];
}

/** The pseudo-header fields a request may carry (RFC 9113 §8.3.1, RFC 8441 §4, RFC 9114 §4.3.1). */
const REQUEST_PSEUDO_HEADERS = [':method', ':scheme', ':authority', ':path', ':protocol'];
/** Connection-specific fields, which make an HTTP/2 or HTTP/3 message malformed (RFC 9113 §8.2.2, RFC 9114 §4.2). */
const CONNECTION_SPECIFIC = ['connection', 'upgrade', 'keep-alive', 'proxy-connection', 'transfer-encoding'];
/** Header names the `200` response computes itself. */
const RESPONSE_HEADERS = ['sec-websocket-protocol', 'sec-websocket-extensions'];

/**
 * The server's half of an extended CONNECT handshake (RFC 8441 §4–§5 over
 * HTTP/2, RFC 9220 §3 over HTTP/3).
 *
 * ```ts
 * // Node: http2.createSecureServer({ settings: { enableConnectProtocol: true }, ... })
 * server.on('stream', (stream, headers) => {
 *   const hs = new ServerConnectHandshake({ subprotocols: ['chat'] });
 *   const r = hs.receive(headers);
 *   if (r.type === 'error') {
 *     stream.respond(r.response.headers);
 *     return stream.end(r.response.body);
 *   }
 *   const { headers: answer, extensions } = hs.accept();
 *   stream.respond(answer);   // the stream stays open: it carries the frames now
 *   const conn = new WebSocketConnection({ role: 'server', extensions });
 * });
 * ```
 *
 * The request is a header map with its pseudo-headers, in any
 * {@link ParsedHeaders} shape (Node's `headers` or `rawHeaders`, a
 * `Headers`). Peer input never throws; refusals, by `reason` (status):
 * `method-not-allowed` (405, `:method` not CONNECT), `unsupported-protocol`
 * (501, `:protocol` not `websocket`, RFC 9220 §3), `missing-protocol` (a
 * CONNECT without `:protocol`), `invalid-scheme`, `invalid-path`, `missing-host`,
 * `invalid-host`, `invalid-pseudo-header`, `connection-specific-header`,
 * `unsupported-version` (400 with `sec-websocket-version: 13`: the 426 of
 * HTTP/1.1 needs an `Upgrade` field, which HTTP/2 and HTTP/3 forbid),
 * `invalid-subprotocol-header`, `invalid-extensions-header`,
 * `invalid-origin` (400), `forbidden-origin` (403), and the head reasons of
 * {@link HttpHeadParser} for fields over the limits or out of grammar.
 *
 * The server must also have announced `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`
 * (RFC 8441 §3, RFC 9220 §3): that is its HTTP stack's setting.
 */
export class ServerConnectHandshake {
  private readonly negotiation: ServerNegotiation<ConnectRequest>;
  private readonly limits: HttpHeadLimits | undefined;
  private readonly headers: [string, string][];
  private request: ConnectRequest | undefined;
  private result: ServerConnectResult | undefined;
  private accepted = false;

  /** @throws TypeError if a subprotocol is not a token or an extra header is invalid or reserved. */
  constructor(options: ServerConnectHandshakeOptions = {}) {
    this.negotiation = new ServerNegotiation(options);
    this.limits = options.limits;
    this.headers = lowerCase(extraHeaderFields(options.headers, [...RESPONSE_HEADERS, ...CONNECTION_SPECIFIC]));
  }

  /**
   * Checks the request's header map. Called again, returns the same result.
   * Throws a `TypeError` only if `headers` is not one of the
   * {@link ParsedHeaders} shapes.
   */
  receive(headers: ParsedHeaders): ServerConnectResult {
    if (this.result !== undefined) return this.result;
    const request = this.validate(parsedHeaderFields(headers));
    if (request instanceof HandshakeError) return this.fail(request);
    const refused = this.negotiation.checkRequest(request);
    if (refused !== undefined) return this.fail(refused);
    this.request = request;
    this.result = { type: 'request', request };
    return this.result;
  }

  /**
   * Accepts the request: chooses the subprotocol, negotiates extensions and
   * builds the `200` header map (RFC 8441 §5). `headers` are added to those
   * given to the constructor. Throws a `TypeError` if no valid request was
   * received, if called twice, or if a selector chooses a subprotocol that
   * was not offered.
   */
  accept(headers?: HttpHeadersInit): ServerConnectAcceptance {
    const request = this.request;
    if (request === undefined) throw new TypeError('ServerConnectHandshake.accept: no valid request has been received');
    if (this.accepted) throw new TypeError('ServerConnectHandshake.accept: already accepted');
    this.accepted = true;
    const { subprotocol, extensions, fields } = this.negotiation.accept(request);
    const extra = lowerCase(extraHeaderFields(headers, [...RESPONSE_HEADERS, ...CONNECTION_SPECIFIC]));
    return { headers: toMap([[':status', '200'], ...lowerCase(fields), ...this.headers, ...extra]), subprotocol, extensions };
  }

  /** RFC 8441 §4–§5 (RFC 9220 §3), then the field grammar and limits, then the fields shared with RFC 6455. */
  private validate(fields: [string, string][]): ConnectRequest | HandshakeError {
    const pseudo = new Map<string, string>();
    const regular: [string, string][] = [];
    for (const [name, value] of fields) {
      if (!name.startsWith(':')) {
        regular.push([name, value]);
        continue;
      }
      // RFC 9113 §8.3: only the defined pseudo-headers, each once, before the regular fields.
      if (!REQUEST_PSEUDO_HEADERS.includes(name) || pseudo.has(name) || regular.length > 0 || !isHeaderValue(value)) {
        return new HandshakeError('invalid-pseudo-header', `The request's pseudo-header ${name} is unknown, repeated, misplaced or malformed (RFC 9113 §8.3)`);
      }
      pseudo.set(name, value);
    }
    const method = pseudo.get(':method');
    if (method !== 'CONNECT') {
      return new HandshakeError('method-not-allowed', `The method must be CONNECT, not ${method ?? '(none)'} (RFC 8441 §4)`, 405);
    }
    const protocol = pseudo.get(':protocol');
    if (protocol === undefined) {
      return new HandshakeError('missing-protocol', 'A CONNECT without :protocol is a tunnel request, not a WebSocket (RFC 8441 §4)');
    }
    if (protocol.toLowerCase() !== 'websocket') {
      // RFC 9220 §3: an unknown or unsupported :protocol SHOULD get 501.
      return new HandshakeError('unsupported-protocol', `:protocol must be websocket, not ${protocol} (RFC 8441 §5)`, 501);
    }
    const scheme = pseudo.get(':scheme');
    if (scheme !== 'https' && scheme !== 'http') {
      return new HandshakeError('invalid-scheme', ':scheme must be https (wss:) or http (ws:) (RFC 8441 §4, §5)');
    }
    const target = pseudo.get(':path');
    if (target === undefined || !target.startsWith('/')) {
      return new HandshakeError('invalid-path', ':path must be present and start with "/" (RFC 8441 §4, RFC 9113 §8.3.1)');
    }
    // The fields' grammar and the limits, as an HTTP/1.1 head of the same content would be checked.
    const parsed = HttpHeadParser.request(this.limits).pushParsed(`CONNECT ${target} HTTP/2.0`, regular);
    if (parsed.type === 'error') return parsed.error;
    const { headers } = parsed.head;
    const authority = pseudo.get(':authority');
    const hosts = headers.getAll('Host');
    if (hosts.length > 1) return new HandshakeError('invalid-host', 'The request has more than one Host header');
    const host = authority ?? hosts[0];
    if (host === undefined || host === '') return new HandshakeError('missing-host', 'The request has neither :authority nor Host (RFC 9113 §8.3.1)');
    if (authority !== undefined && hosts[0] !== undefined && hosts[0].toLowerCase() !== authority.toLowerCase()) {
      return new HandshakeError('invalid-host', 'Host differs from :authority (RFC 9113 §8.3.1)');
    }
    const forbidden = CONNECTION_SPECIFIC.find((name) => headers.has(name));
    const te = headers.get('TE');
    if (forbidden !== undefined || (te !== undefined && te.toLowerCase() !== 'trailers')) {
      return new HandshakeError('connection-specific-header', `The request has the connection-specific field ${forbidden ?? 'TE'} (RFC 9113 §8.2.2, RFC 9114 §4.2)`);
    }
    // Version, subprotocols, extensions and origin: the rules shared with the HTTP/1.1 handshake (RFC 8441 §5).
    const offer = readOfferFields(headers);
    if (offer instanceof HandshakeError) return offer;
    return { method, protocol, scheme, host, target, headers, ...offer };
  }

  private fail(error: HandshakeError): ServerConnectResult {
    this.result = { type: 'error', error, response: buildConnectRejection(error.status, error.message) };
    return this.result;
  }
}

/**
 * Builds a refusal of an extended CONNECT: the header map and a plain-text
 * body. A 426 becomes a 400 carrying `sec-websocket-version: 13` (RFC 6455
 * §4.2.2 item 4 asks for "an appropriate HTTP error code"; 426 itself needs an
 * `Upgrade` field, which HTTP/2 and HTTP/3 forbid); a 405 carries
 * `allow: CONNECT`. Throws a `RangeError` unless `status` is an integer from
 * 300 to 599.
 */
export function buildConnectRejection(status: number, message = ''): ConnectRejection {
  if (!Number.isInteger(status) || status < 300 || status > 599) {
    throw new RangeError(`A rejection status must be an integer from 300 to 599, not ${status}`);
  }
  const headers: ConnectHeaders = { ':status': String(status === 426 ? 400 : status) };
  if (status === 426) headers['sec-websocket-version'] = '13';
  if (status === 405) headers['allow'] = 'CONNECT';
  headers['content-type'] = 'text/plain; charset=utf-8';
  return { headers, body: new TextEncoder().encode(message) };
}

/** Options of {@link ClientConnectHandshake}. */
export interface ClientConnectHandshakeOptions {
  /** A `ws:` or `wss:` URL (`http:`/`https:` are read as `ws:`/`wss:`), or its parts. */
  url: string | URL | ClientTarget;
  /** Subprotocols to offer, in order of preference (RFC 6455 §4.1 item 10): unique tokens. */
  subprotocols?: readonly string[];
  /** Extensions to offer, in order of preference (e.g. permessage-deflate's client factory). */
  extensions?: readonly ClientExtensionFactory[];
  /** Extra request headers, e.g. `origin`, `cookie`, `authorization`; names are sent in lower case. */
  headers?: HttpHeadersInit;
  /** Limits on the response's header map; see {@link DEFAULT_HTTP_HEAD_LIMITS}. */
  limits?: HttpHeadLimits;
}

/**
 * What {@link ClientConnectHandshake.receive} returns: the server accepted,
 * with the negotiated subprotocol and extensions and the response's status
 * and fields; or a failure, with the status when there was one (e.g. to see a
 * 403).
 */
export type ClientConnectResult =
  | {
      readonly type: 'accepted';
      readonly subprotocol: string | undefined;
      readonly extensions: Extension[];
      readonly status: number;
      readonly headers: HttpHeaders;
    }
  | { readonly type: 'error'; readonly error: HandshakeError; readonly status: number | undefined };

/** Header names the request computes itself (and fields HTTP/2 and HTTP/3 forbid). */
const REQUEST_HEADERS = ['host', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'te'];

/**
 * The client's half of an extended CONNECT handshake (RFC 8441 §4–§5,
 * RFC 9220 §3). Send the request only once the server's SETTINGS carry
 * `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1` (RFC 8441 §3).
 *
 * ```ts
 * const hs = new ClientConnectHandshake({ url: 'wss://example.com/chat', subprotocols: ['chat'] });
 * const session = http2.connect(`https://${hs.endpoint.hostname}:${hs.endpoint.port}`);
 * const stream = session.request(hs.request(), { endStream: false });
 * stream.on('response', (headers) => {
 *   const r = hs.receive(headers);  // then a WebSocketConnection with r.extensions on the stream
 * });
 * ```
 *
 * A response that breaks the rules is never thrown: it is an `error` result
 * whose `reason` is `missing-status`, `unexpected-status` (not 2xx, RFC 9113
 * §8.5, RFC 9114 §4.4), a head reason for fields over the limits, or the
 * shared negotiation reasons (`invalid-subprotocol-header`,
 * `unexpected-subprotocol`, `invalid-extensions-header`,
 * `unexpected-extension`, or an extension factory's own).
 */
export class ClientConnectHandshake {
  /** Where to connect (the HTTP/2 or HTTP/3 connection is the caller's). */
  readonly endpoint: ClientEndpoint;
  private readonly requestFields: [string, string][];
  private readonly negotiation: ClientNegotiation;
  private readonly limits: HttpHeadLimits | undefined;
  private result: ClientConnectResult | undefined;

  /** @throws TypeError for an invalid URL, subprotocol, extension list or extra header. */
  constructor(options: ClientConnectHandshakeOptions) {
    const url = toWebSocketUrl(options.url);
    this.endpoint = endpointOf(url);
    this.negotiation = new ClientNegotiation(options.subprotocols, options.extensions);
    this.limits = options.limits;
    this.requestFields = [
      [':method', 'CONNECT'],
      [':protocol', 'websocket'],
      // RFC 8441 §5: https for wss:, http for ws:; the rest of the target URI is the WebSocket URI's.
      [':scheme', this.endpoint.secure ? 'https' : 'http'],
      [':authority', url.host],
      [':path', `${url.pathname}${url.search}`],
      ['sec-websocket-version', '13'],
      ...lowerCase(this.negotiation.offerFields()),
      ...lowerCase(extraHeaderFields(options.headers, [...REQUEST_HEADERS, ...CONNECTION_SPECIFIC])),
    ];
  }

  /** The request's header map (RFC 8441 §5): pseudo-headers first; a new object on every call. */
  request(): ConnectHeaders {
    return toMap(this.requestFields);
  }

  /**
   * Checks the response's header map (`:status` included; Node gives it as a
   * number, which is taken as its decimal text). Called again, returns the
   * same result. Throws a `TypeError` only if `headers` is not one of the
   * {@link ParsedHeaders} shapes.
   */
  receive(headers: ParsedHeaders): ClientConnectResult {
    if (this.result !== undefined) return this.result;
    const fields = parsedHeaderFields(headers);
    const statuses = fields.filter(([name]) => name === ':status');
    const status = statuses.length === 1 && /^[0-9]{3}$/.test(statuses[0]![1]) ? Number(statuses[0]![1]) : undefined;
    const fail = (error: HandshakeError): ClientConnectResult => (this.result = { type: 'error', error, status });
    if (status === undefined || fields.some(([name]) => name.startsWith(':') && name !== ':status')) {
      return fail(new HandshakeError('missing-status', 'The response must carry exactly one :status and no other pseudo-header (RFC 9113 §8.3.2)'));
    }
    if (status < 200 || status > 299) {
      return fail(new HandshakeError('unexpected-status', `The server answered ${status}, not 2xx (RFC 8441 §5, RFC 9113 §8.5)`));
    }
    const regular = fields.filter(([name]) => !name.startsWith(':'));
    const parsed = HttpHeadParser.response(this.limits).pushParsed(`HTTP/2.0 ${status}`, regular);
    if (parsed.type === 'error') return fail(parsed.error);
    // Subprotocol and extensions: the checks shared with the HTTP/1.1 handshake.
    const answer = this.negotiation.checkAnswer(parsed.head.headers);
    if (answer instanceof HandshakeError) return fail(answer);
    this.result = { type: 'accepted', ...answer, status, headers: parsed.head.headers };
    return this.result;
  }
}

function lowerCase(fields: [string, string][]): [string, string][] {
  return fields.map(([name, value]) => [name.toLowerCase(), value]);
}

/** Fields as a header map; repeated names are joined with ", " (RFC 9110 §5.3). */
function toMap(fields: [string, string][]): ConnectHeaders {
  const map: ConnectHeaders = {};
  for (const [name, value] of fields) map[name] = Object.hasOwn(map, name) ? `${map[name]}, ${value}` : value;
  return map;
}
