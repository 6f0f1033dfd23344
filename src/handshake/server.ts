/**
 * The server side of the opening handshake (RFC 6455 §4.2): read and validate
 * the client's request, negotiate subprotocol and extensions, and build the
 * `101 Switching Protocols` response or a rejection. No I/O: bytes in, bytes
 * out.
 *
 * @module
 */
import { HandshakeError } from '../errors.js';
import type { Extension, ServerExtensionFactory } from '../extensions/extension.js';
import { computeAcceptKey, isValidKey } from './accept.js';
import { parsedHeaderFields, splitList, type HttpHeadersInit, type ParsedHeaders } from './headers.js';
import {
  encodeHead,
  extraHeaderFields,
  HttpHeadParser,
  type HttpHeadLimits,
  type HttpHeadResult,
  type HttpRequestHead,
} from './http11.js';
import { readOfferFields, ServerNegotiation, type WebSocketOfferFields } from './negotiation.js';

/** A request that passed the checks of RFC 6455 §4.2.1, with its handshake fields decoded. */
export interface UpgradeRequest extends HttpRequestHead, WebSocketOfferFields {
  /** The `Host` header (RFC 6455 §4.2.1 item 2). */
  readonly host: string;
  /** `Sec-WebSocket-Key`: 16 bytes, base64 (§4.2.1 item 5). */
  readonly key: string;
}

/**
 * A request head that another HTTP stack has already parsed, for
 * {@link ServerHandshake.receiveRequest}: what Node's `'upgrade'` event,
 * `Request` objects and most frameworks hand over.
 */
export interface ParsedRequest {
  /** The method, e.g. `GET`. */
  readonly method: string;
  /** The request-target: path and query, e.g. `/chat?room=1` (Node's `request.url`). */
  readonly target: string;
  /** The fields, in any of the {@link ParsedHeaders} shapes. */
  readonly headers: ParsedHeaders;
  /** The protocol version, e.g. `HTTP/1.1` (the default) or `HTTP/${request.httpVersion}` in Node. */
  readonly version?: string;
}

/** Chooses a subprotocol among those the client offered, or `undefined` for none (RFC 6455 §4.2.2 item 5.4). */
export type SubprotocolSelector = (offered: readonly string[], request: UpgradeRequest) => string | undefined;

/** Options of {@link ServerHandshake}. */
export interface ServerHandshakeOptions {
  /**
   * Subprotocols the server speaks, in its order of preference: the first one
   * the client also offered is chosen. Or a function that chooses. Default: none.
   */
  subprotocols?: readonly string[] | SubprotocolSelector;
  /** Extensions the server supports; each offer goes to the factory of the same name (RFC 6455 §9.1). */
  extensions?: readonly ServerExtensionFactory[];
  /**
   * Decides whether to accept a request from `origin` (`undefined` when the
   * request has no `Origin`); a `false` rejects it with 403. Default: accept
   * every origin. Pass {@link isSameOrigin} to refuse cross-site browser pages
   * (RFC 6455 §10.2).
   */
  checkOrigin?: (origin: string | undefined, request: UpgradeRequest) => boolean;
  /** Limits on the request head; see {@link DEFAULT_HTTP_HEAD_LIMITS}. */
  limits?: HttpHeadLimits;
  /** Extra headers for every `101` response (not for rejections). */
  headers?: HttpHeadersInit;
}

/**
 * What {@link ServerHandshake.receive} returns: more bytes are needed; or a
 * valid request, with `rest` the bytes after its head (frames the client sent
 * early, for the connection); or a refusal, with the response to send before
 * closing the socket.
 */
export type ServerReceiveResult =
  | { readonly type: 'incomplete' }
  | { readonly type: 'request'; readonly request: UpgradeRequest; readonly rest: Uint8Array }
  | { readonly type: 'error'; readonly error: HandshakeError; readonly response: Uint8Array };

/** What {@link ServerHandshake.receiveRequest} returns: {@link ServerReceiveResult} without `incomplete` (and `rest` is empty). */
export type ServerRequestResult = Exclude<ServerReceiveResult, { readonly type: 'incomplete' }>;

/** What {@link ServerHandshake.accept} returns: the `101` response and the negotiated results. */
export interface ServerAcceptance {
  /** The `101 Switching Protocols` response to send. */
  readonly response: Uint8Array;
  /** The chosen subprotocol, if any. */
  readonly subprotocol: string | undefined;
  /** The accepted extensions, in the order they apply to outgoing frames (RFC 6455 §9.1). */
  readonly extensions: Extension[];
}

/** Header names the `101` response computes itself. */
const RESPONSE_HEADERS = ['upgrade', 'connection', 'sec-websocket-accept', 'sec-websocket-protocol', 'sec-websocket-extensions'];

