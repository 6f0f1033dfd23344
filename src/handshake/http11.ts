/**
 * An incremental parser of HTTP/1.1 heads (RFC 7230 §3): the request or
 * status line and the header fields, up to the empty line. Bytes go in as
 * chunks of any size; out comes the head and the bytes that followed it, which
 * belong to the WebSocket connection (a server's first frame often arrives in
 * the same chunk as its `101`).
 *
 * Limits are enforced while reading: the parser keeps only the current
 * unfinished line, never more than the line limit, and stops at the first byte
 * past any limit, so a hostile peer cannot make it buffer or scan without end.
 *
 * @module
 */
import { HandshakeError } from '../errors.js';
import { assertHeader, HttpHeaders, isHeaderValue, isToken, trimWhitespace, type HttpHeadersInit } from './headers.js';

/** Limits on an HTTP head; every field is optional and falls back to {@link DEFAULT_HTTP_HEAD_LIMITS}. */
export interface HttpHeadLimits {
  /** Largest head in bytes, from the first byte to the final empty line inclusive. */
  maxHeadSize?: number;
  /** Most header fields (repeats counted). */
  maxHeaderCount?: number;
  /** Longest single line in bytes, without its CRLF. */
  maxLineLength?: number;
}

/**
 * Default limits: a 16 KiB head (as Node's HTTP server), 100 header fields and
 * 8 KiB lines. A browser's handshake, cookies included, is usually under 2 KiB.
 */
export const DEFAULT_HTTP_HEAD_LIMITS: Readonly<Required<HttpHeadLimits>> = Object.freeze({
  maxHeadSize: 16 * 1024,
  maxHeaderCount: 100,
  maxLineLength: 8 * 1024,
});

/** A parsed request head (RFC 7230 §3.1.1). */
export interface HttpRequestHead {
  /** The method, e.g. `GET` (case-sensitive, RFC 7230 §3.1.1). */
  readonly method: string;
  /** The request-target as sent, e.g. `/chat?room=1`. */
  readonly target: string;
  /** The protocol version as sent, e.g. `HTTP/1.1`. */
  readonly version: string;
  /** The header fields. */
  readonly headers: HttpHeaders;
}

/** A parsed response head (RFC 7230 §3.1.2). */
export interface HttpResponseHead {
  /** The protocol version as sent, e.g. `HTTP/1.1`. */
  readonly version: string;
  /** The three-digit status code. */
  readonly status: number;
  /** The reason phrase (may be empty). */
  readonly reason: string;
  /** The header fields. */
  readonly headers: HttpHeaders;
}

/**
 * What {@link HttpHeadParser.push} returns: more bytes are needed; or the
 * head, with `rest` the bytes of the chunk that followed it (a view, not a
 * copy); or the error that stopped the parser, whose `status` is the HTTP
 * status to answer with (400, 414 or 431).
 */
export type HttpHeadResult<Head> =
  | { readonly type: 'incomplete' }
  | { readonly type: 'head'; readonly head: Head; readonly rest: Uint8Array }
  | { readonly type: 'error'; readonly error: HandshakeError };

/** Completes a head from its start line, once the header fields are read. */
type HeadBuilder<Head> = (headers: HttpHeaders) => Head;

const INCOMPLETE = Object.freeze({ type: 'incomplete' as const });
const EMPTY = new Uint8Array(0);
const CR = 0x0d;

/**
 * Incremental HTTP/1.1 head parser for requests ({@link HttpHeadParser.request})
 * or responses ({@link HttpHeadParser.response}).
 *
 * Peer input never throws: a malformed or oversized head is returned as an
 * `error` result, and the parser then returns that same error for any later
 * chunk. Lines must end with CRLF (RFC 7230 §3); obsolete line folding is
 * refused (§3.2.4), as is whitespace before a header's colon. A bad start
 * line or a control byte is refused as soon as it arrives, not at the end of
 * the head.
 *
 * Error reasons (status): `head-too-large`, `too-many-headers`,
 * `header-line-too-long` (431); `start-line-too-long` (414 for a request);
 * `invalid-request-line`, `invalid-status-line`, `invalid-line-ending`,
 * `invalid-characters`, `obsolete-line-folding`, `invalid-header-name`,
 * `invalid-header-value` (400). The status matters to a server only.
 */
export class HttpHeadParser<Head extends HttpRequestHead | HttpResponseHead> {
  private readonly limits: Readonly<Required<HttpHeadLimits>>;
  /** The unfinished line, as Latin-1 text (one character per byte). */
  private pending = '';
  private headSize = 0;
  /** Completes the head once the headers are read; set when the start line has been parsed. */
  private buildHead: HeadBuilder<Head> | undefined;
  private readonly fields: [string, string][] = [];
  private error: HandshakeError | undefined;
  private finished = false;

  private constructor(
    private readonly parseStartLine: (line: string) => HeadBuilder<Head> | HandshakeError,
    private readonly isRequest: boolean,
    limits: HttpHeadLimits,
  ) {
    this.limits = resolveLimits(limits);
  }

