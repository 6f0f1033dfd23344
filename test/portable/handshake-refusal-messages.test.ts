/**
 * Every refusal of the opening handshake names what it refused: a peer (or the
 * developer reading a log) gets the field and the rule, with the RFC section
 * where there is one, in the error message and so in the rejection body. Each
 * case below breaks one rule and checks the reason and what the message names.
 */
import { describe, expect, it } from 'vitest';
import {
  ClientConnectHandshake,
  ClientHandshake,
  computeAcceptKey,
  HandshakeError,
  HttpHeadParser,
  ServerConnectHandshake,
  ServerHandshake,
  type ClientExtensionFactory,
  type ServerHandshakeOptions,
} from 'wscodec/handshake';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
type Field = [string, string];
type Case = [what: string, error: () => HandshakeError, reason: string, names: RegExp];

/** The fields of `base` with `changes` applied (null removes a field), then `extra` appended. */
function fields(base: Record<string, string>, changes: Record<string, string | null>, extra: Field[]): Field[] {
  return [...Object.entries({ ...base, ...changes }).filter((f): f is Field => f[1] !== null), ...extra];
}
const head = (startLine: string, list: Field[]) => ascii(`${startLine}\r\n${list.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`);

/** The request of RFC 6455 §1.2, changed, as the server's error. */
function serverRefusal(changes: Record<string, string | null> = {}, extra: Field[] = [], startLine = 'GET /chat HTTP/1.1', options?: ServerHandshakeOptions) {
  return () => {
    const base = { Host: 'server.example.com', Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': KEY, 'Sec-WebSocket-Version': '13' };
    const r = new ServerHandshake(options).receive(head(startLine, fields(base, changes, extra)));
    if (r.type !== 'error') throw new Error(`not refused: ${r.type}`);
    // The rejection's body is the message the peer reads.
    expect(new TextDecoder().decode(r.response).endsWith(`\r\n\r\n${r.error.message}`)).toBe(true);
    return r.error;
  };
}

/** The response of RFC 6455 §1.2, changed, as the client's error. */
function clientRefusal(changes: Record<string, string | null> = {}, extra: Field[] = [], statusLine = 'HTTP/1.1 101 Switching Protocols') {
  return () => {
    const base = { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Accept': computeAcceptKey(KEY) };
    const factory: ClientExtensionFactory = {
      name: 'x-test',
      offer: () => [],
      accept: () => ({ name: 'x-test', rsvBits: 0, encode: (f) => f, decode: (f) => f }),
    };
    const hs = new ClientHandshake({ url: 'ws://server.example.com/chat', key: KEY, subprotocols: ['chat', 'v2'], extensions: [factory] });
    const r = hs.receive(head(statusLine, fields(base, changes, extra)));
    if (r.type !== 'error') throw new Error(`not refused: ${r.type}`);
    return r.error;
  };
}

function parserRefusal(text: string, limits?: { maxHeadSize?: number; maxHeaderCount?: number; maxLineLength?: number }, response = false) {
  return () => {
    const r = (response ? HttpHeadParser.response(limits) : HttpHeadParser.request(limits)).push(ascii(text));
    if (r.type !== 'error') throw new Error(`not refused: ${r.type}`);
    return r.error;
  };
}

/** RFC 9220 §3's request map, changed, as the extended CONNECT server's error. */
function connectRefusal(changes: Record<string, string | null> = {}, extra: Field[] = []) {
  return () => {
    const base = { ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'https', ':path': '/chat', ':authority': 'server.example.com', 'sec-websocket-version': '13' };
    const r = new ServerConnectHandshake().receive(fields(base, changes, extra).flat());
    if (r.type !== 'error') throw new Error(`not refused: ${r.type}`);
    expect(new TextDecoder().decode(r.response.body)).toBe(r.error.message);
    return r.error;
  };
}

function connectClientRefusal(headers: Record<string, string>) {
  return () => {
    const r = new ClientConnectHandshake({ url: 'wss://server.example.com/chat', subprotocols: ['chat'] }).receive(headers);
    if (r.type !== 'error') throw new Error(`not refused: ${r.type}`);
    return r.error;
  };
}

const CASES: Record<string, Case[]> = {
  'ServerHandshake (RFC 6455 §4.2.1)': [
    ['a POST', serverRefusal({}, [], 'POST /chat HTTP/1.1'), 'method-not-allowed', /must be GET, not POST \(RFC 6455 §4\.2\.1 item 1\)/],
    ['HTTP/1.0', serverRefusal({}, [], 'GET /chat HTTP/1.0'), 'unsupported-http-version', /HTTP\/1\.1 .*not HTTP\/1\.0 \(RFC 6455 §4\.2\.1 item 1\)/],
    ['no Host', serverRefusal({ Host: null }), 'missing-host', /no Host header \(RFC 6455 §4\.2\.1 item 2\)/],
    ['two Host fields', serverRefusal({}, [['Host', 'other.example']]), 'invalid-host', /more than one Host header/],
    ['no Upgrade', serverRefusal({ Upgrade: null }), 'invalid-upgrade', /Upgrade header .*"websocket" \(RFC 6455 §4\.2\.1 item 3\)/],
    ['no Connection', serverRefusal({ Connection: null }), 'invalid-connection', /Connection header .*"Upgrade" \(RFC 6455 §4\.2\.1 item 4\)/],
    ['two keys', serverRefusal({}, [['Sec-WebSocket-Key', KEY]]), 'invalid-key', /more than one Sec-WebSocket-Key header/],
    ['a short key', serverRefusal({ 'Sec-WebSocket-Key': 'c2hvcnQ=' }), 'invalid-key', /Sec-WebSocket-Key .*16 bytes .*\(RFC 6455 §4\.2\.1 item 5\)/],
    ['version 8', serverRefusal({ 'Sec-WebSocket-Version': '8' }), 'unsupported-version', /Sec-WebSocket-Version .*13 \(RFC 6455 §4\.2\.1 item 6\)/],
    ['a subprotocol that is not a token', serverRefusal({}, [['Sec-WebSocket-Protocol', 'a b']]), 'invalid-subprotocol-header', /Sec-WebSocket-Protocol .*tokens \(RFC 6455 §4\.1 item 10\)/],
    ['a malformed extension list', serverRefusal({}, [['Sec-WebSocket-Extensions', 'x;']]), 'invalid-extensions-header', /Sec-WebSocket-Extensions is malformed \(RFC 6455 §9\.1\)/],
    ['two Origin fields', serverRefusal({}, [['Origin', 'http://a.example'], ['Origin', 'http://b.example']]), 'invalid-origin', /more than one Origin header/],
    ['a refused Origin', serverRefusal({}, [['Origin', 'http://evil.example']], undefined, { checkOrigin: () => false }), 'forbidden-origin', /Origin http:\/\/evil\.example is not allowed/],
    ['a body', serverRefusal({ 'Content-Length': '3' }), 'unexpected-body', /must not have a body/],
  ],
  'ClientHandshake (RFC 6455 §4.1)': [
    ['a 200', clientRefusal({}, [], 'HTTP/1.1 200 OK'), 'unexpected-status', /answered 200 OK, not 101 \(RFC 6455 §4\.1\)/],
    ['no Upgrade', clientRefusal({ Upgrade: null }), 'invalid-upgrade', /"Upgrade: websocket" \(RFC 6455 §4\.1, item 2/],
    ['no Connection', clientRefusal({ Connection: null }), 'invalid-connection', /"Connection: Upgrade" \(RFC 6455 §4\.1, item 3/],
    ['a wrong accept key', clientRefusal({ 'Sec-WebSocket-Accept': computeAcceptKey('AAAAAAAAAAAAAAAAAAAAAA==') }), 'invalid-accept', /Sec-WebSocket-Accept .*\(RFC 6455 §4\.1, item 4/],
    ['two subprotocols', clientRefusal({}, [['Sec-WebSocket-Protocol', 'chat, v2']]), 'invalid-subprotocol-header', /Sec-WebSocket-Protocol .*single token \(RFC 6455 §4\.2\.2 item 5\.4\)/],
    ['a subprotocol not offered', clientRefusal({}, [['Sec-WebSocket-Protocol', 'other']]), 'unexpected-subprotocol', /subprotocol other, .*not offered \(RFC 6455 §4\.1, item 6/],
    ['a malformed extension list', clientRefusal({}, [['Sec-WebSocket-Extensions', 'x-test;']]), 'invalid-extensions-header', /Sec-WebSocket-Extensions is malformed \(RFC 6455 §9\.1\)/],
    ['an extension not offered', clientRefusal({}, [['Sec-WebSocket-Extensions', 'x-other']]), 'unexpected-extension', /extension x-other, .*not offered .*\(RFC 6455 §4\.1, item 5/],
    ['an extension answered twice', clientRefusal({}, [['Sec-WebSocket-Extensions', 'x-test, x-test']]), 'unexpected-extension', /extension x-test, .*answered twice/],
  ],
  'HttpHeadParser (RFC 7230 §3) and its limits': [
    ['a control byte', parserRefusal('GET / HTTP/1.1\r\nX: \x01\r\n\r\n'), 'invalid-header-value', /Header X contains a control character \(RFC 7230 §3\.2\)/],
    ['a NUL before the line end', parserRefusal('GET / HTTP/1.1\x00'), 'invalid-characters', /control character \(RFC 7230 §3\)/],
    ['a bare LF', parserRefusal('GET / HTTP/1.1\nHost: a\n\n'), 'invalid-line-ending', /CRLF \(RFC 7230 §3\)/],
    ['obsolete line folding', parserRefusal('GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n'), 'obsolete-line-folding', /line folding, RFC 7230 §3\.2\.4/],
    ['whitespace before the colon', parserRefusal('GET / HTTP/1.1\r\nHost : a\r\n\r\n'), 'invalid-header-name', /field name .*\(RFC 7230 §3\.2\)/],
    ['a malformed request line', parserRefusal('GET /\r\n\r\n'), 'invalid-request-line', /request line .*\(RFC 7230 §3\.1\.1\)/],
    ['a malformed status line', parserRefusal('HTTP/1.1 OK\r\n\r\n', undefined, true), 'invalid-status-line', /status line .*\(RFC 7230 §3\.1\.2\)/],
    ['too many headers', parserRefusal(`GET / HTTP/1.1\r\n${'a: b\r\n'.repeat(3)}\r\n`, { maxHeaderCount: 2 }), 'too-many-headers', /more than 2 header fields/],
    ['a head over maxHeadSize', parserRefusal(`GET / HTTP/1.1\r\n${'a: b\r\n'.repeat(10)}\r\n`, { maxHeadSize: 40 }), 'head-too-large', /exceeds 40 bytes/],
    [
      'a head from another HTTP stack over maxHeadSize',
      () => {
        const r = HttpHeadParser.request({ maxHeadSize: 40 }).pushParsed('GET / HTTP/1.1', Array.from({ length: 10 }, (): Field => ['a', 'b']));
        if (r.type !== 'error') throw new Error('not refused');
        return r.error;
      },
      'head-too-large',
      /exceeds 40 bytes/,
    ],
    ['a long start line', parserRefusal(`GET /${'a'.repeat(100)} HTTP/1.1\r\n\r\n`, { maxLineLength: 50 }), 'start-line-too-long', /start line exceeds 50 bytes/],
    ['a long header line', parserRefusal(`GET / HTTP/1.1\r\nX: ${'a'.repeat(100)}\r\n\r\n`, { maxLineLength: 50 }), 'header-line-too-long', /header line exceeds 50 bytes/],
  ],
  'ServerConnectHandshake (RFC 8441 §4–§5, RFC 9113 §8)': [
    ['an unknown pseudo-header', connectRefusal({}, [[':status', '200']]), 'invalid-pseudo-header', /pseudo-header :status .*\(RFC 9113 §8\.3\)/],
    ['a GET', connectRefusal({ ':method': 'GET' }), 'method-not-allowed', /must be CONNECT, not GET \(RFC 8441 §4\)/],
    ['no :protocol', connectRefusal({ ':protocol': null }), 'missing-protocol', /without :protocol .*\(RFC 8441 §4\)/],
    ['another :protocol', connectRefusal({ ':protocol': 'webtransport' }), 'unsupported-protocol', /:protocol must be websocket, not webtransport \(RFC 8441 §5\)/],
    ['no :scheme', connectRefusal({ ':scheme': null }), 'invalid-scheme', /:scheme .*\(RFC 8441 §4, §5\)/],
    ['a relative :path', connectRefusal({ ':path': 'chat' }), 'invalid-path', /:path .*"\/" \(RFC 8441 §4, RFC 9113 §8\.3\.1\)/],
    ['no :authority nor Host', connectRefusal({ ':authority': null }), 'missing-host', /neither :authority nor Host \(RFC 9113 §8\.3\.1\)/],
    ['a Host other than :authority', connectRefusal({}, [['host', 'other.example']]), 'invalid-host', /Host differs from :authority \(RFC 9113 §8\.3\.1\)/],
    ['a Connection field', connectRefusal({}, [['connection', 'close']]), 'connection-specific-header', /connection-specific field Connection \(RFC 9113 §8\.2\.2, RFC 9114 §4\.2\)/i],
    ['TE other than trailers', connectRefusal({}, [['te', 'gzip']]), 'connection-specific-header', /connection-specific field TE \(RFC 9113 §8\.2\.2/],
  ],
  'ClientConnectHandshake (RFC 8441 §5)': [
    ['no :status', connectClientRefusal({ 'sec-websocket-protocol': 'chat' }), 'missing-status', /exactly one :status .*\(RFC 9113 §8\.3\.2\)/],
    ['a 403', connectClientRefusal({ ':status': '403' }), 'unexpected-status', /answered 403, not 2xx \(RFC 8441 §5, RFC 9113 §8\.5\)/],
  ],
};

for (const [side, cases] of Object.entries(CASES)) {
  describe(`${side}: every refusal names the field and the rule`, () => {
    for (const [what, refuse, reason, names] of cases) {
      it(`refuses ${what}: ${reason}, naming it`, () => {
        const error = refuse();
        expect(error).toBeInstanceOf(HandshakeError);
        // What a log shows before the message ("HandshakeError: …").
        expect(error.name).toBe('HandshakeError');
        expect(error.reason).toBe(reason);
        // A match asserted as data, so a failure shows the message (the runtimes' vitest shim has no toMatch).
        expect({ message: error.message, names: names.test(error.message) }).toEqual({ message: error.message, names: true });
      });
    }
  });
}
