/**
 * Heads parsed by another HTTP stack (`ServerHandshake.receiveRequest`,
 * `ClientHandshake.receiveResponse`): headers in each of the three shapes
 * (WHATWG `Headers`, Node's `IncomingHttpHeaders` object, Node's flat
 * `rawHeaders`) give the same result as the same head sent as bytes — the
 * same request, the same `101`, and for a bad request the same error, status
 * and rejection bytes.
 */
import { describe, expect, it } from 'vitest';
import {
  ClientHandshake,
  computeAcceptKey,
  isSameOrigin,
  ServerHandshake,
  type ParsedHeaders,
  type ServerHandshakeOptions,
} from 'wscodec';
import { ascii } from '../helpers/bytes.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
type Field = [string, string];

/** The RFC 6455 §1.2 request's fields, with `changes` replacing (or, for null, removing) fields. */
function fields(changes: Record<string, string | null> = {}, extra: Field[] = []): Field[] {
  const base: Record<string, string | null> = {
    Host: 'server.example.com',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': KEY,
    Origin: 'http://example.com',
    'Sec-WebSocket-Protocol': 'chat, superchat',
    'Sec-WebSocket-Version': '13',
    ...changes,
  };
  return [...Object.entries(base).filter((f): f is Field => f[1] !== null), ...extra];
}

const head = (startLine: string, list: Field[]) => ascii(`${startLine}\r\n${list.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`);