  /** A parser for a request head (what a server reads). */
  static request(limits: HttpHeadLimits = {}): HttpHeadParser<HttpRequestHead> {
    return new HttpHeadParser<HttpRequestHead>(parseRequestLine, true, limits);
  }

  /** A parser for a response head (what a client reads). */
  static response(limits: HttpHeadLimits = {}): HttpHeadParser<HttpResponseHead> {
    return new HttpHeadParser<HttpResponseHead>(parseStatusLine, false, limits);
  }

  /**
   * Parses the next chunk. Throws a `TypeError` if called after the head was
   * returned: later bytes belong to the connection, not to the head.
   */
  push(chunk: Uint8Array): HttpHeadResult<Head> {
    if (this.finished) throw new TypeError('HttpHeadParser.push: the head is complete; give later bytes to the connection');
    if (this.error !== undefined) return { type: 'error', error: this.error };
    const { maxHeadSize, maxLineLength } = this.limits;
    // Decode at most the bytes the head may still take: a huge chunk costs no
    // more than the limits, and every index below is both a byte and a char index.
    const scanEnd = Math.min(chunk.length, maxHeadSize - this.headSize);
    const text = latin1(chunk.subarray(0, scanEnd));
    let pos = 0;
    for (;;) {
      const lf = text.indexOf('\n', pos);
      const lineEnd = lf === -1 ? text.length : lf + 1;
      if (this.pending.length + lineEnd - pos > maxLineLength + 2) return this.fail(this.lineLimitError()); // content + CRLF
      if (lf === -1) {
        if (hasControlCharacter(text, pos)) {
          // Not HTTP (e.g. a TLS ClientHello on a plain port): refuse now rather than wait for a line end.
          return this.fail(new HandshakeError('invalid-characters', 'The HTTP head contains a control character (RFC 7230 §3)'));
        }
        if (scanEnd < chunk.length) {
          return this.fail(new HandshakeError('head-too-large', `The HTTP head exceeds ${maxHeadSize} bytes`, 431));
        }
        this.pending += text.slice(pos);
        this.headSize += text.length - pos;
        return INCOMPLETE;
      }
      const line = this.pending + text.slice(pos, lf);
      this.pending = '';
      this.headSize += lineEnd - pos;
      pos = lineEnd;
      if (line.charCodeAt(line.length - 1) !== CR) {
        return this.fail(new HandshakeError('invalid-line-ending', 'A line of the HTTP head does not end with CRLF (RFC 7230 §3)'));
      }
      const done = this.line(line.slice(0, -1));
      if (done instanceof HandshakeError) return this.fail(done);
      if (done !== undefined) {
        this.finished = true;
        return { type: 'head', head: done, rest: chunk.subarray(pos) };
      }
    }
  }

  /** Handles one complete line (without CRLF); returns the head after the final empty line. */
  private line(text: string): Head | HandshakeError | undefined {
    if (this.buildHead === undefined) {
      const builder = this.parseStartLine(text);
      if (builder instanceof HandshakeError) return builder;
      this.buildHead = builder;
      return undefined;
    }
    if (text === '') return this.buildHead(new HttpHeaders(this.fields));
    if (text[0] === ' ' || text[0] === '\t') {
      return new HandshakeError('obsolete-line-folding', 'A header line starts with whitespace (obsolete line folding, RFC 7230 §3.2.4)');
    }
    const colon = text.indexOf(':');
    return this.field(colon === -1 ? '' : text.slice(0, colon), text.slice(colon + 1));
  }

  /** Checks one header field and keeps it; `value` may still have its optional whitespace (RFC 7230 §3.2). */
  private field(name: string, rawValue: string): HandshakeError | undefined {
    if (this.fields.length >= this.limits.maxHeaderCount) {
      return new HandshakeError('too-many-headers', `The HTTP head has more than ${this.limits.maxHeaderCount} header fields`, 431);
    }
    if (!isToken(name)) {
      return new HandshakeError('invalid-header-name', 'A header line has no valid field name before its colon (RFC 7230 §3.2)');
    }
    const value = trimWhitespace(rawValue);
    if (!isHeaderValue(value)) {
      return new HandshakeError('invalid-header-value', `Header ${name} contains a control character (RFC 7230 §3.2)`);
    }
    this.fields.push([name, value]);
    return undefined;
  }

