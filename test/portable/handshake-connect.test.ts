/**
 * The extended CONNECT handshake (RFC 8441 over HTTP/2, RFC 9220 over
 * HTTP/3): every rule of the server's check, with the header map of each
 * protocol, the response and rejection maps, the client's request and its
 * check of the response, and the negotiation shared with the HTTP/1.1
 * handshake (same rule, same refusal).
 */
import { describe, expect, it } from 'vitest';
import {
  buildConnectRejection,
  ClientConnectHandshake,
  ClientHandshake,
  HandshakeError,
  isSameOrigin,
  ServerConnectHandshake,
  ServerHandshake,
  type ClientExtensionFactory,
  type Extension,
  type ParsedHeaders,
  type ServerConnectHandshakeOptions,
  type ServerExtensionFactory,
} from 'wscodec';

type Field = [string, string];

/**
 * The two header maps every rule is checked with: what Chromium sends over
 * HTTP/2 (seen here against Node's http2 server, as Node's `headers` object
 * gives it), and RFC 9220 §3's HTTP/3 example request (as a flat field list,
 * the shape HTTP/3 stacks and Node's `rawHeaders` give).
 */
const MAPS: Record<'HTTP/2' | 'HTTP/3', Field[]> = {
  'HTTP/2': [
    [':method', 'CONNECT'],
    [':authority', '127.0.0.1:8443'],
    [':scheme', 'https'],
    [':path', '/echo'],
    [':protocol', 'websocket'],
    ['pragma', 'no-cache'],
    ['cache-control', 'no-cache'],
    ['user-agent', 'Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/156.0.0.0 Safari/537.36'],
    ['origin', 'https://127.0.0.1:8443'],
    ['sec-websocket-version', '13'],
    ['accept-encoding', 'gzip, deflate, br, zstd'],
    ['accept-language', 'en-US'],
    ['sec-websocket-extensions', 'permessage-deflate; client_max_window_bits'],
  ],
  'HTTP/3': [
    [':method', 'CONNECT'],
    [':protocol', 'websocket'],
    [':scheme', 'https'],
    [':path', '/chat'],
    [':authority', 'server.example.com'],
    ['sec-websocket-protocol', 'chat, superchat'],
    ['sec-websocket-extensions', 'permessage-deflate'],
    ['origin', 'http://www.example.com'],
    ['sec-websocket-version', '13'],
  ],
};

/** A map with `changes` applied: a value replaces the field, null removes it; `extra` fields are appended. */
function edit(fields: Field[], changes: Record<string, string | null> = {}, extra: Field[] = []): Field[] {
  const out = fields.filter(([name]) => !(name in changes)).concat(
    Object.entries(changes).filter((c): c is Field => c[1] !== null),
  );
  // Pseudo-headers stay first (RFC 9113 §8.3).
  return [...out.filter(([n]) => n.startsWith(':')), ...out.filter(([n]) => !n.startsWith(':')), ...extra];
}

