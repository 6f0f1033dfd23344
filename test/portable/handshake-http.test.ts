/**
 * The incremental HTTP/1.1 head parser (RFC 7230 §3) and the header grammars
 * (RFC 7230 §3.2.6, §7; RFC 6455 §9.1).
 */
import { fc, runs } from '../helpers/fast-check.ts';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HTTP_HEAD_LIMITS,
  formatExtensions,
  HttpHeadParser,
  HttpHeaders,
  parseExtensions,
  parseTokenList,
  type HttpHeadResult,
  type HttpRequestHead,
} from 'wscodec/handshake';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);
const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

const REQUEST =
  'GET /chat?room=1 HTTP/1.1\r\n' +
  'Host: example.com\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: keep-alive, Upgrade\r\n' +
  'X-Multi: one\r\n' +
  'x-multi:  two \r\n' +
  'Empty:\r\n' +
  '\r\n';

/** Plain data of a parser result, so results of different chunkings compare with toEqual. */
const plain = (r: HttpHeadResult<HttpRequestHead>) =>
  r.type === 'head'
    ? { ...r.head, headers: [...r.head.headers], rest: latin1(r.rest) }
    : r.type === 'error'
      ? { reason: r.error.reason, status: r.error.status }
      : r;

/** Feeds `chunks` until the parser answers; returns the answer and how many chunks it took. */
const feed = (parser: HttpHeadParser<HttpRequestHead>, chunks: Iterable<Uint8Array>) => {
  let used = 0;
  let result: HttpHeadResult<HttpRequestHead> = { type: 'incomplete' };
  for (const chunk of chunks) {
    used++;
    result = parser.push(chunk);
    if (result.type !== 'incomplete') break;
  }
  return { result, used };
};