/**
 * The server's half of one opening handshake.
 *
 * ```ts
 * const hs = new ServerHandshake({ subprotocols: ['chat'] });
 * const r = hs.receive(chunk);          // repeat until not 'incomplete'
 * if (r.type === 'error') { send(r.response); close(); }
 * else if (r.type === 'request') {       // inspect r.request (path, cookies…) here
 *   const { response, subprotocol, extensions } = hs.accept();
 *   send(response);                      // then hand r.rest to the connection
 * }
 * ```
 *
 * Peer input never throws: every fault is an `error` result carrying a
 * {@link HandshakeError} (its `reason` a stable id, its `status` the HTTP
 * status) and the rejection bytes. The reasons, beyond those of
 * {@link HttpHeadParser}: `method-not-allowed` (405), `unsupported-http-version`,
 * `missing-host`, `invalid-host`, `invalid-connection`, `invalid-key`,
 * `invalid-subprotocol-header`, `invalid-extensions-header`, `invalid-origin`,
 * `unexpected-body` (400), `invalid-upgrade`, `unsupported-version` (426),
 * `forbidden-origin` (403). Misuse by the caller (options that are not
 * tokens, calling `accept` before a request) throws a `TypeError`.
 *
 * A request that an HTTP stack has already parsed goes to
 * {@link ServerHandshake.receiveRequest} instead, which applies the same
 * checks and limits and gives the same results.
 */
export class ServerHandshake {
  private readonly parser: HttpHeadParser<HttpRequestHead>;
  private readonly negotiation: ServerNegotiation<UpgradeRequest>;
  private readonly headers: [string, string][];
  private request: UpgradeRequest | undefined;
  private failure: ServerRequestResult | undefined;
  private accepted = false;

  constructor(options: ServerHandshakeOptions = {}) {
    this.parser = HttpHeadParser.request(options.limits);
    this.negotiation = new ServerNegotiation(options);
    this.headers = extraHeaderFields(options.headers, RESPONSE_HEADERS);
  }

  /**
   * Reads the next chunk of the request. After an `error` result, every call
   * returns that same result; after a `request` result, calls throw a
   * `TypeError` (later bytes belong to the connection).
   */
  receive(chunk: Uint8Array): ServerReceiveResult {
    if (this.request !== undefined) throw new TypeError('ServerHandshake.receive: the request is complete; give later bytes to the connection');
    if (this.failure !== undefined) return this.failure;
    const parsed = this.parser.push(chunk);
    if (parsed.type === 'incomplete') return parsed;
    return this.complete(parsed);
  }

  /**
   * Takes a request that another HTTP stack has already parsed — from
   * `node:http`'s `'upgrade'` event, for instance — instead of its bytes:
   *
   * ```ts
   * server.on('upgrade', (req, socket, head) => {
   *   const r = hs.receiveRequest({ method: req.method, target: req.url, headers: req.rawHeaders });
   *   // then as after receive(); `head` holds the first frame bytes, for the connection
   * });
   * ```
   *
   * The request is checked exactly as its bytes would be (the head's grammar
   * and the {@link ServerHandshakeOptions.limits}, counting the head at its
   * HTTP/1.1 size, then RFC 6455 §4.2.1), so a bad request gets the same
   * error and rejection on either path. Header values are trimmed of
   * surrounding spaces and tabs, as a parser does. Throws a `TypeError` if
   * a request was already received or bytes were already given, or if
   * `headers` is not one of the {@link ParsedHeaders} shapes; after a
   * refusal it returns the same refusal again, as {@link ServerHandshake.receive} does.
   */
  receiveRequest(request: ParsedRequest): ServerRequestResult {
    if (this.request !== undefined) throw new TypeError('ServerHandshake.receiveRequest: a request was already received');
    if (this.failure !== undefined) return this.failure;
    const fields = parsedHeaderFields(request.headers);
    const startLine = `${request.method} ${request.target} ${request.version ?? 'HTTP/1.1'}`;
    return this.complete(this.parser.pushParsed(startLine, fields));
  }

  /** The checks after the head is read, whichever way it came. */
  private complete(parsed: Exclude<HttpHeadResult<HttpRequestHead>, { type: 'incomplete' }>): ServerRequestResult {
    if (parsed.type === 'error') return this.fail(parsed.error);
    const request = validateRequest(parsed.head);
    if (request instanceof HandshakeError) return this.fail(request);
    const refused = this.negotiation.checkRequest(request);
    if (refused !== undefined) return this.fail(refused);
    this.request = request;
    return { type: 'request', request, rest: parsed.rest };
  }

  /**
   * Accepts the request: chooses the subprotocol, negotiates extensions and
   * builds the `101` response (RFC 6455 §4.2.2 item 5). `headers` are added to
   * those given to the constructor. Throws a `TypeError` if no valid request
   * was received, if called twice, or if a subprotocol selector returns a
   * protocol the client did not offer.
   */
  accept(headers?: HttpHeadersInit): ServerAcceptance {
    const request = this.request;
    if (request === undefined) throw new TypeError('ServerHandshake.accept: no valid request has been received');
    if (this.accepted) throw new TypeError('ServerHandshake.accept: already accepted');
    this.accepted = true;

    const { subprotocol, extensions, fields: negotiated } = this.negotiation.accept(request);
    const fields: [string, string][] = [
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Accept', computeAcceptKey(request.key)],
      ...negotiated,
      ...this.headers,
      ...extraHeaderFields(headers, RESPONSE_HEADERS),
    ];
    return { response: encodeHead('HTTP/1.1 101 Switching Protocols', fields), subprotocol, extensions };
  }

