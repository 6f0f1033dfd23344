/**
 * HTTP header fields for the opening handshake: a case-insensitive header
 * collection that keeps repeated fields, the list grammars of RFC 7230 §7 and
 * RFC 6455 §9.1, and the checks that stop header injection when building.
 *
 * @module
 */
import type { ExtensionOffer, ExtensionParam } from '../extensions/extension.js';

/**
 * Header fields to add to a request or response: an {@link HttpHeaders}, any
 * iterable of `[name, value]` pairs (repeats allowed, order kept), or a plain
 * object (one field per property).
 */
export type HttpHeadersInit = Iterable<readonly [string, string]> | Readonly<Record<string, string>>;

/**
 * Header fields as another HTTP stack hands them over, in any of three shapes:
 * a WHATWG `Headers` (or any iterable of `[name, value]` pairs); a plain
 * object whose values are a string or an array of strings, one field each
 * (Node's `IncomingHttpHeaders`; `undefined` values are skipped, and a number,
 * as Node gives HTTP/2's `:status`, is taken as its decimal text); or a flat
 * `[name, value, name, value, …]` array (Node's `rawHeaders`).
 */
export type ParsedHeaders =
  | HeadersLike
  | Iterable<readonly [string, string]>
  | Readonly<Record<string, string | number | readonly string[] | undefined>>
  | readonly string[];

/**
 * What {@link ParsedHeaders} needs of a WHATWG `Headers`: its `forEach`
 * (typed without the `DOM.Iterable` library; at run time a `Headers` is read
 * through its iterator).
 */
export interface HeadersLike {
  forEach(callback: (value: string, name: string) => void): void;
}

/**
 * The fields of {@link ParsedHeaders} as `[name, value]` pairs, in order,
 * unchecked. Throws a `TypeError` for a value of another type or a flat
 * array of odd length: that is the caller's mistake, not the peer's.
 */
export function parsedHeaderFields(headers: ParsedHeaders): [string, string][] {
  const fields: [string, string][] = [];
  const add = (name: unknown, value: unknown): void => {
    if (typeof name !== 'string' || typeof value !== 'string') {
      throw new TypeError('Parsed headers: every name and value must be a string');
    }
    fields.push([name, value]);
  };
  if (Array.isArray(headers) && (headers.length === 0 || typeof headers[0] === 'string')) {
    if (headers.length % 2 !== 0) throw new TypeError('Parsed headers: a flat [name, value, …] array must have an even length');
    for (let i = 0; i < headers.length; i += 2) add(headers[i], headers[i + 1]);
  } else if (Symbol.iterator in headers) {
    for (const pair of headers as Iterable<readonly [string, string]>) add(pair[0], pair[1]);
  } else if (typeof headers.forEach === 'function') {
    (headers as HeadersLike).forEach((value, name) => add(name, value));
  } else {
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) add(name, item);
      else add(name, typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value);
    }
  }
  return fields;
}

/** `tchar` of RFC 7230 §3.2.6 (ALPHA, DIGIT and these symbols), as a table over ASCII. */
const TOKEN_CHARS = new Uint8Array(128);
for (const char of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
  TOKEN_CHARS[char.charCodeAt(0)] = 1;
}

/** Whether a UTF-16 code unit is a `tchar` (RFC 7230 §3.2.6). */
function isTokenChar(code: number): boolean {
  return code < 128 && TOKEN_CHARS[code] === 1;
}

/** Whether `text` is a non-empty `token` (RFC 7230 §3.2.6): header names, extension names, subprotocols. */
export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!isTokenChar(text.charCodeAt(i))) return false;
  return true;
}

/**
 * Whether `text` is a valid `field-value` (RFC 7230 §3.2): visible ASCII,
 * obs-text, spaces and tabs, but no CR, LF or other control character, and no
 * leading or trailing whitespace.
 */
export function isHeaderValue(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x09) continue;
    if (code < 0x20 || code === 0x7f || code > 0xff) return false;
  }
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  return !(first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09);
}

