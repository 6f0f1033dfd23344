/**
 * The server side of the opening handshake (RFC 6455 §4.2): every refusal
 * with its status, negotiation, and the 101 response.
 */
import { describe, expect, it } from 'vitest';
import {
  buildRejection,
  computeAcceptKey,
  HandshakeError,
  HttpHeadParser,
  isSameOrigin,
  ServerHandshake,
  type Extension,
  type ServerExtensionFactory,
  type ServerHandshakeOptions,
} from 'wscodec';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** A request from RFC 6455 §1.2, with `changes` replacing (or, for null, removing) fields. */
const request = (changes: Record<string, string | null> = {}, startLine = 'GET /chat HTTP/1.1', extra = '') => {
  const fields: Record<string, string | null> = {
    Host: 'server.example.com',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': KEY,
    Origin: 'http://example.com',
    'Sec-WebSocket-Version': '13',
    ...changes,
  };
  const lines = Object.entries(fields).filter(([, v]) => v !== null).map(([n, v]) => `${n}: ${v}\r\n`);
  return ascii(`${startLine}\r\n${lines.join('')}${extra}\r\n`);
};

const parseResponse = (bytes: Uint8Array) => {
  const r = HttpHeadParser.response().push(bytes);
  if (r.type !== 'head') throw new Error(`not a response head: ${latin1(bytes)}`);
  return { ...r.head, body: new TextDecoder().decode(r.rest) };
};

const receive = (bytes: Uint8Array, options?: ServerHandshakeOptions) => new ServerHandshake(options).receive(bytes);

/** A toy extension that claims RSV2, to exercise the negotiation hook. */
const toyExtension = (name: string): Extension => ({
  name,
  rsvBits: 0x20,
  decode: (frame) => frame,
  encode: (frame) => frame,
});
const toyFactory = (name: string, answer: (params: readonly (readonly [string, string | null])[]) => boolean = () => true): ServerExtensionFactory => ({
  name,
  accept: (params, accepted) =>
    answer(params) && !accepted.some((e) => e.rsvBits & 0x20) ? { params: [['mode', params[0]?.[1] ?? 'default']], extension: toyExtension(name) } : undefined,
});

describe('ServerHandshake: valid requests', () => {
  it('accepts the request of RFC 6455 §1.2 and answers 101 with the accept key', () => {
    const hs = new ServerHandshake();
    const result = hs.receive(request());
    expect(result.type).toBe('request');
    if (result.type !== 'request') return;
    expect(result.request).toMatchObject({ method: 'GET', target: '/chat', host: 'server.example.com', key: KEY, origin: 'http://example.com', subprotocols: [], extensions: [] });
    const { response, subprotocol, extensions } = hs.accept();
    expect(subprotocol).toBeUndefined();
    expect(extensions).toEqual([]);
    expect(latin1(response)).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
    );
  });

  it('reads Upgrade and Connection as case-insensitive token lists over repeated fields', () => {
    const r = receive(request({ Upgrade: 'h2c, WebSocket', Connection: 'keep-alive' }, 'GET / HTTP/1.1', 'connection: UPGRADE\r\n'));
    expect(r.type).toBe('request');
  });

  it('accepts HTTP/1.x versions above 1.1', () => {
    expect(receive(request({}, 'GET / HTTP/1.2')).type).toBe('request');
  });

  it('returns the bytes the client sent after its head', () => {
    const frame = [0x81, 0x80, 1, 2, 3, 4];
    const bytes = Uint8Array.from([...request(), ...frame]);
    const r = receive(bytes);
    expect(r.type === 'request' && Array.from(r.rest)).toEqual(frame);
  });

  it('throws a TypeError on receive after the request and on accept before it or twice', () => {
    const hs = new ServerHandshake();
    expect(() => hs.accept()).toThrow(TypeError);
    hs.receive(request());
    expect(() => hs.receive(ascii('x'))).toThrow(TypeError);
    hs.accept();
    expect(() => hs.accept()).toThrow(TypeError);
  });
});