describe('HttpHeadParser: requests', () => {
  it('parses the start line and keeps repeated fields in order, names case-insensitive', () => {
    const result = HttpHeadParser.request().push(ascii(REQUEST));
    expect(result.type).toBe('head');
    if (result.type !== 'head') return;
    const { head } = result;
    expect([head.method, head.target, head.version]).toEqual(['GET', '/chat?room=1', 'HTTP/1.1']);
    expect(head.headers.get('HOST')).toBe('example.com');
    expect(head.headers.getAll('X-MULTI')).toEqual(['one', 'two']); // OWS trimmed (RFC 7230 §3.2.4)
    expect(head.headers.get('x-multi')).toBe('one, two');
    expect(head.headers.get('empty')).toBe('');
    expect(head.headers.has('missing')).toBe(false);
    expect(head.headers.get('missing')).toBeUndefined();
    expect([...head.headers].map(([n]) => n)).toEqual(['Host', 'Upgrade', 'Connection', 'X-Multi', 'x-multi', 'Empty']);
    expect(result.rest).toHaveLength(0);
  });

  it('law: a field value loses the whitespace around it and keeps the whitespace inside it (RFC 7230 §3.2.4)', () => {
    const ows = fc.stringMatching(/^[ \t]{0,40}$/);
    const visible = fc.stringMatching(/^[!-~]$/);
    // Long inner runs of whitespace too: the kind that made a backtracking trim quadratic.
    const inner = fc.oneof(ows, fc.integer({ min: 0, max: 7000 }).map((n) => ' \t'.repeat(n >> 1)));
    fc.assert(
      fc.property(ows, visible, inner, visible, ows, (before, first, middle, last, after) => {
        const value = `${first}${middle}${last}`;
        const result = HttpHeadParser.request().push(ascii(`GET / HTTP/1.1\r\nX-Value:${before}${value}${after}\r\n\r\n`));
        expect(result.type === 'head' && result.head.headers.get('x-value')).toBe(value);
      }),
      { numRuns: runs(200) },
    );
  });

  it('gives the same result for the head split at every byte, and fed byte by byte', () => {
    const bytes = ascii(REQUEST);
    const whole = plain(HttpHeadParser.request().push(bytes));
    for (let cut = 0; cut <= bytes.length; cut++) {
      const parser = HttpHeadParser.request();
      const first = parser.push(bytes.subarray(0, cut));
      const result = first.type === 'incomplete' ? parser.push(bytes.subarray(cut)) : first;
      expect(plain(result)).toEqual(whole);
    }
    const parser = HttpHeadParser.request();
    const { result, used } = feed(parser, Array.from(bytes, (b) => Uint8Array.of(b)));
    expect(used).toBe(bytes.length);
    expect(plain(result)).toEqual(whole);
  });

  it('returns the bytes after the head intact when a frame arrives in the same chunk', () => {
    const frame = Uint8Array.of(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58, 0x0d, 0x0a, 0x00, 0xff);
    const result = HttpHeadParser.request().push(concat(ascii(REQUEST), frame));
    expect(result.type).toBe('head');
    if (result.type === 'head') expect(Array.from(result.rest)).toEqual(Array.from(frame));
  });

  it('law: under any chunking, the head is the same and rest + later bytes are the trailing bytes', () => {
    const trailing = fc.uint8Array({ maxLength: 40 });
    fc.assert(
      fc.property(trailing, fc.array(fc.nat(), { maxLength: 6 }), (tail, rawCuts) => {
        const bytes = concat(ascii(REQUEST), tail);
        const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...cuts].map((start, i) => bytes.subarray(start, [...cuts, bytes.length][i]));
        const parser = HttpHeadParser.request();
        const { result, used } = feed(parser, chunks);
        expect(result.type).toBe('head');
        if (result.type !== 'head') return;
        const after = [result.rest, ...chunks.slice(used)].flatMap((c) => Array.from(c));
        expect(after).toEqual(Array.from(tail));
        expect(plain({ ...result, rest: new Uint8Array(0) })).toEqual(plain(HttpHeadParser.request().push(ascii(REQUEST))));
      }),
      { numRuns: runs(200) },
    );
  });

  it('throws a TypeError when pushed to after the head', () => {
    const parser = HttpHeadParser.request();
    parser.push(ascii(REQUEST));
    expect(() => parser.push(ascii('x'))).toThrow(TypeError);
  });

  it('law: never throws on arbitrary bytes, and an error stays', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
        const parser = HttpHeadParser.request({ maxHeadSize: 256, maxHeaderCount: 4, maxLineLength: 64 });
        const { result } = feed(parser, chunks);
        expect(['incomplete', 'head', 'error']).toContain(result.type);
        if (result.type === 'error') {
          const again = parser.push(ascii('GET / HTTP/1.1\r\n\r\n'));
          expect(again.type === 'error' && again.error).toBe(result.error);
        }
      }),
      { numRuns: runs(300) },
    );
  });

  const refusals: [string, string, number][] = [
    ['bare LF line ending', 'GET / HTTP/1.1\nHost: a\n\n', 400],
    ['obsolete line folding', 'GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n', 400],
    ['whitespace before the colon', 'GET / HTTP/1.1\r\nHost : a\r\n\r\n', 400],
    ['a line without a colon', 'GET / HTTP/1.1\r\nHost\r\n\r\n', 400],
    ['a control byte in a value', 'GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n', 400],
    ['a lone CR inside a value', 'GET / HTTP/1.1\r\nX: a\rb\r\n\r\n', 400],
    ['a malformed request line', 'GET /\r\n\r\n', 400],
    ['an empty first line', '\r\nGET / HTTP/1.1\r\n\r\n', 400],
    ['a space in the target', 'GET /a b HTTP/1.1\r\n\r\n', 400],
    ['a malformed version', 'GET / HTTP/1.10\r\n\r\n', 400],
  ];
  for (const [what, text, status] of refusals) {
    it(`refuses ${what}`, () => {
      const result = HttpHeadParser.request().push(ascii(text));
      expect(result.type).toBe('error');
      if (result.type === 'error') expect(result.error.status).toBe(status);
    });
  }

  it('refuses a bad request line as soon as it ends, before any header', () => {
    const result = HttpHeadParser.request().push(ascii('BREW /pot HTCPCP/1.0\r\n'));
    expect(result.type === 'error' && result.error.reason).toBe('invalid-request-line');
  });

  it('refuses non-HTTP bytes (a TLS ClientHello) at once, without waiting for a line end', () => {
    const clientHello = Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03);
    const result = HttpHeadParser.request().push(clientHello);
    expect(result.type === 'error' && [result.error.reason, result.error.status]).toEqual(['invalid-characters', 400]);
  });

  it('keeps a tab inside a value across chunks, and refuses a DEL at once (RFC 7230 §3.2: HTAB is allowed, controls are not)', () => {
    const parser = HttpHeadParser.request();
    expect(parser.push(ascii('GET / HTTP/1.1\r\nX: a\tb')).type).toBe('incomplete');
    const r = parser.push(ascii('\r\n\r\n'));
    expect(r.type === 'head' && r.head.headers.get('x')).toBe('a\tb');
    const del = HttpHeadParser.request().push(ascii('GET / HTTP/1.1\r\nX: a\x7f'));
    expect(del.type === 'error' && del.error.reason).toBe('invalid-characters');
  });

  it('refuses obsolete line folding with a tab as with a space (RFC 7230 §3.2.4)', () => {
    const r = HttpHeadParser.request().push(ascii('GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n'));
    expect(r.type === 'error' && r.error.reason).toBe('obsolete-line-folding');
  });

  it('pushParsed throws a TypeError once the parser has been given bytes, refused or not: one parser, one head', () => {
    const parser = HttpHeadParser.request();
    expect(parser.push(Uint8Array.of(0x16, 0x03, 0x01)).type).toBe('error');
    expect(() => parser.pushParsed('GET / HTTP/1.1', [])).toThrow(TypeError);
    const given = HttpHeadParser.request();
    expect(given.pushParsed('GET / HTTP/1.1', []).type).toBe('head');
    expect(() => given.push(ascii('x'))).toThrow(TypeError);
    const started = HttpHeadParser.request();
    expect(started.push(ascii('GET / HTTP/1.1\r\n')).type).toBe('incomplete');
    expect(() => started.pushParsed('GET / HTTP/1.1', [])).toThrow(TypeError);
  });

  it('names the rule each refusal broke', () => {
    const reason = (text: string) => {
      const r = HttpHeadParser.request().push(ascii(text));
      return r.type === 'error' ? r.error.reason : r.type;
    };
    expect(reason(refusals[0]![1])).toBe('invalid-line-ending');
    expect(reason(refusals[1]![1])).toBe('obsolete-line-folding');
    expect(reason(refusals[2]![1])).toBe('invalid-header-name');
    expect(reason(refusals[4]![1])).toBe('invalid-header-value');
    expect(reason(refusals[6]![1])).toBe('invalid-request-line');
  });
});

