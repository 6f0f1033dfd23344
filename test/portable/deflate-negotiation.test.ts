/**
 * Negotiating permessage-deflate (RFC 7692 §5, §7.1) through the real
 * handshakes: what a server answers to each offer or why it declines it, and
 * which responses a client accepts or fails the handshake on, with the reason.
 */
import { describe, expect, it } from 'vitest';
import { ClientHandshake, computeAcceptKey, ServerHandshake, type Extension } from 'wscodec';
import { PerMessageDeflateClient, PerMessageDeflateServer, type PerMessageDeflate, type PerMessageDeflateOptions } from 'wscodec/deflate';
import { ascii } from '../helpers/bytes.ts';
import { connectedPair, framesOf } from '../helpers/deflate.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** The server's answer to a request offering `offers` (a raw header value): the response header, and the agreed parameters. */
function serverAnswer(offers: string, options: PerMessageDeflateOptions = {}, others: Extension[] = []) {
  const handshake = new ServerHandshake({
    extensions: [
      ...others.map((extension) => ({ name: extension.name, accept: () => ({ params: [], extension }) })),
      new PerMessageDeflateServer(options),
    ],
  });
  const head = `GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n`;
  const others_ = others.map((e) => `${e.name}, `).join('');
  const received = handshake.receive(ascii(`${head}Sec-WebSocket-Extensions: ${others_}${offers}\r\n\r\n`));
  expect(received.type).toBe('request');
  const accepted = handshake.accept();
  const text = new TextDecoder().decode(accepted.response);
  const header = /\r\nSec-WebSocket-Extensions: ([^\r]*)\r\n/i.exec(text)?.[1];
  const deflate = accepted.extensions.find((e) => e.name === 'permessage-deflate') as PerMessageDeflate | undefined;
  return { header, params: deflate?.params };
}

/** What a client with `options` makes of a response whose Sec-WebSocket-Extensions is `answer`. */
function clientOutcome(answer: string, options: PerMessageDeflateOptions = {}) {
  const result = clientReceive(answer, options);
  if (result.type === 'accepted') return { params: (result.extensions[0] as PerMessageDeflate).params };
  if (result.type === 'error') return { reason: result.error.reason };
  throw new Error(result.type);
}

