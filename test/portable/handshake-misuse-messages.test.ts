/**
 * Caller mistakes with the handshake API throw at once, a `TypeError` (or a
 * `RangeError` for a number out of range), whose message names the option or
 * call and the rule it breaks (with the RFC section where there is one), so
 * the mistake can be fixed from the message alone.
 */
import { describe, expect, it } from 'vitest';
import {
  buildRejection,
  ClientHandshake,
  computeAcceptKey,
  formatExtensions,
  HttpHeadParser,
  HttpHeaders,
  ServerHandshake,
  type ClientExtensionFactory,
  type ParsedHeaders,
} from 'wscodec/handshake';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const REQUEST = ascii(
  `GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat\r\n\r\n`,
);
const RESPONSE = ascii(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAcceptKey(KEY)}\r\n\r\n`);
const client = (url: ConstructorParameters<typeof ClientHandshake>[0]['url']) => () => new ClientHandshake({ url });
const factory: ClientExtensionFactory = { name: 'x-test', offer: () => [], accept: () => ({ name: 'x-test', rsvBits: 0, encode: (f) => f, decode: (f) => f }) };
const parsed = (headers: ParsedHeaders) => () => new ServerHandshake().receiveRequest({ method: 'GET', target: '/', headers });

/** A server handshake that has received REQUEST. */
function received(options?: ConstructorParameters<typeof ServerHandshake>[0]): ServerHandshake {
  const hs = new ServerHandshake(options);
  if (hs.receive(REQUEST).type !== 'request') throw new Error('REQUEST refused');
  return hs;
}

type Case = [what: string, call: () => unknown, type: typeof TypeError | typeof RangeError, names: RegExp];

const CASES: Record<string, Case[]> = {
  'ClientHandshake options': [
    ['a URL that does not parse', client('http//no-scheme'), TypeError, /invalid URL "http\/\/no-scheme"/],
    ['a path without "/"', client({ host: 'example.com', path: 'chat' }), TypeError, /path must start with "\/"/],
    ['a host that makes no URL', client({ host: 'exa mple.com' }), TypeError, /invalid host "exa/],
    ['an ftp: URL', client('ftp://example.com/'), TypeError, /scheme must be ws: or wss:, not ftp:/],
    ['a fragment', client('ws://example.com/#top'), TypeError, /fragment \(RFC 6455 §3\)/],
    ['credentials in the URL', client('ws://user:pass@example.com/'), TypeError, /credentials .*Authorization header/],
    ['a short key', () => new ClientHandshake({ url: 'ws://a/', key: 'c2hvcnQ=' }), TypeError, /key must be 16 bytes in base64 \(RFC 6455 §4\.1 item 7\)/],
    ['a subprotocol that is not a token', () => new ClientHandshake({ url: 'ws://a/', subprotocols: ['a b'] }), TypeError, /Subprotocol "a b" is not a token \(RFC 6455 §4\.1 item 10\)/],
    ['a subprotocol offered twice', () => new ClientHandshake({ url: 'ws://a/', subprotocols: ['chat', 'chat'] }), TypeError, /Subprotocol chat is offered twice \(RFC 6455 §4\.1 item 10\)/],
    ['an extension given twice', () => new ClientHandshake({ url: 'ws://a/', extensions: [factory, factory] }), TypeError, /Extension x-test is given twice/],
    ['a header the handshake sets', () => new ClientHandshake({ url: 'ws://a/', headers: { 'Sec-WebSocket-Key': KEY } }), TypeError, /Header Sec-WebSocket-Key is set by the handshake itself/],
  ],
  'ClientHandshake calls': [
    [
      'receive after the response was accepted',
      () => {
        const hs = new ClientHandshake({ url: 'ws://server.example.com/chat', key: KEY });
        expect(hs.receive(RESPONSE).type).toBe('accepted');
        hs.receive(ascii('x'));
      },
      TypeError,
      /ClientHandshake\.receive: the response is complete; give later bytes to the connection/,
    ],
  ],
  'ServerHandshake options and calls': [
    ['a subprotocol that is not a token', () => new ServerHandshake({ subprotocols: ['a b'] }), TypeError, /Subprotocol "a b" is not a token \(RFC 6455 §4\.1 item 10\)/],
    ['receive after the request', () => received().receive(ascii('x')), TypeError, /ServerHandshake\.receive: the request is complete; give later bytes to the connection/],
    ['a second parsed request', () => received().receiveRequest({ method: 'GET', target: '/', headers: [] }), TypeError, /ServerHandshake\.receiveRequest: a request was already received/],
    ['accept before a valid request', () => new ServerHandshake().accept(), TypeError, /ServerHandshake\.accept: no valid request has been received/],
    [
      'a second accept',
      () => {
        const hs = received();
        hs.accept();
        hs.accept();
      },
      TypeError,
      /ServerHandshake\.accept: already accepted/,
    ],
    ['a selector that chooses what was not offered', () => received({ subprotocols: () => 'other' }).accept(), TypeError, /selector chose "other", which the client did not offer/],
    ['an extra header the handshake sets', () => received().accept({ Upgrade: 'h2c' }), TypeError, /Header Upgrade is set by the handshake itself/],
    ['a rejection status outside 300–599', () => buildRejection(200), RangeError, /integer from 300 to 599, not 200/],
  ],
  'headers and head parser': [
    ['a header name that is not a token', () => new HttpHeaders([['Bad Name', 'v']]), TypeError, /header name "Bad Name": it must be a token \(RFC 7230 §3\.2\.6\)/],
    ['a header value with CR LF', () => new HttpHeaders([['X', 'a\r\nY: b']]), TypeError, /value for header X: no CR, LF .*\(RFC 7230 §3\.2\)/],
    ['parsed headers with a value that is not a string', parsed({ host: true } as unknown as ParsedHeaders), TypeError, /every name and value must be a string/],
    // A number is taken only as Node gives HTTP/2's :status, an integer; anything else is not header text.
    ['a header value that is a fraction', parsed({ host: 1.5 } as unknown as ParsedHeaders), TypeError, /every name and value must be a string/],
    ['a flat header array with a name that is not a string', parsed(['Host', 'a', 5, 'b'] as unknown as ParsedHeaders), TypeError, /every name and value must be a string/],
    ['a flat header array of odd length', parsed(['Host']), TypeError, /flat \[name, value, …\] array must have an even length/],
    ['an extension name that is not a token', () => formatExtensions([{ name: 'a b', params: [] }]), TypeError, /Extension name "a b" is not a token \(RFC 6455 §9\.1\)/],
    ['an extension parameter that is not a token', () => formatExtensions([{ name: 'x', params: [['p', 'a b']] }]), TypeError, /Parameter .*"p".* of extension x must be a token .*\(RFC 6455 §9\.1\)/],
    ['a limit of 0', () => HttpHeadParser.request({ maxHeaderCount: 0 }), RangeError, /HTTP head limit maxHeaderCount must be a positive integer/],
    [
      'push after the head',
      () => {
        const parser = HttpHeadParser.request();
        parser.push(ascii('GET / HTTP/1.1\r\n\r\n'));
        parser.push(ascii('x'));
      },
      TypeError,
      /HttpHeadParser\.push: the head is complete; give later bytes to the connection/,
    ],
    [
      'a second parsed head',
      () => {
        const parser = HttpHeadParser.request();
        parser.pushParsed('GET / HTTP/1.1', []);
        parser.pushParsed('GET / HTTP/1.1', []);
      },
      TypeError,
      /HttpHeadParser\.pushParsed: this parser has already been given a head/,
    ],
    ['an accept key from a non-Latin-1 key', () => computeAcceptKey('\u0100'), TypeError, /key must be a header value \(Latin-1 characters only\)/],
  ],
};

for (const [area, cases] of Object.entries(CASES)) {
  describe(`${area}: a mistake throws at once, naming the rule`, () => {
    for (const [what, call, type, names] of cases) {
      it(`${what}: ${type.name}`, () => {
        expect(call).toThrow(type);
        expect(call).toThrow(names);
      });
    }
  });
}

describe('computeAcceptKey: the other side of the Latin-1 rule', () => {
  it('takes every Latin-1 character, up to U+00FF, as the byte it stands for', () => {
    const key = computeAcceptKey('\u00ff');
    // (A match asserted as data: the runtimes' vitest shim has no toMatch.)
    expect({ key, base64: /^[A-Za-z0-9+/]{27}=$/.test(key) }).toEqual({ key, base64: true });
    expect(computeAcceptKey('\u00ff')).not.toBe(computeAcceptKey('\u00fe'));
  });
});