  private fail(error: HandshakeError): ServerRequestResult {
    this.failure = { type: 'error', error, response: buildRejection(error.status, error.message) };
    return this.failure;
  }
}

/** The one value of a header that must appear at most once, or an error if repeated. */
function single(head: HttpRequestHead, name: string, reason: string, status = 400): string | undefined | HandshakeError {
  const values = head.headers.getAll(name);
  if (values.length > 1) return new HandshakeError(reason, `The request has more than one ${name} header`, status);
  return values[0];
}

/** Checks a request against RFC 6455 §4.2.1 and decodes its handshake fields. */
function validateRequest(head: HttpRequestHead): UpgradeRequest | HandshakeError {
  if (head.method !== 'GET') {
    return new HandshakeError('method-not-allowed', `The method must be GET, not ${head.method} (RFC 6455 §4.2.1 item 1)`, 405);
  }
  if (head.version < 'HTTP/1.1' || !head.version.startsWith('HTTP/1.')) {
    return new HandshakeError('unsupported-http-version', `The request must be HTTP/1.1 or later 1.x, not ${head.version} (RFC 6455 §4.2.1 item 1)`);
  }
  const host = single(head, 'Host', 'invalid-host');
  if (host instanceof HandshakeError) return host;
  // RFC 7230 §5.4: a request without Host, or with more than one, gets 400.
  if (host === undefined || host === '') return new HandshakeError('missing-host', 'The request has no Host header (RFC 6455 §4.2.1 item 2)');
  const upgrade = splitList(head.headers.getAll('Upgrade')).map((p) => p.toLowerCase());
  if (!upgrade.includes('websocket')) {
    // RFC 7231 §6.5.15: 426 tells the client which protocol to upgrade to.
    return new HandshakeError('invalid-upgrade', 'The Upgrade header does not include "websocket" (RFC 6455 §4.2.1 item 3)', 426);
  }
  const connection = splitList(head.headers.getAll('Connection')).map((p) => p.toLowerCase());
  if (!connection.includes('upgrade')) {
    return new HandshakeError('invalid-connection', 'The Connection header does not include "Upgrade" (RFC 6455 §4.2.1 item 4)');
  }
  const key = single(head, 'Sec-WebSocket-Key', 'invalid-key');
  if (key instanceof HandshakeError) return key;
  if (key === undefined || !isValidKey(key)) {
    return new HandshakeError('invalid-key', 'Sec-WebSocket-Key is missing or is not 16 bytes in base64 (RFC 6455 §4.2.1 item 5)');
  }
  // Version, subprotocols, extensions and origin: the rules shared with extended CONNECT.
  const offer = readOfferFields(head.headers);
  if (offer instanceof HandshakeError) return offer;
  if (head.headers.has('Transfer-Encoding') || !['0', undefined].includes(head.headers.get('Content-Length'))) {
    // Bytes after the head must be frames; a body would be misread as one.
    return new HandshakeError('unexpected-body', 'An upgrade request must not have a body');
  }
  return { ...head, host, key, ...offer };
}

const REASON_PHRASES: Readonly<Record<number, string>> = {
  301: 'Moved Permanently',
  302: 'Found',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  414: 'URI Too Long',
  426: 'Upgrade Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * Builds a response that refuses a handshake: the status line, `Connection:
 * close`, a plain-text body of `message` and any extra `headers`. A 426 also
 * carries `Upgrade: websocket` and `Sec-WebSocket-Version: 13`
 * (RFC 6455 §4.2.2 item 4, RFC 7231 §6.5.15); a 405 carries `Allow: GET`.
 * Throws a `RangeError` unless `status` is an integer from 300 to 599.
 */
export function buildRejection(status: number, message = '', headers?: HttpHeadersInit): Uint8Array {
  if (!Number.isInteger(status) || status < 300 || status > 599) {
    throw new RangeError(`A rejection status must be an integer from 300 to 599, not ${status}`);
  }
  const body = new TextEncoder().encode(message);
  const fields: [string, string][] = [];
  if (status === 426) fields.push(['Upgrade', 'websocket'], ['Sec-WebSocket-Version', '13']);
  if (status === 405) fields.push(['Allow', 'GET']);
  fields.push(['Connection', status === 426 ? 'Upgrade, close' : 'close']);
  fields.push(['Content-Type', 'text/plain; charset=utf-8'], ['Content-Length', String(body.length)]);
  fields.push(...extraHeaderFields(headers, ['connection', 'content-length', 'content-type']));
  const head = encodeHead(`HTTP/1.1 ${status} ${REASON_PHRASES[status] ?? ''}`, fields);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}