/** As Node's http2 `headers` object (one property per name, repeats as arrays). */
function asObject(fields: Field[]): Record<string, string | string[]> {
  const object: Record<string, string | string[]> = {};
  for (const [name, value] of fields) {
    const prior = object[name];
    object[name] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  return object;
}

const shapes = (fields: Field[]): [string, ParsedHeaders][] => [
  ['object', asObject(fields)],
  ['rawHeaders', fields.flat()],
];

function refusal(fields: Field[], options?: ServerConnectHandshakeOptions) {
  const results = shapes(fields).map(([shape, headers]) => {
    const r = new ServerConnectHandshake(options).receive(headers);
    if (r.type !== 'error') throw new Error(`accepted (${shape})`);
    return r;
  });
  // Every shape of the same map gets the same refusal.
  for (const r of results.slice(1)) expect(r.response).toEqual(results[0]!.response);
  const { error, response } = results[0]!;
  return { reason: error.reason, status: response.headers[':status'], headers: response.headers, body: new TextDecoder().decode(response.body) };
}

/** A test-only extension pair (no RSV bits, identity transform): how any factory, permessage-deflate's included, plugs in. */
const testExtension: Extension = { name: 'x-test', rsvBits: 0, encode: (f) => f, decode: (f) => f };
const serverFactory: ServerExtensionFactory = { name: 'x-test', accept: (params) => ({ params: [...params], extension: testExtension }) };
const clientFactory: ClientExtensionFactory = { name: 'x-test', offer: () => [['level', '1']], accept: () => testExtension };

for (const [protocol, map] of Object.entries(MAPS)) {
  describe(`ServerConnectHandshake with an ${protocol} header map`, () => {
    it('accepts the request without Sec-WebSocket-Key (RFC 8441 §5) and answers 200 with the stream left open', () => {
      for (const [shape, headers] of shapes(map)) {
        const hs = new ServerConnectHandshake({ subprotocols: ['superchat'] });
        const r = hs.receive(headers);
        if (r.type !== 'request') throw new Error(`${shape}: ${r.error.reason}`);
        const path = map.find(([n]) => n === ':path')![1];
        expect(r.request).toMatchObject({ method: 'CONNECT', protocol: 'websocket', scheme: 'https', target: path });
        expect(r.request.host).toBe(map.find(([n]) => n === ':authority')![1]);
        expect(r.request.headers.has('sec-websocket-key')).toBe(false);
        const accepted = hs.accept();
        const offered = r.request.subprotocols.includes('superchat');
        expect(accepted.headers).toEqual(offered ? { ':status': '200', 'sec-websocket-protocol': 'superchat' } : { ':status': '200' });
        // permessage-deflate was offered but no factory was given: no extension is answered.
        expect(accepted.extensions).toEqual([]);
      }
    });

    it('negotiates extensions through the generic factories, as the HTTP/1.1 handshake does', () => {
      const hs = new ServerConnectHandshake({ extensions: [serverFactory] });
      expect(hs.receive(edit(map, { 'sec-websocket-extensions': 'x-test; level=1, permessage-deflate' }).flat()).type).toBe('request');
      const accepted = hs.accept({ 'X-Served-By': 'test' });
      expect(accepted.headers).toEqual({ ':status': '200', 'sec-websocket-extensions': 'x-test; level=1', 'x-served-by': 'test' });
      expect(accepted.extensions).toEqual([testExtension]);
    });

    it('refuses a method other than CONNECT with 405 and allow: CONNECT (RFC 8441 §4)', () => {
      expect(refusal(edit(map, { ':method': 'GET' }))).toMatchObject({ reason: 'method-not-allowed', status: '405', headers: { allow: 'CONNECT' } });
    });

    it('refuses a request without :method with 405, saying that none was given (RFC 8441 §4)', () => {
      const r = refusal(edit(map, { ':method': null }));
      expect(r).toMatchObject({ reason: 'method-not-allowed', status: '405', headers: { allow: 'CONNECT' } });
      expect(r.body).toContain('CONNECT, not (none)');
    });

    it('refuses two Host fields, naming Host (RFC 9113 §8.3.1: one authority)', () => {
      const authority = map.find(([n]) => n === ':authority')![1];
      for (const fields of [edit(map, {}, [['host', authority], ['host', authority]]), edit(map, { ':authority': null }, [['host', authority], ['host', authority]])]) {
        const r = refusal(fields);
        expect(r).toMatchObject({ reason: 'invalid-host', status: '400' });
        expect(r.body).toContain('more than one Host');
      }
    });

    it('reads :protocol case-insensitively, as upgrade tokens are (RFC 8441 §4, RFC 7230 §6.7)', () => {
      const r = new ServerConnectHandshake().receive(edit(map, { ':protocol': 'WebSocket' }).flat());
      expect(r.type === 'request' && r.request.protocol).toBe('WebSocket');
    });

    it('refuses a pseudo-header value with CR, LF or another control character (RFC 9113 §8.2.1)', () => {
      expect(refusal(edit(map, { ':authority': 'a.example\r\nx: y' })).reason).toBe('invalid-pseudo-header');
      expect(refusal(edit(map, { ':path': '/a\x00b' })).reason).toBe('invalid-pseudo-header');
    });

    it('refuses an empty :authority as a missing one (RFC 9113 §8.3.1)', () => {
      expect(refusal(edit(map, { ':authority': '' })).reason).toBe('missing-host');
    });

    it('accepts a Host that names :authority in another case (RFC 3986 §3.2.2: the host is case-insensitive)', () => {
      const authority = map.find(([n]) => n === ':authority')![1];
      expect(new ServerConnectHandshake().receive(edit(map, {}, [['host', authority.toUpperCase()]]).flat()).type).toBe('request');
      expect(new ServerConnectHandshake().receive(edit(map, { ':authority': authority.toUpperCase() }, [['host', authority]]).flat()).type).toBe('request');
    });

    it('accepts TE: trailers in any case, the one TE value HTTP/2 allows (RFC 9113 §8.2.2)', () => {
      expect(new ServerConnectHandshake().receive(edit(map, {}, [['te', 'Trailers']]).flat()).type).toBe('request');
    });

    it('returns the same result when called again, whatever the second map holds', () => {
      const hs = new ServerConnectHandshake();
      const first = hs.receive(map.flat());
      expect(first.type).toBe('request');
      expect(hs.receive(edit(map, { ':method': 'GET' }).flat())).toBe(first);
      const refused = new ServerConnectHandshake();
      const error = refused.receive(edit(map, { ':method': 'GET' }).flat());
      expect(refused.receive(map.flat())).toBe(error);
    });

    it('refuses a CONNECT without :protocol: a tunnel request, not a WebSocket (RFC 8441 §4)', () => {
      expect(refusal(edit(map, { ':protocol': null }))).toMatchObject({ reason: 'missing-protocol', status: '400' });
    });

    it('refuses a :protocol other than websocket with 501 (RFC 8441 §5, RFC 9220 §3)', () => {
      expect(refusal(edit(map, { ':protocol': 'webtransport' }))).toMatchObject({ reason: 'unsupported-protocol', status: '501' });
    });

    it('refuses a missing or foreign :scheme (RFC 8441 §4: required; §5: https or http)', () => {
      expect(refusal(edit(map, { ':scheme': null })).reason).toBe('invalid-scheme');
      expect(refusal(edit(map, { ':scheme': 'wss' })).reason).toBe('invalid-scheme');
    });

    it('refuses a missing or relative :path (RFC 8441 §4, RFC 9113 §8.3.1)', () => {
      expect(refusal(edit(map, { ':path': null })).reason).toBe('invalid-path');
      expect(refusal(edit(map, { ':path': 'echo' })).reason).toBe('invalid-path');
    });

    it('refuses a request with neither :authority nor Host, or a Host that contradicts :authority (RFC 9113 §8.3.1)', () => {
      expect(refusal(edit(map, { ':authority': null })).reason).toBe('missing-host');
      expect(refusal(edit(map, {}, [['host', 'elsewhere.example']])).reason).toBe('invalid-host');
      const viaHost = new ServerConnectHandshake().receive(edit(map, { ':authority': null }, [['host', 'h.example:8443']]).flat());
      expect(viaHost.type === 'request' && viaHost.request.host).toBe('h.example:8443');
    });

    it('refuses a version other than 13 with 400 and sec-websocket-version: 13 (no 426: it needs Upgrade, which HTTP/2 and HTTP/3 forbid)', () => {
      for (const version of [null, '8', '13, 8']) {
        expect(refusal(edit(map, { 'sec-websocket-version': version }))).toMatchObject({
          reason: 'unsupported-version',
          status: '400',
          headers: { 'sec-websocket-version': '13' },
        });
      }
    });

    it('refuses a foreign origin with 403 when checkOrigin says so (RFC 6455 §10.2), and two origins with 400', () => {
      const foreign = edit(map, { origin: 'https://evil.example' });
      expect(refusal(foreign, { checkOrigin: isSameOrigin })).toMatchObject({ reason: 'forbidden-origin', status: '403' });
      // Same-origin: :authority plays the part of Host.
      const own = edit(map, { origin: `https://${map.find(([n]) => n === ':authority')![1]}` });
      expect(new ServerConnectHandshake({ checkOrigin: isSameOrigin }).receive(own.flat()).type).toBe('request');
      expect(refusal(edit(map, {}, [['origin', 'https://evil.example']])).reason).toBe('invalid-origin');
    });

    it('refuses unknown, repeated or misplaced pseudo-headers (RFC 9113 §8.3)', () => {
      expect(refusal(edit(map, {}, [[':status', '200']])).reason).toBe('invalid-pseudo-header');
      const repeated: Field[] = [[':path', '/other'], ...map];
      expect(new ServerConnectHandshake().receive(repeated.flat())).toMatchObject({ type: 'error', error: { reason: 'invalid-pseudo-header' } });
      const misplaced = [...map.filter(([n]) => n !== ':path'), [':path', '/echo'] as Field];
      expect(new ServerConnectHandshake().receive(misplaced.flat())).toMatchObject({ type: 'error', error: { reason: 'invalid-pseudo-header' } });
    });

    it('refuses connection-specific fields, which make an HTTP/2 or HTTP/3 request malformed (RFC 9113 §8.2.2, RFC 9114 §4.2)', () => {
      for (const field of [['connection', 'Upgrade'], ['upgrade', 'websocket'], ['transfer-encoding', 'chunked'], ['te', 'gzip']] as Field[]) {
        expect(refusal(edit(map, {}, [field])).reason).toBe('connection-specific-header');
      }
      expect(new ServerConnectHandshake().receive(edit(map, {}, [['te', 'trailers']]).flat()).type).toBe('request');
    });

    it('refuses a malformed Sec-WebSocket-Protocol or Sec-WebSocket-Extensions with the same refusal as the HTTP/1.1 handshake', () => {
      for (const [name, value, reason] of [
        ['sec-websocket-protocol', 'chat, super chat', 'invalid-subprotocol-header'],
        ['sec-websocket-extensions', 'permessage-deflate; =1', 'invalid-extensions-header'],
      ] as const) {
        const h2 = refusal(edit(map, { [name]: value }));
        const h1 = new ServerHandshake().receiveRequest({
          method: 'GET',
          target: '/',
          headers: [['Host', 'x'], ['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='], ['Sec-WebSocket-Version', '13'], [name, value]],
        });
        expect(h2).toMatchObject({ reason, status: '400' });
        expect(h1.type === 'error' && [h1.error.reason, h1.error.message]).toEqual([reason, h2.body]);
      }
    });

    it('applies the head limits to the fields (431 beyond maxHeaderCount)', () => {
      const many = edit(map, {}, Array.from({ length: 20 }, (_, i): Field => [`x-${i}`, 'v']));
      expect(refusal(many, { limits: { maxHeaderCount: 20 } })).toMatchObject({ reason: 'too-many-headers', status: '431' });
    });
  });
}

describe('ServerConnectHandshake: the response map and caller mistakes', () => {
  it('joins a field given to the constructor and again to accept() into one value (RFC 9110 §5.3)', () => {
    const hs = new ServerConnectHandshake({ headers: { 'Cache-Control': 'no-store' } });
    expect(hs.receive(MAPS['HTTP/3'].flat()).type).toBe('request');
    expect(hs.accept({ 'cache-control': 'private' }).headers).toEqual({ ':status': '200', 'cache-control': 'no-store, private' });
  });

  it('refuses extra headers it computes or that HTTP/2 and HTTP/3 forbid, given to the constructor or to accept() (RFC 9113 §8.2.2)', () => {
    for (const name of ['sec-websocket-protocol', 'Sec-WebSocket-Extensions', 'connection', 'Upgrade', 'keep-alive', 'transfer-encoding']) {
      expect(() => new ServerConnectHandshake({ headers: { [name]: 'x' } })).toThrow(/set by the handshake itself/);
      const hs = new ServerConnectHandshake();
      expect(hs.receive(MAPS['HTTP/3'].flat()).type).toBe('request');
      expect(() => hs.accept({ [name]: 'x' })).toThrow(/set by the handshake itself/);
    }
  });

  it('accept() throws a TypeError that names the mistake: no valid request yet, or a second accept', () => {
    const early = new ServerConnectHandshake();
    expect(() => early.accept()).toThrow(TypeError);
    expect(() => early.accept()).toThrow(/no valid request/);
    const refused = new ServerConnectHandshake();
    expect(refused.receive(edit(MAPS['HTTP/3'], { ':protocol': null }).flat()).type).toBe('error');
    expect(() => refused.accept()).toThrow(/no valid request/);
    const twice = new ServerConnectHandshake();
    twice.receive(MAPS['HTTP/3'].flat());
    twice.accept();
    expect(() => twice.accept()).toThrow(TypeError);
    expect(() => twice.accept()).toThrow(/already accepted/);
  });
});

describe('buildConnectRejection', () => {
  it('builds a status map and a plain-text body, empty when no message is given', () => {
    const { headers, body } = buildConnectRejection(403);
    expect(headers).toEqual({ ':status': '403', 'content-type': 'text/plain; charset=utf-8' });
    expect(body).toHaveLength(0);
    expect(new TextDecoder().decode(buildConnectRejection(400, 'café').body)).toBe('café');
  });

  it('takes every status from 300 to 599', () => {
    expect(buildConnectRejection(300).headers[':status']).toBe('300');
    expect(buildConnectRejection(599).headers[':status']).toBe('599');
  });

  it('refuses a status outside 300–599 with a RangeError that names the range', () => {
    for (const status of [200, 299, 600, 400.5, Number.NaN]) {
      expect(() => buildConnectRejection(status)).toThrow(RangeError);
      expect(() => buildConnectRejection(status)).toThrow(/300 to 599/);
    }
  });
});

describe('ClientConnectHandshake', () => {
  it('builds the request map of RFC 8441 §5: CONNECT, :protocol websocket, https for wss:, no key', () => {
    const hs = new ClientConnectHandshake({
      url: 'wss://server.example.com/chat?room=1',
      subprotocols: ['chat', 'superchat'],
      extensions: [clientFactory],
      headers: { Origin: 'http://www.example.com' },
    });
    expect(hs.request()).toEqual({
      ':method': 'CONNECT',
      ':protocol': 'websocket',
      ':scheme': 'https',
      ':authority': 'server.example.com',
      ':path': '/chat?room=1',
      'sec-websocket-version': '13',
      'sec-websocket-protocol': 'chat, superchat',
      'sec-websocket-extensions': 'x-test; level=1',
      origin: 'http://www.example.com',
    });
    expect(hs.endpoint).toEqual({ hostname: 'server.example.com', port: 443, secure: true });
    expect(new ClientConnectHandshake({ url: 'ws://127.0.0.1:8080/' }).request()[':scheme']).toBe('http');
  });

  it('refuses options that would make the request malformed (TypeError)', () => {
    expect(() => new ClientConnectHandshake({ url: 'wss://x/', headers: { Connection: 'Upgrade' } })).toThrow(TypeError);
    expect(() => new ClientConnectHandshake({ url: 'wss://x/', headers: { 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' } })).toThrow(TypeError);
    expect(() => new ClientConnectHandshake({ url: 'wss://x/', headers: { ':path': '/' } })).toThrow(TypeError);
    expect(() => new ClientConnectHandshake({ url: 'wss://x/', subprotocols: ['a b'] })).toThrow(TypeError);
  });

  it('accepts a 2xx (Node gives :status as a number) and reads the subprotocol and extensions', () => {
    const hs = new ClientConnectHandshake({ url: 'wss://x/', subprotocols: ['chat'], extensions: [clientFactory] });
    const r = hs.receive({ ':status': 200 as unknown as string, 'sec-websocket-protocol': 'chat', 'sec-websocket-extensions': 'x-test' });
    expect(r).toMatchObject({ type: 'accepted', status: 200, subprotocol: 'chat', extensions: [testExtension] });
  });

  it('refuses what breaks the rules, keeping the status to show', () => {
    const check = (headers: ParsedHeaders) => {
      const r = new ClientConnectHandshake({ url: 'wss://x/', subprotocols: ['chat'] }).receive(headers);
      return r.type === 'error' ? [r.error.reason, r.status] : [r.type];
    };
    expect(check({ ':status': '403' })).toEqual(['unexpected-status', 403]);
    expect(check({ ':status': '101' })).toEqual(['unexpected-status', 101]);
    expect(check({ 'sec-websocket-protocol': 'chat' })).toEqual(['missing-status', undefined]);
    expect(check([':status', '200', ':path', '/'])).toEqual(['missing-status', 200]);
    expect(check({ ':status': '200', 'sec-websocket-protocol': 'other' })).toEqual(['unexpected-subprotocol', 200]);
    expect(check({ ':status': '200', 'sec-websocket-extensions': 'permessage-deflate' })).toEqual(['unexpected-extension', 200]);
    expect(check({ ':status': '204' })).toEqual(['accepted']);
    // The regular fields meet the field grammar of RFC 7230 §3.2, as an HTTP/1.1 response's would.
    expect(check({ ':status': '200', 'x-bad': 'a\x01b' })).toEqual(['invalid-header-value', 200]);
    expect(check({ ':status': '200', 'bad name': 'v' })).toEqual(['invalid-header-name', 200]);
  });

  it('takes any 2xx and nothing else, and :status only as one three-digit code (RFC 9113 §8.3.2, RFC 8441 §5)', () => {
    const check = (headers: ParsedHeaders) => {
      const r = new ClientConnectHandshake({ url: 'wss://x/' }).receive(headers);
      return r.type === 'error' ? [r.error.reason, r.status] : [r.type, r.status];
    };
    expect(check({ ':status': '200' })).toEqual(['accepted', 200]);
    expect(check({ ':status': '299' })).toEqual(['accepted', 299]);
    expect(check({ ':status': '199' })).toEqual(['unexpected-status', 199]);
    expect(check({ ':status': '300' })).toEqual(['unexpected-status', 300]);
    for (const status of ['20', '2000', ' 200', '2x0', '']) expect(check({ ':status': status })).toEqual(['missing-status', undefined]);
    expect(check([':status', '200', ':status', '200'])).toEqual(['missing-status', undefined]);
  });

  it('returns the same result when called again', () => {
    const hs = new ClientConnectHandshake({ url: 'wss://x/' });
    const first = hs.receive({ ':status': '200' });
    expect(first.type).toBe('accepted');
    expect(hs.receive({ ':status': '403' })).toBe(first);
    const refused = new ClientConnectHandshake({ url: 'wss://x/' });
    const error = refused.receive({ ':status': '403' });
    expect(refused.receive({ ':status': '200' })).toBe(error);
  });

  it('the HTTP/1.1 client refuses the same bad answer with the same error', () => {
    const h2 = new ClientConnectHandshake({ url: 'wss://x/', subprotocols: ['chat'] }).receive({ ':status': '200', 'sec-websocket-protocol': 'other' });
    const h1hs = new ClientHandshake({ url: 'wss://x/', subprotocols: ['chat'], key: 'dGhlIHNhbXBsZSBub25jZQ==' });
    const h1 = h1hs.receiveResponse({
      status: 101,
      headers: { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-accept': 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 'sec-websocket-protocol': 'other' },
    });
    expect(h2.type === 'error' && h2.error).toBeInstanceOf(HandshakeError);
    expect(h1.type === 'error' && h1.error.message).toBe(h2.type === 'error' && h2.error.message);
  });
});

describe('extended CONNECT, both sides', () => {
  it('law-like round trip: the server accepts what the client builds, and the client accepts the answer', () => {
    for (const url of ['wss://example.com/', 'ws://127.0.0.1:8080/chat?x=1', 'wss://[::1]:8443/a/b']) {
      const client = new ClientConnectHandshake({ url, subprotocols: ['v2', 'v1'], extensions: [clientFactory] });
      const server = new ServerConnectHandshake({ subprotocols: ['v1'], extensions: [serverFactory] });
      const request = server.receive(client.request());
      if (request.type !== 'request') throw new Error(`${url}: ${request.error.reason}`);
      const { headers, subprotocol, extensions } = server.accept();
      const answer = client.receive(headers);
      expect(answer).toMatchObject({ type: 'accepted', subprotocol, extensions });
      expect(subprotocol).toBe('v1');
      expect(extensions).toEqual([testExtension]);
    }
  });
});