describe('ServerHandshake: every refusal, with its status', () => {
  const cases: [string, Uint8Array, string, number, ServerHandshakeOptions?][] = [
    ['a method other than GET', request({}, 'POST /chat HTTP/1.1'), 'method-not-allowed', 405],
    ['HTTP/1.0', request({}, 'GET /chat HTTP/1.0'), 'unsupported-http-version', 400],
    ['HTTP/2.0', request({}, 'GET /chat HTTP/2.0'), 'unsupported-http-version', 400],
    ['no Host', request({ Host: null }), 'missing-host', 400],
    ['an empty Host', request({ Host: '' }), 'missing-host', 400],
    ['two Host fields', request({}, undefined, 'Host: other.example\r\n'), 'invalid-host', 400],
    ['no Upgrade', request({ Upgrade: null }), 'invalid-upgrade', 426],
    ['Upgrade without websocket', request({ Upgrade: 'h2c' }), 'invalid-upgrade', 426],
    ['no Connection', request({ Connection: null }), 'invalid-connection', 400],
    ['Connection without upgrade', request({ Connection: 'keep-alive' }), 'invalid-connection', 400],
    ['no key', request({ 'Sec-WebSocket-Key': null }), 'invalid-key', 400],
    ['a 15-byte key', request({ 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25j' }), 'invalid-key', 400],
    ['a 17-byte key', request({ 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZSE=' }), 'invalid-key', 400],
    ['a key that is not base64', request({ 'Sec-WebSocket-Key': 'not base64 at all here!!' }), 'invalid-key', 400],
    ['two keys', request({}, undefined, `Sec-WebSocket-Key: ${KEY}\r\n`), 'invalid-key', 400],
    ['no version', request({ 'Sec-WebSocket-Version': null }), 'unsupported-version', 426],
    ['version 8', request({ 'Sec-WebSocket-Version': '8' }), 'unsupported-version', 426],
    ['two versions', request({}, undefined, 'Sec-WebSocket-Version: 13\r\n'), 'unsupported-version', 426],
    ['a subprotocol list that is not tokens', request({ 'Sec-WebSocket-Protocol': 'chat, "x"' }), 'invalid-subprotocol-header', 400],
    ['a malformed extension list', request({ 'Sec-WebSocket-Extensions': 'permessage-deflate; =1' }), 'invalid-extensions-header', 400],
    ['two Origin fields', request({}, undefined, 'Origin: http://evil.example\r\n'), 'invalid-origin', 400],
    ['a body', request({ 'Content-Length': '5' }), 'unexpected-body', 400],
    ['chunked encoding', request({ 'Transfer-Encoding': 'chunked' }), 'unexpected-body', 400],
    ['a cross-origin page when same-origin is required', request(), 'forbidden-origin', 403, { checkOrigin: isSameOrigin }],
    ['an origin refused by the hook', request(), 'forbidden-origin', 403, { checkOrigin: () => false }],
    ['a malformed head', ascii('GET / HTTP/1.1\nHost: a\n\n'), 'invalid-line-ending', 400],
    ['too many headers', request({}, undefined, 'a: b\r\n'.repeat(100)), 'too-many-headers', 431],
    ['a head over the size limit', request({}, undefined, `X: ${'y'.repeat(20_000)}\r\n`), 'header-line-too-long', 431],
    ['a head over a custom size limit', request(), 'head-too-large', 431, { limits: { maxHeadSize: 100 } }],
    ['a target over the line limit', request({}, `GET /${'a'.repeat(9000)} HTTP/1.1`), 'start-line-too-long', 414],
  ];
  for (const [what, bytes, reason, status, options] of cases) {
    it(`refuses ${what}: ${reason}, ${status}`, () => {
      const result = receive(bytes, options);
      expect(result.type).toBe('error');
      if (result.type !== 'error') return;
      expect(result.error).toBeInstanceOf(HandshakeError);
      expect([result.error.reason, result.error.status]).toEqual([reason, status]);
      const response = parseResponse(result.response);
      expect(response.status).toBe(status);
      expect(response.headers.get('connection')?.toLowerCase()).toContain('close');
      expect(response.body).toBe(result.error.message);
      expect(Number(response.headers.get('content-length'))).toBe(new TextEncoder().encode(result.error.message).length);
    });
  }

  it('refuses a request without Origin that the origin hook refuses with 403, saying that no origin was sent (RFC 6455 §10.2)', () => {
    const result = receive(request({ Origin: null }), { checkOrigin: () => false });
    expect(result.type === 'error' && [result.error.reason, result.error.status]).toEqual(['forbidden-origin', 403]);
    expect(result.type === 'error' && result.error.message).toContain('Origin (none) is not allowed');
  });

  it('answers 426 with Sec-WebSocket-Version: 13 and Upgrade: websocket (RFC 6455 §4.2.2 item 4)', () => {
    const result = receive(request({ 'Sec-WebSocket-Version': '8' }));
    if (result.type !== 'error') throw new Error('expected an error');
    const response = parseResponse(result.response);
    expect(response.headers.get('sec-websocket-version')).toBe('13');
    expect(response.headers.get('upgrade')).toBe('websocket');
  });

  it('answers 405 with Allow: GET', () => {
    const result = receive(request({}, 'PUT / HTTP/1.1'));
    if (result.type !== 'error') throw new Error('expected an error');
    expect(parseResponse(result.response).headers.get('allow')).toBe('GET');
  });

  it('accepts Content-Length: 0, which announces no body (RFC 7230 §3.3.2)', () => {
    expect(receive(request({ 'Content-Length': '0' })).type).toBe('request');
  });

  it('returns the same error for later chunks', () => {
    const hs = new ServerHandshake();
    const first = hs.receive(request({ Upgrade: null }));
    expect(hs.receive(request())).toBe(first);
  });
});

describe('ServerHandshake: negotiation', () => {
  it('chooses the first of its own subprotocols that the client offered', () => {
    const hs = new ServerHandshake({ subprotocols: ['v3', 'v2', 'v1'] });
    hs.receive(request({ 'Sec-WebSocket-Protocol': 'v1, v2' }));
    const { response, subprotocol } = hs.accept();
    expect(subprotocol).toBe('v2');
    expect(parseResponse(response).headers.getAll('sec-websocket-protocol')).toEqual(['v2']);
  });

  it('sends no Sec-WebSocket-Protocol when nothing matches', () => {
    const hs = new ServerHandshake({ subprotocols: ['v3'] });
    hs.receive(request({ 'Sec-WebSocket-Protocol': 'v1' }));
    const { response, subprotocol } = hs.accept();
    expect(subprotocol).toBeUndefined();
    expect(parseResponse(response).headers.has('sec-websocket-protocol')).toBe(false);
  });

  it('lets a selector choose, and refuses a choice the client did not offer', () => {
    const chooser = new ServerHandshake({ subprotocols: (offered) => offered[offered.length - 1] });
    chooser.receive(request({ 'Sec-WebSocket-Protocol': 'a, b, c' }));
    expect(chooser.accept().subprotocol).toBe('c');
    const liar = new ServerHandshake({ subprotocols: () => 'z' });
    liar.receive(request({ 'Sec-WebSocket-Protocol': 'a' }));
    expect(() => liar.accept()).toThrow(TypeError);
  });

  it('sends no Sec-WebSocket-Protocol when the selector chooses none (RFC 6455 §4.2.2 item 5.4: the field is optional)', () => {
    const hs = new ServerHandshake({ subprotocols: () => undefined });
    hs.receive(request({ 'Sec-WebSocket-Protocol': 'a, b' }));
    const { response, subprotocol } = hs.accept();
    expect(subprotocol).toBeUndefined();
    expect(parseResponse(response).headers.has('sec-websocket-protocol')).toBe(false);
  });

  it('refuses subprotocol options that are not tokens', () => {
    expect(() => new ServerHandshake({ subprotocols: ['a b'] })).toThrow(TypeError);
  });

  it('negotiates extensions through the factories, one offer per extension, in the client order', () => {
    const hs = new ServerHandshake({ extensions: [toyFactory('x-other'), toyFactory('x-toy', (p) => p.length > 0)] });
    const r = hs.receive(request({ 'Sec-WebSocket-Extensions': 'x-unknown, x-toy, x-toy; mode=fast, x-toy; mode=slow, x-other' }));
    expect(r.type === 'request' && r.request.extensions.map((e) => e.name)).toEqual(['x-unknown', 'x-toy', 'x-toy', 'x-toy', 'x-other']);
    const { response, extensions } = hs.accept();
    // x-toy declines its first offer (no params) and takes the second; x-other then
    // declines because RSV2 is taken (the factory sees what was accepted so far).
    expect(extensions.map((e) => e.name)).toEqual(['x-toy']);
    expect(parseResponse(response).headers.get('sec-websocket-extensions')).toBe('x-toy; mode=fast');
  });

  it('answers at most one offer of an extension, the first it accepts, even when the factory would take them all (RFC 6455 §9.1)', () => {
    const takesAll: ServerExtensionFactory = { name: 'x-any', accept: (params) => ({ params: [...params], extension: { ...toyExtension('x-any'), rsvBits: 0 } }) };
    const hs = new ServerHandshake({ extensions: [takesAll] });
    hs.receive(request({ 'Sec-WebSocket-Extensions': 'x-any; a=1, x-any; a=2' }));
    const { response, extensions } = hs.accept();
    expect(extensions.map((e) => e.name)).toEqual(['x-any']);
    expect(parseResponse(response).headers.get('sec-websocket-extensions')).toBe('x-any; a=1');
  });

  it('declines every offer when it has no factories (e.g. Chromium permessage-deflate)', () => {
    const hs = new ServerHandshake();
    hs.receive(request({ 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' }));
    const { response, extensions } = hs.accept();
    expect(extensions).toEqual([]);
    expect(parseResponse(response).headers.has('sec-websocket-extensions')).toBe(false);
  });

  it('adds extra headers to the 101, and refuses ones the handshake owns or that would inject', () => {
    const hs = new ServerHandshake({ headers: { 'X-Server': 'wscodec' } });
    hs.receive(request());
    const { response } = hs.accept([['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']]);
    const head = parseResponse(response);
    expect(head.headers.get('x-server')).toBe('wscodec');
    expect(head.headers.getAll('set-cookie')).toEqual(['a=1', 'b=2']);
    expect(() => new ServerHandshake({ headers: { 'Sec-WebSocket-Accept': 'x' } })).toThrow(TypeError);
    expect(() => new ServerHandshake({ headers: { 'X-A': 'ok\r\nX-Injected: 1' } })).toThrow(TypeError);
    const late = new ServerHandshake();
    late.receive(request());
    expect(() => late.accept({ upgrade: 'other' })).toThrow(TypeError);
  });
});

describe('buildRejection', () => {
  it('builds a complete response with a plain-text body', () => {
    const head = parseResponse(buildRejection(401, 'sign in first', { 'WWW-Authenticate': 'Bearer' }));
    expect([head.status, head.reason, head.body]).toEqual([401, 'Unauthorized', 'sign in first']);
    expect(head.headers.get('www-authenticate')).toBe('Bearer');
    expect(head.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });
  it('counts the body in bytes, not characters', () => {
    const bytes = buildRejection(400, 'café');
    expect(parseResponse(bytes).headers.get('content-length')).toBe('5');
  });
  it('sends an empty reason phrase for a status without a registered one (RFC 7230 §3.1.2: the reason phrase may be empty)', () => {
    const head = parseResponse(buildRejection(599, 'no phrase'));
    expect([head.status, head.reason, head.body]).toEqual([599, '', 'no phrase']);
    expect(latin1(buildRejection(599)).startsWith('HTTP/1.1 599 \r\n')).toBe(true);
  });
  it('carries Upgrade and Sec-WebSocket-Version only on a 426, Allow only on a 405, and an empty body by default', () => {
    const fieldsOf = (bytes: Uint8Array) => [...parseResponse(bytes).headers].map(([name, value]) => `${name}: ${value}`);
    expect(fieldsOf(buildRejection(403))).toEqual(['Connection: close', 'Content-Type: text/plain; charset=utf-8', 'Content-Length: 0']);
    // RFC 7230 §6.7: a sender of Upgrade lists it in Connection; RFC 6455 §4.2.2 item 4: the versions the server speaks.
    expect(fieldsOf(buildRejection(426))).toEqual([
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      'Connection: Upgrade, close',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Length: 0',
    ]);
    expect(fieldsOf(buildRejection(405))).toEqual(['Allow: GET', 'Connection: close', 'Content-Type: text/plain; charset=utf-8', 'Content-Length: 0']);
  });
  it('refuses extra headers that would contradict the ones it computes (Connection, Content-Length, Content-Type)', () => {
    for (const name of ['Connection', 'content-length', 'Content-Type']) expect(() => buildRejection(400, 'x', { [name]: '1' })).toThrow(/set by the handshake itself/);
  });
  it('takes every status from 300 to 599', () => {
    expect(parseResponse(buildRejection(300)).status).toBe(300);
    expect(parseResponse(buildRejection(599)).status).toBe(599);
  });
  it('refuses statuses outside 300–599 and injected headers', () => {
    expect(() => buildRejection(101)).toThrow(RangeError);
    expect(() => buildRejection(600)).toThrow(RangeError);
    expect(() => buildRejection(403, '', { 'X-A': 'a\nb' })).toThrow(TypeError);
  });
});

describe('isSameOrigin', () => {
  const at = (host: string) => ({ host });
  it('accepts requests without Origin and from the same host and port', () => {
    expect(isSameOrigin(undefined, at('example.com'))).toBe(true);
    expect(isSameOrigin('http://example.com', at('Example.COM'))).toBe(true);
    expect(isSameOrigin('https://example.com:8443', at('example.com:8443'))).toBe(true);
    expect(isSameOrigin('https://example.com', at('example.com:443'))).toBe(true);
    expect(isSameOrigin('http://[::1]:8080', at('[::1]:8080'))).toBe(true);
    expect(isSameOrigin('http://example.com', at('example.com:80'))).toBe(true);
  });
  it('tells the default ports of http (80) and https (443) apart', () => {
    expect(isSameOrigin('http://example.com', at('example.com:443'))).toBe(false);
    expect(isSameOrigin('https://example.com', at('example.com:80'))).toBe(false);
  });
  it('refuses other hosts, other ports, opaque and malformed origins', () => {
    expect(isSameOrigin('http://evil.example', at('example.com'))).toBe(false);
    expect(isSameOrigin('http://example.com:8080', at('example.com'))).toBe(false);
    expect(isSameOrigin('http://example.com.evil.example', at('example.com'))).toBe(false);
    expect(isSameOrigin('null', at('example.com'))).toBe(false);
    expect(isSameOrigin('file:///etc', at('example.com'))).toBe(false);
    // An origin is a scheme, host and port (RFC 6454 §4): a page that is not http(s) is never the server's own.
    expect(isSameOrigin('ftp://example.com', at('example.com'))).toBe(false);
    expect(isSameOrigin('chrome-extension://example.com', at('example.com'))).toBe(false);
  });
  it('computes the accept key of the request the response answers', () => {
    const hs = new ServerHandshake();
    const key = 'x3JJHMbDL1EzLkh9GBhXDw==';
    hs.receive(request({ 'Sec-WebSocket-Key': key }));
    expect(parseResponse(hs.accept().response).headers.get('sec-websocket-accept')).toBe(computeAcceptKey(key));
  });
});