  /**
   * Checks a head that another HTTP stack has already parsed (Node's
   * `'upgrade'` event, a framework's request object) exactly as its bytes
   * would be checked: the same start-line grammar, field grammar and limits,
   * the head counted at the size it has on the wire as HTTP/1.1 (each line
   * plus CRLF, `name: value` for a field). Returns the head with an empty
   * `rest`, or the error; never `incomplete`. Throws a `TypeError` if the
   * parser has already been given bytes or a head.
   */
  pushParsed(startLine: string, fields: Iterable<readonly [string, string]>): Exclude<HttpHeadResult<Head>, { type: 'incomplete' }> {
    if (this.finished || this.headSize > 0 || this.error !== undefined) {
      throw new TypeError('HttpHeadParser.pushParsed: this parser has already been given a head');
    }
    const { maxHeadSize, maxLineLength } = this.limits;
    const line = (length: number, check: () => Head | HandshakeError | undefined): Head | HandshakeError | undefined => {
      if (length > maxLineLength) return this.lineLimitError();
      this.headSize += length + 2; // CRLF
      if (this.headSize > maxHeadSize) return new HandshakeError('head-too-large', `The HTTP head exceeds ${maxHeadSize} bytes`, 431);
      return check();
    };
    let done = line(startLine.length, () => this.line(startLine));
    for (const [name, value] of fields) {
      if (done instanceof HandshakeError) break;
      done = line(name.length + 2 + value.length, () => this.field(name, value));
    }
    done ??= line(0, () => this.line(''));
    if (done instanceof HandshakeError) return this.fail(done);
    this.finished = true;
    return { type: 'head', head: done!, rest: EMPTY };
  }

  /** The error for a line over the length limit. */
  private lineLimitError(): HandshakeError {
    if (this.buildHead === undefined) {
      // RFC 7230 §3.1.1: a request-target longer than the server wants to parse gets 414.
      return new HandshakeError('start-line-too-long', `The start line exceeds ${this.limits.maxLineLength} bytes`, this.isRequest ? 414 : 400);
    }
    return new HandshakeError('header-line-too-long', `A header line exceeds ${this.limits.maxLineLength} bytes`, 431);
  }

  private fail(error: HandshakeError): { readonly type: 'error'; readonly error: HandshakeError } {
    this.error = error;
    this.pending = '';
    this.fields.length = 0;
    return { type: 'error', error };
  }
}

function resolveLimits(limits: HttpHeadLimits): Readonly<Required<HttpHeadLimits>> {
  const resolved = { ...DEFAULT_HTTP_HEAD_LIMITS };
  for (const key of ['maxHeadSize', 'maxHeaderCount', 'maxLineLength'] as const) {
    const value = limits[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`HTTP head limit ${key} must be a positive integer`);
    resolved[key] = value;
  }
  return resolved;
}

/** Decodes bytes one character per byte (ISO-8859-1), as HTTP heads are read (RFC 7230 §3.2.4). */
function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    // Reflect.apply takes the bytes as the argument list directly, far faster than spreading them.
    text += Reflect.apply(String.fromCharCode, null, bytes.subarray(i, i + 4096));
  }
  return text;
}

const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([\x21-\x7e]+) (HTTP\/[0-9]\.[0-9])$/;
const STATUS_LINE = /^(HTTP\/[0-9]\.[0-9]) ([0-9]{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;

/** `method SP request-target SP HTTP-version` (RFC 7230 §3.1.1). */
function parseRequestLine(line: string): HeadBuilder<HttpRequestHead> | HandshakeError {
  const match = REQUEST_LINE.exec(line);
  if (match === null) return new HandshakeError('invalid-request-line', 'The request line is not "METHOD target HTTP/x.y" (RFC 7230 §3.1.1)');
  return (headers) => ({ method: match[1]!, target: match[2]!, version: match[3]!, headers });
}

/**
 * `HTTP-version SP status-code SP reason-phrase` (RFC 7230 §3.1.2). A missing
 * space before an empty reason phrase is tolerated, as some servers omit it.
 */
function parseStatusLine(line: string): HeadBuilder<HttpResponseHead> | HandshakeError {
  const match = STATUS_LINE.exec(line);
  if (match === null) return new HandshakeError('invalid-status-line', 'The status line is not "HTTP/x.y code reason" (RFC 7230 §3.1.2)');
  return (headers) => ({ version: match[1]!, status: Number(match[2]), reason: match[3] ?? '', headers });
}

/**
 * Whether `text` from `from` on holds a byte no head may contain: a control
 * character other than HTAB and CR (RFC 7230 §3.2: field-value; §3.1: start lines).
 */
function hasControlCharacter(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0d) || code === 0x7f) return true;
  }
  return false;
}

/**
 * Serializes a head: the start line, each field as `name: value`, and the
 * final empty line, CRLF-terminated, one byte per character. Names and values
 * are checked first (see {@link assertHeader}): a `TypeError` rather than a
 * smuggled header.
 */
export function encodeHead(startLine: string, fields: Iterable<readonly [string, string]>): Uint8Array {
  let text = `${startLine}\r\n`;
  for (const [name, value] of fields) {
    assertHeader(name, value);
    text += `${name}: ${value}\r\n`;
  }
  text += '\r\n';
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * Validates caller-supplied extra headers, refusing (with a `TypeError`) any
 * whose name is in `reserved`: those fields are computed by the handshake, and
 * a second copy would contradict it.
 */
export function extraHeaderFields(init: HttpHeadersInit | undefined, reserved: readonly string[]): [string, string][] {
  if (init === undefined) return [];
  const fields: [string, string][] = [];
  for (const [name, value] of new HttpHeaders(init)) {
    if (reserved.includes(name.toLowerCase())) {
      throw new TypeError(`Header ${name} is set by the handshake itself; it cannot be given as an extra header`);
    }
    fields.push([name, value]);
  }
  return fields;
}
