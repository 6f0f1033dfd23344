/**
 * The client side of the opening handshake (RFC 6455 §4.1): the request it
 * builds, and every way a server's response can fail validation.
 */
import { describe, expect, it } from 'vitest';
import {
  ClientHandshake,
  computeAcceptKey,
  HandshakeError,
  HttpHeadParser,
  type ClientExtensionFactory,
  type ClientHandshakeOptions,
  type Extension,
} from 'wscodec/handshake';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

const parseRequest = (bytes: Uint8Array) => {
  const r = HttpHeadParser.request().push(bytes);
  if (r.type !== 'head') throw new Error(`not a request head: ${latin1(bytes)}`);
  expect(r.rest).toHaveLength(0);
  return r.head;
};

/** The response of RFC 6455 §1.2, with `changes` replacing (or, for null, removing) fields. */
const response = (changes: Record<string, string | null> = {}, statusLine = 'HTTP/1.1 101 Switching Protocols', extra = '') => {
  const fields: Record<string, string | null> = {
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Accept': ACCEPT,
    ...changes,
  };
  const lines = Object.entries(fields).filter(([, v]) => v !== null).map(([n, v]) => `${n}: ${v}\r\n`);
  return ascii(`${statusLine}\r\n${lines.join('')}${extra}\r\n`);
};

/** A toy extension factory, to exercise the negotiation hook. */
const toyFactory = (name: string): ClientExtensionFactory => ({
  name,
  offer: () => [['mode', 'fast'], ['flag', null]],
  accept: (params): Extension => {
    if (params.some(([p]) => p !== 'mode')) throw new HandshakeError('invalid-extension-params', `${name}: unknown parameter`);
    return { name, rsvBits: 0x20, decode: (f) => f, encode: (f) => f };
  },
});

const client = (options: Partial<ClientHandshakeOptions> = {}) => new ClientHandshake({ url: 'ws://server.example.com/chat', key: KEY, ...options });