/**
 * Throws a `TypeError` unless `name` is a token and `value` a valid
 * field-value (RFC 7230 §3.2): what stops header injection (a CR or LF in a
 * value would start a new header or end the head).
 */
export function assertHeader(name: string, value: string): void {
  if (!isToken(name)) {
    throw new TypeError(`Invalid header name ${JSON.stringify(name)}: it must be a token (RFC 7230 §3.2.6)`);
  }
  if (!isHeaderValue(value)) {
    throw new TypeError(
      `Invalid value for header ${name}: no CR, LF or other control characters, no characters above U+00FF, ` +
        'and no leading or trailing whitespace (RFC 7230 §3.2)',
    );
  }
}

/**
 * Header fields of an HTTP head. Names compare case-insensitively (RFC 7230
 * §3.2); repeated fields keep their order, and iteration yields every field as
 * sent, with its original name case.
 */
export class HttpHeaders implements Iterable<readonly [string, string]> {
  private readonly fields: (readonly [string, string])[] = [];
  /** Lower-cased names, parallel to `fields`, for case-insensitive lookup. */
  private readonly keys: string[] = [];

  /** Builds a collection from `init`; throws a `TypeError` if a name is not a token or a value holds CR, LF or another control character (RFC 7230 §3.2). */
  constructor(init: HttpHeadersInit = []) {
    const pairs = isIterable(init) ? init : Object.entries(init);
    for (const [name, value] of pairs) {
      assertHeader(name, value);
      this.fields.push([name, value]);
      this.keys.push(name.toLowerCase());
    }
  }

  /** Number of fields, counting repeats. */
  get size(): number {
    return this.fields.length;
  }

  /** Whether a field named `name` (any case) is present. */
  has(name: string): boolean {
    return this.keys.includes(name.toLowerCase());
  }

  /** Every value of the fields named `name` (any case), in order. */
  getAll(name: string): string[] {
    const key = name.toLowerCase();
    const values: string[] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] === key) values.push(this.fields[i]![1]);
    return values;
  }

  /**
   * The value of `name`, or `undefined` if absent. Repeated fields are joined
   * with `", "`, which RFC 7230 §3.2.2 makes equivalent for list-valued fields
   * (use {@link HttpHeaders.getAll} for `Set-Cookie`, which is not a list).
   */
  get(name: string): string | undefined {
    const values = this.getAll(name);
    return values.length === 0 ? undefined : values.join(', ');
  }

  /** Every field as `[name, value]`, in order, names as sent. */
  [Symbol.iterator](): Iterator<readonly [string, string]> {
    return this.fields[Symbol.iterator]();
  }
}

function isIterable(init: HttpHeadersInit): init is Iterable<readonly [string, string]> {
  return Symbol.iterator in init;
}

/**
 * `text` without leading and trailing spaces and tabs (`OWS`, RFC 7230
 * §3.2.3). A scan from each end, linear in the length: the regular
 * expression `/[ \t]+$/` backtracks quadratically over a long run of inner
 * whitespace (8 KiB of it cost ~65 ms per header), which a peer controls.
 */
export function trimWhitespace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isWhitespace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * Splits list-valued header fields (RFC 7230 §7 `#rule`) into trimmed
 * elements. Repeated fields form one list; empty elements are skipped, as
 * recipients must accept them.
 */
export function splitList(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const element = trimWhitespace(part);
      if (element !== '') out.push(element);
    }
  }
  return out;
}

/**
 * Parses a comma-separated token list such as `Sec-WebSocket-Protocol` or
 * `Connection` (RFC 7230 §7, RFC 6455 §4.1 item 10), joined across repeated
 * fields. Returns `undefined` if an element is not a token.
 */
export function parseTokenList(values: readonly string[]): string[] | undefined {
  const tokens = splitList(values);
  return tokens.every(isToken) ? tokens : undefined;
}