/** The client handshake's result for a response whose Sec-WebSocket-Extensions is `answer`. */
function clientReceive(answer: string, options: PerMessageDeflateOptions) {
  const handshake = new ClientHandshake({ url: 'ws://127.0.0.1:9/', extensions: [new PerMessageDeflateClient(options)] });
  const request = new TextDecoder().decode(handshake.request());
  const key = /Sec-WebSocket-Key: ([^\r]*)/i.exec(request)![1]!;
  const response = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAcceptKey(key)}\r\nSec-WebSocket-Extensions: ${answer}\r\n\r\n`;
  return handshake.receive(ascii(response));
}

const DEFAULT_PARAMS = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };

describe('the client offer (RFC 7692 §7.1)', () => {
  const offerOf = (options?: PerMessageDeflateOptions) => {
    const request = new TextDecoder().decode(new ClientHandshake({ url: 'ws://127.0.0.1:9/', extensions: [new PerMessageDeflateClient(options)] }).request());
    return /\r\nSec-WebSocket-Extensions: ([^\r]*)\r\n/.exec(request)?.[1];
  };
  it('by default: permessage-deflate; client_max_window_bits (as browsers offer)', () => {
    expect(offerOf()).toBe('permessage-deflate; client_max_window_bits');
  });
  it('all four parameters when asked', () => {
    expect(offerOf({ serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 12 })).toBe(
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12',
    );
  });
  it('without client_max_window_bits when clientMaxWindowBits is false', () => {
    expect(offerOf({ clientMaxWindowBits: false })).toBe('permessage-deflate');
  });
  it('each refusal names the option, its range and the value given', () => {
    const cases: Array<[PerMessageDeflateOptions, RegExp]> = [
      [{ level: 10 }, /level must be an integer from 0 to 9, got 10/],
      [{ level: 1.5 }, /level must be an integer from 0 to 9, got 1\.5/],
      [{ memLevel: 0 }, /memLevel must be an integer from 1 to 9, got 0/],
      [{ serverMaxWindowBits: 7 }, /serverMaxWindowBits must be an integer from 8 to 15, got 7/],
      [{ clientMaxWindowBits: 16 }, /clientMaxWindowBits must be an integer from 8 to 15, got 16/],
      [{ threshold: -1 }, /threshold must be a non-negative integer, got -1/],
    ];
    for (const [options, message] of cases) expect(() => new PerMessageDeflateServer(options)).toThrow(message);
  });
  it('the bounds themselves are accepted (RFC 7692 §7.1.2: window bits 8 to 15)', () => {
    for (const options of [{ level: 0, memLevel: 1, serverMaxWindowBits: 8, clientMaxWindowBits: 8, threshold: 0 }, { level: 9, memLevel: 9, serverMaxWindowBits: 15, clientMaxWindowBits: 15 }]) {
      expect(() => new PerMessageDeflateClient(options)).not.toThrow();
      expect(() => new PerMessageDeflateServer(options)).not.toThrow();
    }
  });
  it('a window option that is neither a number nor a boolean throws TypeError naming the option', () => {
    for (const name of ['serverMaxWindowBits', 'clientMaxWindowBits'] as const) {
      const options = { [name]: '10' } as unknown as PerMessageDeflateOptions;
      expect(() => new PerMessageDeflateClient(options)).toThrow(TypeError);
      expect(() => new PerMessageDeflateServer(options)).toThrow(new RegExp(`${name} must be a number from 8 to 15 or a boolean`));
    }
  });
  it('options out of range throw RangeError at construction', () => {
    for (const options of [{ level: 10 }, { memLevel: 0 }, { serverMaxWindowBits: 7 }, { clientMaxWindowBits: 16 }, { threshold: -1 }, { level: 1.5 }]) {
      expect(() => new PerMessageDeflateClient(options)).toThrow(RangeError);
      expect(() => new PerMessageDeflateServer(options)).toThrow(RangeError);
    }
  });
});

describe('the server answer (RFC 7692 §7.1)', () => {
  const accepted: Array<[name: string, offer: string, options: PerMessageDeflateOptions, header: string, params: Partial<typeof DEFAULT_PARAMS>]> = [
    ['a plain offer', 'permessage-deflate', {}, 'permessage-deflate', {}],
    ["Chromium's offer", 'permessage-deflate; client_max_window_bits', {}, 'permessage-deflate', {}],
    ['server_no_context_takeover is accepted by echoing it (§7.1.1.1)', 'permessage-deflate; server_no_context_takeover', {}, 'permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: true }],
    ['client_no_context_takeover is echoed (§7.1.1.2)', 'permessage-deflate; client_no_context_takeover', {}, 'permessage-deflate; client_no_context_takeover', { clientNoContextTakeover: true }],
    ['the server may ask for no context takeover on both sides', 'permessage-deflate', { serverNoContextTakeover: true, clientNoContextTakeover: true }, 'permessage-deflate; server_no_context_takeover; client_no_context_takeover', { serverNoContextTakeover: true, clientNoContextTakeover: true }],
    ['server_max_window_bits is answered with the value (§7.1.2.1)', 'permessage-deflate; server_max_window_bits=10', {}, 'permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 10 }],
    ['server_max_window_bits=8 is accepted (honoured by run-length matches only)', 'permessage-deflate; server_max_window_bits=8', {}, 'permessage-deflate; server_max_window_bits=8', { serverMaxWindowBits: 8 }],
    ['a quoted value is the same value (RFC 6455 §9.1)', 'permessage-deflate; server_max_window_bits="10"', {}, 'permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 10 }],
    ["the server's own cap answers even an offer without the parameter (§7.1.2.1)", 'permessage-deflate', { serverMaxWindowBits: 11 }, 'permessage-deflate; server_max_window_bits=11', { serverMaxWindowBits: 11 }],
    ['the smaller of the offer and the cap', 'permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 11 }, 'permessage-deflate; server_max_window_bits=11', { serverMaxWindowBits: 11 }],
    ['the smaller of the offer and the cap (offer smaller)', 'permessage-deflate; server_max_window_bits=9', { serverMaxWindowBits: 11 }, 'permessage-deflate; server_max_window_bits=9', { serverMaxWindowBits: 9 }],
    ['client_max_window_bits with a value is answered with it (§7.1.2.2)', 'permessage-deflate; client_max_window_bits=12', {}, 'permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: 12 }],
    ['the server may lower the client window when it is offered', 'permessage-deflate; client_max_window_bits', { clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=10', { clientMaxWindowBits: 10 }],
    ['never above the offered client window', 'permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 9 }],
    ['no client_max_window_bits unless offered (§7.1.2.2)', 'permessage-deflate', { clientMaxWindowBits: 10 }, 'permessage-deflate', {}],
    ['a declined offer, then an acceptable one: the second is answered (§5)', 'permessage-deflate; foo, permessage-deflate; server_max_window_bits=16, permessage-deflate; client_no_context_takeover', {}, 'permessage-deflate; client_no_context_takeover', { clientNoContextTakeover: true }],
    ['several acceptable offers: the first is answered', 'permessage-deflate; server_max_window_bits=9; server_no_context_takeover, permessage-deflate', {}, 'permessage-deflate; server_no_context_takeover; server_max_window_bits=9', { serverNoContextTakeover: true, serverMaxWindowBits: 9 }],
    ['parameter names are case-insensitive tokens', 'permessage-deflate; Server_No_Context_Takeover', {}, 'permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: true }],
  ];
  for (const [name, offer, options, header, params] of accepted) {
    it(`accepts: ${name}`, () => {
      expect(serverAnswer(offer, options)).toEqual({ header, params: { ...DEFAULT_PARAMS, ...params } });
      // refusalOf reads the offer as an offer (§7.1.2.2: client_max_window_bits may have no value there).
      const first = offer.split(', ')[0]!.split('; ').slice(1);
      if (!offer.includes(', ')) {
        const refusal = new PerMessageDeflateServer(options).refusalOf(first.map((p) => {
          const [n, v] = p.split('=');
          return [n!, v === undefined ? null : v.replace(/"/g, '')] as const;
        }));
        expect(refusal).toBeUndefined();
      }
    });
  }

  const declined: Array<[name: string, params: string, options: PerMessageDeflateOptions, reason: string]> = [
    ['an unknown parameter (§7)', 'foo', {}, 'deflate-unknown-parameter'],
    ['a duplicate parameter (§7)', 'server_no_context_takeover; server_no_context_takeover', {}, 'deflate-duplicate-parameter'],
    ['a duplicate window parameter', 'client_max_window_bits=10; client_max_window_bits=11', {}, 'deflate-duplicate-parameter'],
    ['server_no_context_takeover with a value (§7.1.1.1)', 'server_no_context_takeover=1', {}, 'deflate-invalid-parameter'],
    ['client_no_context_takeover with a value (§7.1.1.2)', 'client_no_context_takeover=true', {}, 'deflate-invalid-parameter'],
    ['server_max_window_bits without a value (§7.1.2.1)', 'server_max_window_bits', {}, 'deflate-invalid-parameter'],
    ['server_max_window_bits=7', 'server_max_window_bits=7', {}, 'deflate-invalid-parameter'],
    ['server_max_window_bits=16', 'server_max_window_bits=16', {}, 'deflate-invalid-parameter'],
    ['a leading zero (§7.1.2.1: "without leading zeros")', 'server_max_window_bits=010', {}, 'deflate-invalid-parameter'],
    ['a value that is not a number', 'server_max_window_bits=abc', {}, 'deflate-invalid-parameter'],
    ['client_max_window_bits=0', 'client_max_window_bits=0', {}, 'deflate-invalid-parameter'],
    ['client_max_window_bits=16', 'client_max_window_bits=16', {}, 'deflate-invalid-parameter'],
    ['a limit on the server window when serverMaxWindowBits is false', 'server_max_window_bits=10', { serverMaxWindowBits: false }, 'deflate-window-refused'],
  ];
  for (const [name, params, options, reason] of declined) {
    it(`declines: ${name}`, () => {
      expect(serverAnswer(`permessage-deflate; ${params}`, options)).toEqual({ header: undefined, params: undefined });
      const refusal = new PerMessageDeflateServer(options).refusalOf(params.split('; ').map((p) => {
        const [n, v] = p.split('=');
        return [n!, v ?? null] as const;
      }));
      expect(refusal?.reason).toBe(reason);
      expect(/RFC 7692|limit/.test(refusal?.message ?? '')).toBe(true);
    });
  }

  it('declines when another accepted extension already owns RSV1', () => {
    const other: Extension = { name: 'x-other', rsvBits: 0x40, encode: (f) => f, decode: (f) => f };
    expect(serverAnswer('permessage-deflate', {}, [other])).toEqual({ header: 'x-other', params: undefined });
  });

  it('accepts beside another accepted extension that uses another RSV bit (RSV2)', () => {
    const other: Extension = { name: 'x-other', rsvBits: 0x20, encode: (f) => f, decode: (f) => f };
    expect(serverAnswer('permessage-deflate', {}, [other])).toEqual({ header: 'x-other, permessage-deflate', params: DEFAULT_PARAMS });
  });
});

describe('the client check of the response (RFC 7692 §7.1)', () => {
  const accepted: Array<[name: string, answer: string, options: PerMessageDeflateOptions, params: Partial<typeof DEFAULT_PARAMS>]> = [
    ['a plain response', 'permessage-deflate', {}, {}],
    ['server_max_window_bits not asked for (§7.1.2.1: the server may limit itself)', 'permessage-deflate; server_max_window_bits=10', {}, { serverMaxWindowBits: 10 }],
    ['server_max_window_bits at most the offered value', 'permessage-deflate; server_max_window_bits=9', { serverMaxWindowBits: 10 }, { serverMaxWindowBits: 9 }],
    ['client_max_window_bits chosen by the server (offered without a value)', 'permessage-deflate; client_max_window_bits=9', {}, { clientMaxWindowBits: 9 }],
    ['client_max_window_bits=8 (the client honours it with run-length matches only)', 'permessage-deflate; client_max_window_bits=8', {}, { clientMaxWindowBits: 8 }],
    ['the offered client window applies when the response leaves it out', 'permessage-deflate', { clientMaxWindowBits: 11 }, { clientMaxWindowBits: 11 }],
    ['client_no_context_takeover asked by the server (§7.1.1.2)', 'permessage-deflate; client_no_context_takeover', {}, { clientNoContextTakeover: true }],
    ['server_no_context_takeover as asked', 'permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: true }, { serverNoContextTakeover: true }],
    ['server_no_context_takeover even if not asked', 'permessage-deflate; server_no_context_takeover', {}, { serverNoContextTakeover: true }],
    ['a plain response when serverMaxWindowBits is true (nothing was asked)', 'permessage-deflate', { serverMaxWindowBits: true }, {}],
    ['a plain response when serverMaxWindowBits is false (nothing was asked)', 'permessage-deflate', { serverMaxWindowBits: false }, {}],
  ];
  for (const [name, answer, options, params] of accepted) {
    it(`accepts: ${name}`, () => {
      expect(clientOutcome(answer, options)).toEqual({ params: { ...DEFAULT_PARAMS, ...params } });
    });
  }

  const failed: Array<[name: string, answer: string, options: PerMessageDeflateOptions, reason: string, message: RegExp]> = [
    ['an unknown parameter (§7)', 'permessage-deflate; foo', {}, 'deflate-unknown-parameter', /no parameter foo \(RFC 7692 §7\)$/],
    ['a duplicate parameter (§7)', 'permessage-deflate; client_no_context_takeover; client_no_context_takeover', {}, 'deflate-duplicate-parameter', /client_no_context_takeover appears twice \(RFC 7692 §7\)$/],
    ['client_max_window_bits without a value (§7.1.2.2: a response must give one)', 'permessage-deflate; client_max_window_bits', {}, 'deflate-invalid-parameter', /client_max_window_bits has no value \(RFC 7692 §7\.1\)$/],
    ['server_max_window_bits=16', 'permessage-deflate; server_max_window_bits=16', {}, 'deflate-invalid-parameter', /server_max_window_bits has value "16" \(RFC 7692 §7\.1\)$/],
    ['server_no_context_takeover with a value', 'permessage-deflate; server_no_context_takeover=x', {}, 'deflate-invalid-parameter', /server_no_context_takeover has value "x" \(RFC 7692 §7\.1\)$/],
    ['client_max_window_bits that was not offered (§7.1.2.2)', 'permessage-deflate; client_max_window_bits=15', { clientMaxWindowBits: false }, 'deflate-unexpected-parameter', /client_max_window_bits, which was not offered \(RFC 7692 §7\.1\.2\.2\)$/],
    ['client_max_window_bits over the offered value', 'permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: 10 }, 'deflate-window-too-large', /client_max_window_bits=12, over the 10 offered \(RFC 7692 §7\.1\.2\.2\)$/],
    ['server_max_window_bits over the offered value (§7.1.2.1)', 'permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 10 }, 'deflate-window-too-large', /server_max_window_bits=12, over the 10 offered \(RFC 7692 §7\.1\.2\.1\)$/],
    ['server_max_window_bits asked for but not answered (§7.1.2.1)', 'permessage-deflate', { serverMaxWindowBits: 10 }, 'deflate-missing-parameter', /without the server_max_window_bits=10 it asked for \(RFC 7692 §7\.1\.2\.1\)$/],
    ['server_no_context_takeover asked for but not answered (§7.1.1.1)', 'permessage-deflate', { serverNoContextTakeover: true }, 'deflate-missing-parameter', /without the server_no_context_takeover it asked for \(RFC 7692 §7\.1\.1\.1\)$/],
    ['permessage-deflate answered twice (RFC 6455 §9.1)', 'permessage-deflate, permessage-deflate', {}, 'unexpected-extension', /extension permessage-deflate, which was not offered or was answered twice \(RFC 6455 §4\.1/],
  ];
  for (const [name, answer, options, reason, message] of failed) {
    it(`fails the handshake: ${name}`, () => {
      expect(clientOutcome(answer, options)).toEqual({ reason });
      // The message (for people) names the parameter and value and cites the rule.
      const result = clientReceive(answer, options);
      const got = result.type === 'error' ? result.error.message : result.type;
      expect({ got, matches: message.test(got) }).toMatchObject({ matches: true });
    });
  }

  /** What a client offering `x-other` (an extension using `rsvBits`) then permessage-deflate makes of a response accepting both. */
  const besideOther = (rsvBits: number) => {
    const other: Extension = { name: 'x-other', rsvBits, encode: (f) => f, decode: (f) => f };
    const otherFactory = { name: 'x-other', offer: () => [], accept: () => other };
    const handshake = new ClientHandshake({ url: 'ws://127.0.0.1:9/', extensions: [otherFactory, new PerMessageDeflateClient()] });
    const key = /Sec-WebSocket-Key: ([^\r]*)/i.exec(new TextDecoder().decode(handshake.request()))![1]!;
    const response = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAcceptKey(key)}\r\nSec-WebSocket-Extensions: x-other, permessage-deflate\r\n\r\n`;
    return handshake.receive(ascii(response));
  };
  it('fails the handshake when the server also accepted an extension using RSV1 before it (RFC 6455 §9.1)', () => {
    const result = besideOther(0x40);
    expect(result.type).toBe('error');
    if (result.type !== 'error') return;
    expect(result.error.reason).toBe('deflate-rsv-conflict');
    expect({ got: result.error.message, matches: /RSV1.*RFC 6455 §9\.1/.test(result.error.message) }).toMatchObject({ matches: true });
  });
  it('accepts permessage-deflate beside an extension using another RSV bit (RSV2)', () => {
    const result = besideOther(0x20);
    expect(result.type).toBe('accepted');
    if (result.type !== 'accepted') return;
    expect(result.extensions.map((e) => e.name)).toEqual(['x-other', 'permessage-deflate']);
  });

  it('a client told client_no_context_takeover compresses each message on its own', () => {
    const { server, client } = connectedPair({ threshold: 0, clientNoContextTakeover: true }, { threshold: 0 });
    for (let i = 0; i < 2; i++) client.sendText('the same message, twice over');
    const wire = client.dataToSend();
    const [first, second] = framesOf(wire, 'server').map((f) => Array.from(f.payload));
    expect(second).toEqual(first);
    expect(wire.flatMap((c) => server.receive(c)).map((e) => e.type)).toEqual(['text', 'text']);
  });
});