describe('ClientHandshake: the request', () => {
  it('builds the request of RFC 6455 §4.1', () => {
    const hs = client({ subprotocols: ['chat', 'superchat'], headers: { Origin: 'http://example.com' } });
    expect(latin1(hs.request())).toBe(
      'GET /chat HTTP/1.1\r\n' +
        'Host: server.example.com\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${KEY}\r\n` +
        'Sec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Protocol: chat, superchat\r\n' +
        'Origin: http://example.com\r\n' +
        '\r\n',
    );
  });

  it('sends no Sec-WebSocket-Protocol or Sec-WebSocket-Extensions when it offers none (RFC 6455 §4.1 items 10 and 11: optional fields)', () => {
    const head = parseRequest(client({ subprotocols: [], extensions: [] }).request());
    expect([head.headers.has('sec-websocket-protocol'), head.headers.has('sec-websocket-extensions')]).toEqual([false, false]);
  });

  it('generates a fresh key by default', () => {
    const a = new ClientHandshake({ url: 'ws://a/' });
    const b = new ClientHandshake({ url: 'ws://a/' });
    expect(a.key).not.toBe(b.key);
    expect(parseRequest(a.request()).headers.get('sec-websocket-key')).toBe(a.key);
  });

  it('derives Host, target and endpoint from URLs and parts', () => {
    const cases: [ClientHandshakeOptions['url'], string, string, { hostname: string; port: number; secure: boolean }][] = [
      ['ws://example.com', 'example.com', '/', { hostname: 'example.com', port: 80, secure: false }],
      ['wss://example.com:443/a?b=c', 'example.com', '/a?b=c', { hostname: 'example.com', port: 443, secure: true }],
      ['ws://127.0.0.1:8080/x', '127.0.0.1:8080', '/x', { hostname: '127.0.0.1', port: 8080, secure: false }],
      ['https://[::1]:9000/', '[::1]:9000', '/', { hostname: '::1', port: 9000, secure: true }],
      // http: is read as ws: (as the WHATWG WebSocket constructor does), keeping host, port and target.
      ['http://example.com:8080/a?b', 'example.com:8080', '/a?b', { hostname: 'example.com', port: 8080, secure: false }],
      [new URL('ws://Example.COM/p%20q'), 'example.com', '/p%20q', { hostname: 'example.com', port: 80, secure: false }],
      [{ host: 'localhost:3000', path: '/chat?x=1' }, 'localhost:3000', '/chat?x=1', { hostname: 'localhost', port: 3000, secure: false }],
      [{ host: 'example.com', secure: true }, 'example.com', '/', { hostname: 'example.com', port: 443, secure: true }],
    ];
    for (const [url, host, target, endpoint] of cases) {
      const hs = new ClientHandshake({ url });
      const head = parseRequest(hs.request());
      expect([head.headers.get('host'), head.target]).toEqual([host, target]);
      expect(hs.endpoint).toEqual(endpoint);
    }
  });

  it('offers extensions through the factories', () => {
    const hs = client({ extensions: [toyFactory('x-toy'), toyFactory('x-two')] });
    expect(parseRequest(hs.request()).headers.get('sec-websocket-extensions')).toBe('x-toy; mode=fast; flag, x-two; mode=fast; flag');
  });

  it('refuses invalid options with a TypeError', () => {
    const bad: Partial<ClientHandshakeOptions>[] = [
      { url: 'http//no-scheme' },
      { url: 'ftp://example.com/' },
      { url: 'ws://example.com/#frag' },
      { url: 'ws://example.com/#' }, // an empty fragment is still a fragment (RFC 6455 §3: "#" must be escaped)
      { url: 'ws://user:pass@example.com/' },
      { url: 'ws://user@example.com/' },
      { url: 'ws://:secret@example.com/' },
      { url: { host: 'example.com', path: 'no-slash' } },
      { url: { host: 'exa mple.com' } },
      { url: 'ws://exa%20mple.com/' },
      { url: { host: 'a<b>.example' } },
      { subprotocols: ['a b'] },
      { subprotocols: ['chat', 'chat'] },
      { key: 'short' },
      { extensions: [toyFactory('x'), toyFactory('x')] },
      { headers: { 'Sec-WebSocket-Key': KEY } },
      { headers: { host: 'other' } },
      { headers: { 'X-Evil': 'a\r\nHost: evil' } },
      { headers: [['Bad Name', 'v']] },
    ];
    for (const options of bad) expect(() => client(options)).toThrow(TypeError);
  });

  it('refuses a host that is neither an IP literal nor a reg-name (RFC 3986 §3.2.2), naming it, even where the URL parser lets it through', () => {
    // WHATWG URL parsers keep these characters in a host; RFC 3986 does not allow them in one.
    for (const url of ['ws://a"b.example/', 'ws://a{b}.example/', { host: 'a`b.example' }]) {
      expect(() => client({ url })).toThrow(TypeError);
      expect(() => client({ url })).toThrow(/host/);
    }
  });

  it('returns a copy of the request each time', () => {
    const hs = client();
    hs.request().fill(0);
    expect(latin1(hs.request()).startsWith('GET /chat HTTP/1.1\r\n')).toBe(true);
  });
});