/**
 * Parses `Sec-WebSocket-Extensions` (RFC 6455 §9.1): extensions separated by
 * commas, each a token followed by `;`-separated parameters, each parameter a
 * token with an optional `=` value given as a token or a quoted string
 * (RFC 7230 §3.2.6). Repeated fields form one list. Returns `undefined` on any
 * syntax error, including a quoted value that does not unescape to a token
 * (§9.1 requires it to).
 */
export function parseExtensions(values: readonly string[]): ExtensionOffer[] | undefined {
  const scanner = new Scanner(values.join(','));
  const offers: ExtensionOffer[] = [];
  for (;;) {
    scanner.skipWhitespace();
    if (scanner.done()) return offers;
    if (scanner.take(',')) continue; // empty list element (RFC 7230 §7)
    const name = scanner.token();
    if (name === undefined) return undefined;
    const params: ExtensionParam[] = [];
    scanner.skipWhitespace();
    while (scanner.take(';')) {
      scanner.skipWhitespace();
      const paramName = scanner.token();
      if (paramName === undefined) return undefined;
      scanner.skipWhitespace();
      let value: string | null = null;
      if (scanner.take('=')) {
        scanner.skipWhitespace();
        const raw = scanner.peek() === '"' ? scanner.quotedString() : scanner.token();
        if (raw === undefined || !isToken(raw)) return undefined;
        value = raw;
        scanner.skipWhitespace();
      }
      params.push([paramName, value]);
    }
    offers.push({ name, params });
    if (!scanner.done() && !scanner.take(',')) return undefined;
  }
}

/**
 * Formats extension offers or answers as a `Sec-WebSocket-Extensions` value
 * (RFC 6455 §9.1), e.g. `permessage-deflate; client_max_window_bits`. Throws a
 * `TypeError` if a name or value is not a token (§9.1 allows only tokens,
 * quoted or not, so none need quoting).
 */
export function formatExtensions(offers: readonly ExtensionOffer[]): string {
  return offers
    .map(({ name, params }) => {
      if (!isToken(name)) throw new TypeError(`Extension name ${JSON.stringify(name)} is not a token (RFC 6455 §9.1)`);
      let text = name;
      for (const [param, value] of params) {
        if (!isToken(param) || (value !== null && !isToken(value))) {
          throw new TypeError(`Parameter ${JSON.stringify(param)} of extension ${name} must be a token with a token value (RFC 6455 §9.1)`);
        }
        text += value === null ? `; ${param}` : `; ${param}=${value}`;
      }
      return text;
    })
    .join(', ');
}

/** A cursor over a header value, for the extension grammar. */
class Scanner {
  private index = 0;

  constructor(private readonly text: string) {}

  done(): boolean {
    return this.index >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.index];
  }

  /** Consumes `char` if it is next. */
  take(char: string): boolean {
    if (this.text[this.index] !== char) return false;
    this.index++;
    return true;
  }

  /** Skips optional whitespace (`OWS`, RFC 7230 §3.2.3). */
  skipWhitespace(): void {
    while (this.text[this.index] === ' ' || this.text[this.index] === '\t') this.index++;
  }

  /** Consumes a token, or returns `undefined` if none is next. */
  token(): string | undefined {
    const start = this.index;
    while (this.index < this.text.length && isTokenChar(this.text.charCodeAt(this.index))) this.index++;
    return this.index > start ? this.text.slice(start, this.index) : undefined;
  }

  /** Consumes a `quoted-string` (RFC 7230 §3.2.6) and returns it unescaped, or `undefined` if malformed. */
  quotedString(): string | undefined {
    if (!this.take('"')) return undefined;
    let value = '';
    while (this.index < this.text.length) {
      const char = this.text[this.index++]!;
      if (char === '"') return value;
      if (char === '\\') {
        if (this.index >= this.text.length) return undefined;
        value += this.text[this.index++]!; // quoted-pair
      } else {
        value += char;
      }
    }
    return undefined; // no closing quote
  }
}