/** The three shapes of the same fields; `Headers` only where it can hold them (unique, valid names and values). */
function shapes(list: Field[]): [string, ParsedHeaders][] {
  const object: Record<string, string | string[]> = {};
  for (const [name, value] of list) {
    const key = name.toLowerCase(); // as Node gives it
    const prior = object[key];
    object[key] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  const out: [string, ParsedHeaders][] = [
    ['rawHeaders', list.flat()],
    ['IncomingHttpHeaders', object],
    // A Headers-like object typed without DOM.Iterable: read through forEach.
    ['forEach', { forEach: (callback: (value: string, name: string) => void) => list.forEach(([n, v]) => callback(v, n)) }],
  ];
  const names = new Set(list.map(([n]) => n.toLowerCase()));
  if (names.size === list.length) {
    try {
      out.push(['Headers', new Headers(list)]);
    } catch {
      // Headers refuses invalid names and values itself: that shape cannot carry this request.
    }
  }
  return out;
}

describe('ServerHandshake.receiveRequest', () => {
  it('takes headers in all three shapes and gives the same request and 101 as the bytes', () => {
    const list = fields({}, [['Sec-WebSocket-Extensions', 'x-test; a=1']]);
    const options: ServerHandshakeOptions = { subprotocols: ['superchat'] };
    const viaBytes = new ServerHandshake(options);
    const fromBytes = viaBytes.receive(head('GET /chat?room=1 HTTP/1.1', list));
    expect(fromBytes.type).toBe('request');
    const expected = viaBytes.accept().response;
    for (const [shape, headers] of shapes(list)) {
      const hs = new ServerHandshake(options);
      const r = hs.receiveRequest({ method: 'GET', target: '/chat?room=1', headers });
      if (r.type !== 'request') throw new Error(`${shape}: ${r.error.reason}`);
      expect(r.request, shape).toMatchObject({
        method: 'GET',
        target: '/chat?room=1',
        version: 'HTTP/1.1',
        host: 'server.example.com',
        key: KEY,
        origin: 'http://example.com',
        subprotocols: ['chat', 'superchat'],
        extensions: [{ name: 'x-test', params: [['a', '1']] }],
      });
      expect(r.rest).toHaveLength(0);
      const { response, subprotocol } = hs.accept();
      expect(subprotocol).toBe('superchat');
      expect(response, shape).toEqual(expected);
      expect(new TextDecoder().decode(response)).toContain(`Sec-WebSocket-Accept: ${computeAcceptKey(KEY)}\r\n`);
    }
  });

  it('joins repeated fields as the byte path does (a string[] value, or repeats in rawHeaders)', () => {
    const list = fields({ 'Sec-WebSocket-Protocol': null }, [
      ['Sec-WebSocket-Protocol', 'a'],
      ['Sec-WebSocket-Protocol', 'b, c'],
    ]);
    for (const [shape, headers] of shapes(list)) {
      const r = new ServerHandshake().receiveRequest({ method: 'GET', target: '/', headers });
      expect(r.type === 'request' && r.request.subprotocols, shape).toEqual(['a', 'b', 'c']);
    }
  });

  const long = 'x'.repeat(7000);
  /** Bad requests: each must get the same refusal whichever path it takes. */
  const BAD: { name: string; reason: string; status: number; method?: string; target?: string; version?: string; list: Field[]; options?: ServerHandshakeOptions }[] = [
    { name: 'wrong method', reason: 'method-not-allowed', status: 405, method: 'POST', list: fields() },
    { name: 'HTTP/1.0', reason: 'unsupported-http-version', status: 400, version: 'HTTP/1.0', list: fields() },
    { name: 'no Host', reason: 'missing-host', status: 400, list: fields({ Host: null }) },
    { name: 'two Host fields', reason: 'invalid-host', status: 400, list: fields({}, [['Host', 'other.example']]) },
    { name: 'no Upgrade', reason: 'invalid-upgrade', status: 426, list: fields({ Upgrade: null }) },
    { name: 'Connection without upgrade', reason: 'invalid-connection', status: 400, list: fields({ Connection: 'keep-alive' }) },
    { name: 'bad key', reason: 'invalid-key', status: 400, list: fields({ 'Sec-WebSocket-Key': 'short' }) },
    { name: 'version 8', reason: 'unsupported-version', status: 426, list: fields({ 'Sec-WebSocket-Version': '8' }) },
    { name: 'subprotocol not a token', reason: 'invalid-subprotocol-header', status: 400, list: fields({ 'Sec-WebSocket-Protocol': 'a b' }) },
    { name: 'malformed extensions', reason: 'invalid-extensions-header', status: 400, list: fields({}, [['Sec-WebSocket-Extensions', 'x; =1']]) },
    { name: 'two Origin fields', reason: 'invalid-origin', status: 400, list: fields({}, [['Origin', 'http://evil.example']]) },
    { name: 'a body', reason: 'unexpected-body', status: 400, list: fields({}, [['Content-Length', '5']]) },
    {
      name: 'a foreign origin',
      reason: 'forbidden-origin',
      status: 403,
      list: fields({ Origin: 'http://evil.example' }),
      options: { checkOrigin: isSameOrigin },
    },
    { name: 'too many fields', reason: 'too-many-headers', status: 431, list: fields({}, Array.from({ length: 100 }, (_, i): Field => [`X-${i}`, 'v'])) },
    { name: 'a field line over the limit', reason: 'header-line-too-long', status: 431, list: fields({}, [['Cookie', `${long}${long}`]]) },
    { name: 'a head over the limit', reason: 'head-too-large', status: 431, list: fields({}, [['X-A', long], ['X-B', long], ['X-C', long]]) },
    { name: 'a target over the limit', reason: 'start-line-too-long', status: 414, target: `/${'p'.repeat(9000)}`, list: fields() },
    { name: 'a target with a space', reason: 'invalid-request-line', status: 400, target: '/a b', list: fields() },
    { name: 'a field name that is not a token', reason: 'invalid-header-name', status: 400, list: fields({}, [['Bad Name', 'x']]) },
    { name: 'a control character in a value', reason: 'invalid-header-value', status: 400, list: fields({}, [['X-Ctl', 'a\x01b']]) },
  ];

  for (const bad of BAD) {
    it(`refuses ${bad.name} with the same error and rejection bytes as the byte path`, () => {
      const method = bad.method ?? 'GET';
      const target = bad.target ?? '/chat';
      const version = bad.version ?? 'HTTP/1.1';
      const viaBytes = new ServerHandshake(bad.options).receive(head(`${method} ${target} ${version}`, bad.list));
      if (viaBytes.type !== 'error') throw new Error(`the byte path accepted ${bad.name}`);
      expect([viaBytes.error.reason, viaBytes.error.status]).toEqual([bad.reason, bad.status]);
      for (const [shape, headers] of shapes(bad.list)) {
        const r = new ServerHandshake(bad.options).receiveRequest({ method, target, version, headers });
        if (r.type !== 'error') throw new Error(`${shape} accepted ${bad.name}`);
        // Node's header object has lower-case names; a message naming the field follows its spelling.
        const same = (text: string) => (shape === 'rawHeaders' ? text : text.toLowerCase());
        expect({ shape, reason: r.error.reason, status: r.error.status, message: same(r.error.message) }).toEqual({
          shape,
          reason: viaBytes.error.reason,
          status: viaBytes.error.status,
          message: same(viaBytes.error.message),
        });
        if (r.error.message === viaBytes.error.message) expect(r.response).toEqual(viaBytes.response);
      }
    });
  }

  it('applies the limits given to the constructor (no "incomplete": the head is whole)', () => {
    const limits = { maxHeaderCount: 8 };
    const r = new ServerHandshake({ limits }).receiveRequest({ method: 'GET', target: '/', headers: fields().flat() });
    expect(r.type).toBe('request');
    const over = new ServerHandshake({ limits }).receiveRequest({ method: 'GET', target: '/', headers: fields({}, [['A', '1'], ['B', '2']]).flat() });
    expect(over.type === 'error' && over.error.reason).toBe('too-many-headers');
  });

  it('trims spaces around values as a parser does, and skips undefined values of a header object', () => {
    const headers: Record<string, string | undefined> = Object.fromEntries(fields().map(([n, v]) => [n.toLowerCase(), ` ${v}\t`]));
    headers['x-absent'] = undefined;
    const r = new ServerHandshake().receiveRequest({ method: 'GET', target: '/', headers });
    expect(r.type === 'request' && r.request.host).toBe('server.example.com');
  });

  it('throws a TypeError for headers that are none of the shapes, and for a second head', () => {
    expect(() => new ServerHandshake().receiveRequest({ method: 'GET', target: '/', headers: ['Host'] })).toThrow(TypeError);
    expect(() => new ServerHandshake().receiveRequest({ method: 'GET', target: '/', headers: { host: true } as unknown as ParsedHeaders })).toThrow(TypeError);
    const once = new ServerHandshake();
    expect(once.receiveRequest({ method: 'GET', target: '/', headers: fields().flat() }).type).toBe('request');
    expect(() => once.receiveRequest({ method: 'GET', target: '/', headers: fields().flat() })).toThrow(TypeError);
    const started = new ServerHandshake();
    expect(started.receive(ascii('GET / HTTP/1.1\r\n')).type).toBe('incomplete');
    expect(() => started.receiveRequest({ method: 'GET', target: '/', headers: fields().flat() })).toThrow(TypeError);
  });

  it('after a refusal, a second request gets the same refusal back, as more bytes would (the driver answers once)', () => {
    const hs = new ServerHandshake();
    const refused = hs.receiveRequest({ method: 'GET', target: '/', headers: fields({ 'Sec-WebSocket-Version': '8' }).flat() });
    expect(refused.type).toBe('error');
    expect(hs.receiveRequest({ method: 'GET', target: '/', headers: fields().flat() })).toBe(refused);
    expect(hs.receive(ascii('GET / HTTP/1.1\r\n'))).toBe(refused);
  });
});

describe('ClientHandshake.receiveResponse', () => {
  const options = { url: 'ws://server.example.com/chat', key: KEY, subprotocols: ['chat', 'superchat'] };
  const ok = (changes: Record<string, string | null> = {}): Field[] =>
    Object.entries({
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Accept': computeAcceptKey(KEY),
      'Sec-WebSocket-Protocol': 'chat',
      ...changes,
    }).filter((f): f is Field => f[1] !== null);

  it('after a refusal, a second response gets the same refusal back; after an acceptance, one throws', () => {
    const hs = new ClientHandshake(options);
    const refused = hs.receiveResponse({ status: 200, headers: ok().flat() });
    expect(refused.type).toBe('error');
    expect(hs.receiveResponse({ status: 101, headers: ok().flat() })).toBe(refused);
    const accepted = new ClientHandshake(options);
    expect(accepted.receiveResponse({ status: 101, headers: ok().flat() }).type).toBe('accepted');
    expect(() => accepted.receiveResponse({ status: 101, headers: ok().flat() })).toThrow(TypeError);
  });

  it('accepts a 101 given in all three shapes, as the same bytes would be', () => {
    const viaBytes = new ClientHandshake(options).receive(head('HTTP/1.1 101 Switching Protocols', ok()));
    expect(viaBytes.type).toBe('accepted');
    for (const [shape, headers] of shapes(ok())) {
      const r = new ClientHandshake(options).receiveResponse({ status: 101, reason: 'Switching Protocols', headers });
      if (r.type !== 'accepted') throw new Error(`${shape}: ${r.error.reason}`);
      expect(r.subprotocol).toBe('chat');
      expect(r.response.status).toBe(101);
      expect(r.rest).toHaveLength(0);
    }
  });

  it('throws a TypeError that says so for a second response after one was accepted (one handshake, one response)', () => {
    const hs = new ClientHandshake(options);
    expect(hs.receiveResponse({ status: 101, headers: ok().flat() }).type).toBe('accepted');
    expect(() => hs.receiveResponse({ status: 101, headers: ok().flat() })).toThrow(TypeError);
    expect(() => hs.receiveResponse({ status: 101, headers: ok().flat() })).toThrow(/already received/);
  });

  it('keeps the reason phrase given, and an absent one is empty (RFC 7230 §3.1.2: it may be empty)', () => {
    const found = new ClientHandshake(options).receiveResponse({ status: 302, reason: 'Found', headers: [['Location', 'ws://elsewhere/']] });
    expect(found.type === 'error' && [found.error.reason, found.response?.status, found.response?.reason]).toEqual(['unexpected-status', 302, 'Found']);
    const bare = new ClientHandshake(options).receiveResponse({ status: 101, headers: ok().flat() });
    expect(bare.type === 'accepted' && [bare.response.version, bare.response.status, bare.response.reason]).toEqual(['HTTP/1.1', 101, '']);
  });

  const BAD: [name: string, status: number, list: Field[], reason: string][] = [
    ['a 403', 403, ok(), 'unexpected-status'],
    ['no Upgrade', 101, ok({ Upgrade: null }), 'invalid-upgrade'],
    ['no Connection', 101, ok({ Connection: null }), 'invalid-connection'],
    ['a wrong accept key', 101, ok({ 'Sec-WebSocket-Accept': computeAcceptKey('AAAAAAAAAAAAAAAAAAAAAA==') }), 'invalid-accept'],
    ['a subprotocol not offered', 101, ok({ 'Sec-WebSocket-Protocol': 'other' }), 'unexpected-subprotocol'],
    ['an extension not offered', 101, [...ok(), ['Sec-WebSocket-Extensions', 'x-test']], 'unexpected-extension'],
    ['a control character', 101, [...ok(), ['X-Ctl', '\x01']], 'invalid-header-value'],
  ];
  for (const [name, status, list, reason] of BAD) {
    it(`refuses ${name} with the same error as the byte path`, () => {
      const viaBytes = new ClientHandshake(options).receive(head(`HTTP/1.1 ${status} Whatever`, list));
      expect(viaBytes.type === 'error' && viaBytes.error.reason).toBe(reason);
      for (const [shape, headers] of shapes(list)) {
        const r = new ClientHandshake(options).receiveResponse({ status, reason: 'Whatever', headers });
        expect({ shape, reason: r.type === 'error' && r.error.reason }).toEqual({ shape, reason });
      }
    });
  }
});