describe('HttpHeadParser: limits, enforced while buffering', () => {
  it('has safe defaults', () => {
    expect(DEFAULT_HTTP_HEAD_LIMITS).toEqual({ maxHeadSize: 16384, maxHeaderCount: 100, maxLineLength: 8192 });
  });

  it('refuses 10,000 tiny headers at the header-count limit, without reading the rest', () => {
    const parser = HttpHeadParser.request({ maxHeadSize: 1 << 20 });
    const chunks = [ascii('GET / HTTP/1.1\r\n'), ...Array.from({ length: 10_000 }, () => ascii('a:b\r\n')), ascii('\r\n')];
    const { result, used } = feed(parser, chunks);
    expect(result.type === 'error' && [result.error.reason, result.error.status]).toEqual(['too-many-headers', 431]);
    expect(used).toBe(1 + DEFAULT_HTTP_HEAD_LIMITS.maxHeaderCount + 1);
  });

  it('refuses 10,000 tiny headers in one chunk under the default limits', () => {
    const text = `GET / HTTP/1.1\r\n${'a:b\r\n'.repeat(10_000)}\r\n`;
    const result = HttpHeadParser.request().push(ascii(text));
    expect(result.type === 'error' && result.error.status).toBe(431);
  });

  it('refuses a head over maxHeadSize as soon as the limit is crossed', () => {
    const parser = HttpHeadParser.request();
    const line = ascii(`X-Filler: ${'x'.repeat(1000)}\r\n`);
    const chunks = [ascii('GET / HTTP/1.1\r\n'), ...Array.from({ length: 1000 }, () => line)];
    const { result, used } = feed(parser, chunks);
    expect(result.type === 'error' && [result.error.reason, result.error.status]).toEqual(['head-too-large', 431]);
    expect(used).toBeLessThanOrEqual(Math.ceil(DEFAULT_HTTP_HEAD_LIMITS.maxHeadSize / line.length) + 1);
  });

  it('refuses a huge chunk without any line end at once', () => {
    const result = HttpHeadParser.request().push(new Uint8Array(8 << 20).fill(0x61));
    expect(result.type === 'error' && [result.error.reason, result.error.status]).toEqual(['start-line-too-long', 414]);
  });

  it('refuses a long status line with 400, not 414: 414 (URI Too Long) describes a request target (RFC 9110 §15.5.15)', () => {
    const result = HttpHeadParser.response({ maxLineLength: 50 }).push(ascii(`HTTP/1.1 101 ${'S'.repeat(100)}\r\n\r\n`));
    expect(result.type === 'error' && [result.error.reason, result.error.status]).toEqual(['start-line-too-long', 400]);
  });

  it('a head of exactly maxHeadSize bytes, many lines in one chunk, is read; one byte more is refused (RFC 7230 §3.2.5)', () => {
    const limits = { maxHeadSize: 1000 };
    const head = (size: number) => {
      const start = 'GET / HTTP/1.1\r\n';
      const lines: string[] = [];
      let used = start.length + 2; // and the empty line that ends the head
      while (size - used > 40) {
        lines.push(`X-${lines.length}: ${'v'.repeat(10)}\r\n`);
        used += lines.at(-1)!.length;
      }
      lines.push(`Y: ${'w'.repeat(size - used - 5)}\r\n`);
      return `${start}${lines.join('')}\r\n`;
    };
    expect(head(1000).length).toBe(1000);
    // Whole, and cut in two at every byte: the size counted so far carries over between chunks.
    for (let cut = 0; cut < 1000; cut++) {
      const bytes = ascii(head(1000));
      const { result } = feed(HttpHeadParser.request(limits), [bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(result.type).toBe('head');
      const over = ascii(head(1001));
      const refused = feed(HttpHeadParser.request(limits), [over.subarray(0, cut), over.subarray(cut)]).result;
      expect(refused.type === 'error' && refused.error.reason).toBe('head-too-large');
    }
  });

  it('refuses an endless header line arriving in small chunks', () => {
    const parser = HttpHeadParser.request({ maxLineLength: 100 });
    const chunks = [ascii('GET / HTTP/1.1\r\nX: '), ...Array.from({ length: 1000 }, () => ascii('xxxxxxxxxx'))];
    const { result, used } = feed(parser, chunks);
    expect(result.type === 'error' && [result.error.reason, result.error.status]).toEqual(['header-line-too-long', 431]);
    expect(used).toBeLessThanOrEqual(12);
  });

  it('accepts a line of exactly maxLineLength and a head of exactly maxHeadSize', () => {
    const text = `GET / HTTP/1.1\r\nX: ${'y'.repeat(47)}\r\n\r\n`; // header line: 50 bytes
    expect(HttpHeadParser.request({ maxLineLength: 50 }).push(ascii(text)).type).toBe('head');
    expect(HttpHeadParser.request({ maxLineLength: 49 }).push(ascii(text)).type).toBe('error');
    expect(HttpHeadParser.request({ maxHeadSize: text.length }).push(ascii(text)).type).toBe('head');
    expect(HttpHeadParser.request({ maxHeadSize: text.length - 1 }).push(ascii(text)).type).toBe('error');
    // The same head fed byte by byte: the size counts the bytes held across chunks.
    const byteByByte = (maxHeadSize: number) => feed(HttpHeadParser.request({ maxHeadSize }), Array.from(ascii(text), (b) => Uint8Array.of(b))).result.type;
    expect([byteByByte(text.length), byteByByte(text.length - 1)]).toEqual(['head', 'error']);
  });

  it('law: a head from another HTTP stack is held to the limits at its HTTP/1.1 size, as its bytes are', () => {
    const fields: [string, string][] = [['Host', 'example.com'], ['X', 'y'.repeat(20)]];
    const text = `GET / HTTP/1.1\r\n${fields.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
    const longest = 'X: '.length + 20;
    for (const limits of [
      { maxHeadSize: text.length },
      { maxHeadSize: text.length - 1 },
      { maxLineLength: longest },
      { maxLineLength: longest - 1 },
      { maxHeaderCount: 2 },
      { maxHeaderCount: 1 },
    ]) {
      const bytes = HttpHeadParser.request(limits).push(ascii(text));
      const parsed = HttpHeadParser.request(limits).pushParsed('GET / HTTP/1.1', fields);
      expect({ limits, parsed: plain(parsed) }).toEqual({ limits, parsed: plain(bytes) });
    }
  });

  it('refuses limits that are not positive integers', () => {
    expect(() => HttpHeadParser.request({ maxHeadSize: 0 })).toThrow(RangeError);
    expect(() => HttpHeadParser.response({ maxLineLength: 1.5 })).toThrow(RangeError);
  });
});

describe('HttpHeadParser: responses', () => {
  it('parses the status line, with or without a reason phrase', () => {
    for (const [line, reason] of [
      ['HTTP/1.1 101 Switching Protocols', 'Switching Protocols'],
      ['HTTP/1.1 101 ', ''],
      ['HTTP/1.1 101', ''],
    ] as const) {
      const result = HttpHeadParser.response().push(ascii(`${line}\r\nUpgrade: websocket\r\n\r\n`));
      expect(result.type === 'head' && [result.head.status, result.head.reason]).toEqual([101, reason]);
    }
  });
  it('refuses a malformed status line', () => {
    for (const line of ['HTTP/1.1 1011 x', 'HTTP/1.1 abc', 'ICY 200 OK', 'HTTP/1.1  101']) {
      const result = HttpHeadParser.response().push(ascii(`${line}\r\n\r\n`));
      expect(result.type === 'error' && result.error.reason).toBe('invalid-status-line');
    }
  });
});

describe('header grammar', () => {
  it('parseTokenList: comma lists with OWS, empty elements and repeated fields (RFC 7230 §7)', () => {
    expect(parseTokenList(['chat, superchat', ' ,v2 ,\t,'])).toEqual(['chat', 'superchat', 'v2']);
    expect(parseTokenList([])).toEqual([]);
    expect(parseTokenList(['chat, "quoted"'])).toBeUndefined();
    expect(parseTokenList(['a b'])).toBeUndefined();
  });

  it('parseExtensions: parameters, quoted values and repeated fields (RFC 6455 §9.1)', () => {
    expect(
      parseExtensions([
        'permessage-deflate; client_max_window_bits ; server_max_window_bits="10"',
        'x-foo,  permessage-deflate ;server_no_context_takeover',
      ]),
    ).toEqual([
      { name: 'permessage-deflate', params: [['client_max_window_bits', null], ['server_max_window_bits', '10']] },
      { name: 'x-foo', params: [] },
      { name: 'permessage-deflate', params: [['server_no_context_takeover', null]] },
    ]);
    expect(parseExtensions(['a; b = "c\\d"'])).toEqual([{ name: 'a', params: [['b', 'cd']] }]); // quoted-pair
    // An escaped backslash unescapes to a backslash, which is not a token character: refused (§9.1).
    expect(parseExtensions(['a; b="c\\\\"'])).toBeUndefined();
    expect(parseExtensions([''])).toEqual([]);
  });

  it('parseExtensions refuses malformed values', () => {
    for (const value of [
      'a;',
      '; a',
      'a; b=',
      'a; b="c',
      'a; b="c d"', // the unquoted value must be a token (§9.1)
      'a; b=c d',
      'a b',
      'a; b="c"d',
      'a; =c',
      'a, "b"',
    ]) {
      expect(parseExtensions([value])).toBeUndefined();
    }
  });

  it('law: formatExtensions then parseExtensions gives back the offers', () => {
    const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,10}$/);
    const offer = fc.record({ name: token, params: fc.array(fc.tuple(token, fc.option(token, { nil: null })), { maxLength: 4 }) });
    fc.assert(
      fc.property(fc.array(offer, { maxLength: 4 }), (offers) => {
        expect(parseExtensions([formatExtensions(offers)])).toEqual(offers);
      }),
    );
  });

  it('formatExtensions refuses names and values that are not tokens', () => {
    expect(() => formatExtensions([{ name: 'a b', params: [] }])).toThrow(TypeError);
    expect(() => formatExtensions([{ name: 'a', params: [['b', 'c\r\nX: y']] }])).toThrow(TypeError);
  });

  it('HttpHeaders refuses header injection: CR, LF and control bytes, bad names', () => {
    for (const value of ['a\r\nX-Injected: 1', 'a\nb', 'a\rb', 'a\x00', 'a\x1f', 'a\x7f', ' padded', '\tpadded', 'padded\t', 'padded ', '\u0100']) {
      expect(() => new HttpHeaders([['X-Test', value]])).toThrow(TypeError);
    }
    for (const name of ['', 'Bad Name', 'X:Y', 'X\r\n']) {
      expect(() => new HttpHeaders({ [name]: 'v' })).toThrow(TypeError);
    }
    expect(new HttpHeaders({ 'X-Ok': 'tab\tinside and spaces' }).get('x-ok')).toBe('tab\tinside and spaces');
    // obs-text (%x80-FF, RFC 7230 §3.2.6) is allowed in a value; U+0100 and above have no byte to send.
    expect(new HttpHeaders({ 'X-Ok': 'caf\u00e9 \u0080\u00ff' }).get('x-ok')).toBe('caf\u00e9 \u0080\u00ff');
    expect(new HttpHeaders([['A', '1'], ['a', '2']]).size).toBe(2);
  });

  it('HttpHeaders built without fields holds none', () => {
    const empty = new HttpHeaders();
    expect([empty.size, [...empty]]).toEqual([0, []]);
  });
});