describe('ClientHandshake: the response', () => {
  it('accepts the response of RFC 6455 §1.2 and returns the bytes after it', () => {
    const frame = [0x81, 0x02, 0x68, 0x69];
    const hs = client();
    const r = hs.receive(Uint8Array.from([...response({}, undefined, 'Set-Cookie: a=1\r\n'), ...frame]));
    expect(r.type).toBe('accepted');
    if (r.type !== 'accepted') return;
    expect(r.subprotocol).toBeUndefined();
    expect(r.extensions).toEqual([]);
    expect(r.response.headers.get('set-cookie')).toBe('a=1');
    expect(Array.from(r.rest)).toEqual(frame);
    expect(() => hs.receive(ascii('x'))).toThrow(TypeError);
  });

  it('accepts at every split of the response', () => {
    const bytes = response({ 'Sec-WebSocket-Protocol': 'chat' });
    for (let cut = 0; cut <= bytes.length; cut++) {
      const hs = client({ subprotocols: ['chat'] });
      const first = hs.receive(bytes.subarray(0, cut));
      const r = first.type === 'incomplete' ? hs.receive(bytes.subarray(cut)) : first;
      expect(r.type === 'accepted' && r.subprotocol).toBe('chat');
    }
  });

  it('reads Upgrade and Connection case-insensitively', () => {
    expect(client().receive(response({ Upgrade: 'WebSocket', Connection: 'keep-alive, UPGRADE' })).type).toBe('accepted');
  });

  it('negotiates extensions through the factories, in the server order', () => {
    const hs = client({ extensions: [toyFactory('x-toy'), toyFactory('x-two')] });
    const r = hs.receive(response({ 'Sec-WebSocket-Extensions': 'x-two; mode=slow, x-toy' }));
    expect(r.type === 'accepted' && r.extensions.map((e) => e.name)).toEqual(['x-two', 'x-toy']);
  });

  const failures: [string, Uint8Array, string, Partial<ClientHandshakeOptions>?][] = [
    ['a 200', response({}, 'HTTP/1.1 200 OK'), 'unexpected-status'],
    ['a 426', response({ 'Sec-WebSocket-Version': '13' }, 'HTTP/1.1 426 Upgrade Required'), 'unexpected-status'],
    ['no Upgrade', response({ Upgrade: null }), 'invalid-upgrade'],
    ['Upgrade: h2c', response({ Upgrade: 'h2c' }), 'invalid-upgrade'],
    // RFC 6455 §4.1: any value other than websocket fails the connection, even beside it.
    ['Upgrade: h2c, websocket', response({ Upgrade: 'h2c, websocket' }), 'invalid-upgrade'],
    ['no Connection', response({ Connection: null }), 'invalid-connection'],
    ['Connection: close', response({ Connection: 'close' }), 'invalid-connection'],
    ['no accept key', response({ 'Sec-WebSocket-Accept': null }), 'invalid-accept'],
    ['a wrong accept key', response({ 'Sec-WebSocket-Accept': computeAcceptKey('x3JJHMbDL1EzLkh9GBhXDw==') }), 'invalid-accept'],
    ['two accept keys', response({}, undefined, `Sec-WebSocket-Accept: ${ACCEPT}\r\n`), 'invalid-accept'],
    ['a subprotocol when none was offered', response({ 'Sec-WebSocket-Protocol': 'chat' }), 'unexpected-subprotocol'],
    ['a subprotocol that was not offered', response({ 'Sec-WebSocket-Protocol': 'other' }), 'unexpected-subprotocol', { subprotocols: ['chat'] }],
    ['two subprotocols', response({ 'Sec-WebSocket-Protocol': 'chat, v2' }), 'invalid-subprotocol-header', { subprotocols: ['chat', 'v2'] }],
    ['a malformed extension list', response({ 'Sec-WebSocket-Extensions': 'x-toy;' }), 'invalid-extensions-header', { extensions: [toyFactory('x-toy')] }],
    ['an extension when none was offered', response({ 'Sec-WebSocket-Extensions': 'permessage-deflate' }), 'unexpected-extension'],
    ['an extension twice', response({ 'Sec-WebSocket-Extensions': 'x-toy, x-toy' }), 'unexpected-extension', { extensions: [toyFactory('x-toy')] }],
    ['extension parameters the factory refuses', response({ 'Sec-WebSocket-Extensions': 'x-toy; bogus' }), 'invalid-extension-params', { extensions: [toyFactory('x-toy')] }],
    ['a malformed status line', ascii('HTTP/1.1 OK\r\n\r\n'), 'invalid-status-line'],
    ['a header line without a colon', response({}, undefined, 'garbage\r\n'), 'invalid-header-name'],
  ];
  for (const [what, bytes, reason, options] of failures) {
    it(`fails on ${what}: ${reason}`, () => {
      const hs = client(options);
      const r = hs.receive(bytes);
      expect(r.type).toBe('error');
      if (r.type !== 'error') return;
      expect(r.error).toBeInstanceOf(HandshakeError);
      expect(r.error.reason).toBe(reason);
      expect(hs.receive(ascii('more'))).toBe(r); // the failure stays
    });
  }

  it('lets an error other than a HandshakeError from an extension factory propagate: a bug in the factory, not a bad peer', () => {
    const buggy: ClientExtensionFactory = {
      name: 'x-buggy',
      offer: () => [],
      accept: () => {
        throw new RangeError('bug in the factory');
      },
    };
    expect(() => client({ extensions: [buggy] }).receive(response({ 'Sec-WebSocket-Extensions': 'x-buggy' }))).toThrow(RangeError);
  });

  it('gives the response head with an unexpected status, e.g. to follow a redirect', () => {
    const r = client().receive(response({ Location: 'ws://elsewhere/' }, 'HTTP/1.1 302 Found'));
    expect(r.type === 'error' && r.response?.status).toBe(302);
    expect(r.type === 'error' && r.response?.headers.get('location')).toBe('ws://elsewhere/');
  });
});
