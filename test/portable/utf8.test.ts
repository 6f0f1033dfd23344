/**
 * UTF-8 validation of text (RFC 6455 §8.1, RFC 3629 §4): fail-fast, at the
 * byte where the text stops being a prefix of valid UTF-8, across fragments
 * and chunk boundaries.
 */
import { fc, runs } from '../helpers/fast-check.ts';
import { describe, expect, it } from 'vitest';
import { Utf8Validator, WebSocketConnection, type Extension, type WebSocketEvent } from 'wscodec';
import { concat, rawFrame, utf8 } from '../helpers/bytes.ts';
import { failure, withoutMessages } from '../helpers/events.ts';

/** An unmasked (server-to-client) frame, or a masked one (client-to-server) for a server to read. */
const frame = (opcode: number, payload: Uint8Array, fin = true, mask = false) => rawFrame({ opcode, payload, fin, mask });
// Both directions: a client reads unmasked frames; a server reads masked ones, unmasked while they are copied.
const ROLES = [
  ['client', false],
  ['server', true],
] as const;

// The oracle, independent of the validator: a byte string is a prefix of valid
// UTF-8 if some completion of at most 3 continuation bytes decodes strictly.
const strict = new TextDecoder('utf-8', { fatal: true });
const decodes = (b: Uint8Array) => {
  try {
    strict.decode(b);
    return true;
  } catch {
    return false;
  }
};
const TAILS = [0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf];
function isValidPrefix(b: Uint8Array): boolean {
  if (decodes(b)) return true;
  let tails: number[][] = [[]];
  for (let k = 1; k <= 3; k++) {
    tails = tails.flatMap((t) => TAILS.map((x) => [...t, x]));
    if (tails.some((t) => decodes(concat([b, Uint8Array.from(t)])))) return true;
  }
  return false;
}
/** Index of the byte at which `b` stops being a prefix of valid UTF-8, or -1. */
function firstInvalid(b: Uint8Array): number {
  for (let i = 1; i <= b.length; i++) if (!isValidPrefix(b.subarray(0, i))) return i - 1;
  return -1;
}

// Each class of invalid input (RFC 3629 §3, §4), behind a valid multi-byte prefix.
const INVALID: [string, number[]][] = [
  ['overlong 2-byte', [0xc0, 0xaf]],
  ['overlong 2-byte C1', [0xc1, 0xbf]],
  ['overlong 3-byte', [0xe0, 0x80, 0xaf]],
  ['overlong 4-byte', [0xf0, 0x80, 0x80, 0xaf]],
  ['surrogate D800', [0xed, 0xa0, 0x80]],
  ['surrogate DFFF', [0xed, 0xbf, 0xbf]],
  ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ['lead F5', [0xf5, 0x80, 0x80, 0x80]],
  ['byte FF', [0xff]],
  ['stray continuation', [0x80]],
  ['missing continuation', [0xe2, 0x82, 0x41]],
  ['truncated at message end', [0xf0, 0x9f, 0x98]],
];
const PREFIX = utf8('κόσμε');
const SUFFIX = utf8('ok');

describe('Utf8Validator', () => {
  it('fails exactly at the first byte that cannot continue valid UTF-8, fed in any pieces', () => {
    const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x41, 0x80, 0xbf, 0xc2, 0xe0, 0xed, 0xef, 0xf0, 0xf4));
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 12 }).map((a) => Uint8Array.from(a)), fc.array(fc.nat(), { maxLength: 4 }), (bytes, cuts) => {
        const expected = firstInvalid(bytes);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1))), bytes.length].sort((a, b) => a - b);
        const v = new Utf8Validator();
        let start = 0;
        let failedIn: [number, number] | undefined;
        for (const p of points) {
          if (!v.write(bytes.subarray(start, p))) {
            failedIn = [start, p];
            break;
          }
          start = p;
        }
        if (expected === -1) {
          expect(failedIn).toBeUndefined();
          expect(v.complete).toBe(decodes(bytes));
        } else {
          expect(failedIn).toBeDefined();
          expect(expected).toBeGreaterThanOrEqual(failedIn![0]);
          expect(expected).toBeLessThan(failedIn![1]);
        }
      }),
      { numRuns: runs(1000) },
    );
  });

  it('judges only the bytes of its piece: a view at any byteOffset, or [start, end), in a long ASCII run with one bad byte anywhere', () => {
    // Long ASCII runs are read a word at a time: the words must start and end where the piece does,
    // whatever bytes lie around it in the same ArrayBuffer.
    const RUN = 48;
    for (let offset = 0; offset < 8; offset++) {
      for (const around of [0x41, 0xff]) {
        const backing = new Uint8Array(offset + RUN + 8).fill(around);
        const view = backing.subarray(offset, offset + RUN);
        const check = (expected: boolean, at: number, bad: number) => {
          expect([offset, around, at, bad, new Utf8Validator().write(view)]).toEqual([offset, around, at, bad, expected]);
          expect([offset, around, at, bad, new Utf8Validator().write(backing, offset, offset + RUN)]).toEqual([offset, around, at, bad, expected]);
        };
        view.fill(0x61);
        check(true, -1, 0);
        // A stray continuation byte, a lead that is never valid, a byte never in UTF-8 (RFC 3629 §4).
        for (const bad of [0x80, 0xbf, 0xc0, 0xff]) {
          for (let at = 0; at < RUN; at++) {
            view.fill(0x61);
            view[at] = bad;
            check(false, at, bad);
          }
        }
      }
    }
    // A piece that ends where its ArrayBuffer does, of a length that is not a whole number of words.
    for (let length = RUN - 8; length <= RUN; length++) {
      for (let at = 0; at < length; at++) {
        const bytes = new Uint8Array(length).fill(0x61);
        bytes[at] = 0xff;
        expect([length, at, new Utf8Validator().write(bytes)]).toEqual([length, at, false]);
      }
    }
  });

  it('accepts every valid string, split anywhere', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.nat(), (s, cut) => {
        const b = utf8(s);
        const at = cut % (b.length + 1);
        const v = new Utf8Validator();
        expect(v.write(b.subarray(0, at)) && v.write(b.subarray(at))).toBe(true);
        expect(v.complete).toBe(true);
      }),
    );
  });
});

describe('text messages fail fast with 1007 (RFC 6455 §8.1)', () => {
  for (const [name, bad] of INVALID) for (const [role, mask] of ROLES) {
    const payload = concat([PREFIX, Uint8Array.from(bad), name.startsWith('truncated') ? new Uint8Array(0) : SUFFIX]);
    const failAt = firstInvalid(payload); // -1 for the truncated case: it fails at the end
    it(`${name} (${role}): fragmented at every position, fails with the fragment that holds the bad byte`, () => {
      for (let split = 0; split <= payload.length; split++) {
        for (const streamMessages of [false, true]) {
          const client = new WebSocketConnection({ role, streamMessages });
          const first = client.receive(frame(1, payload.subarray(0, split), false, mask));
          const second = client.receive(frame(0, payload.subarray(split), true, mask));
          const inFirst = failAt !== -1 && failAt < split;
          const errors = (events: WebSocketEvent[]) => events.filter((e) => e.type === 'error');
          expect(withoutMessages(errors(first))).toEqual(inFirst ? [failure(1007)] : []);
          expect(withoutMessages(errors(second))).toEqual(inFirst ? [] : [failure(1007)]);
          expect(second.filter((e) => e.type === 'text' || (e.type === 'text-fragment' && e.last))).toEqual([]);
        }
      }
    });
    it(`${name} (${role}): one frame cut into chunks at every position, fails with the chunk that holds the bad byte`, () => {
      const wire = frame(1, payload, true, mask);
      const headerSize = wire.length - payload.length;
      for (let cut = 0; cut <= wire.length; cut++) {
        const client = new WebSocketConnection({ role });
        const first = client.receive(wire.slice(0, cut));
        const second = client.receive(wire.slice(cut));
        const inFirst = failAt === -1 ? cut === wire.length : failAt < cut - headerSize;
        expect(first.length).toBe(inFirst ? 1 : 0);
        expect(withoutMessages([...first, ...second])).toEqual([failure(1007)]);
      }
    });
  }

  it('long texts (the word-at-a-time ASCII scan, the SIMD copy): fail with the chunk that holds the first bad byte', () => {
    // ASCII runs long enough for the word loop, around the bad bytes, at several alignments.
    for (const [name, bad] of INVALID.filter(([n]) => !n.startsWith('truncated'))) {
      for (const lead of [0, 1, 3, 300]) {
        const payload = concat([utf8('a'.repeat(lead)), PREFIX, utf8('b'.repeat(301)), Uint8Array.from(bad), utf8('c'.repeat(200))]);
        const failAt = firstInvalid(payload);
        for (const [role, mask] of ROLES) {
          const wire = concat([frame(1, payload.subarray(0, 150), false, mask), frame(0, payload.subarray(150), true, mask)]);
          for (const cut of [1, 100, 160, failAt + 8, failAt + 9, failAt + 12, failAt + 20, wire.length - 1]) {
            const c = new WebSocketConnection({ role });
            const first = c.receive(wire.slice(0, cut));
            const second = c.receive(wire.slice(cut));
            // Where the first bad byte lies on the wire: after the first frame's header, and the second's if past it.
            const firstHeader = mask ? 8 : 4;
            const wireAt = failAt < 150 ? firstHeader + failAt : firstHeader + 150 + (wire.length - payload.length - firstHeader) + (failAt - 150);
            const inFirst = wireAt < cut;
            expect([name, lead, role, cut, withoutMessages(first)]).toEqual([name, lead, role, cut, inFirst ? [failure(1007)] : []]);
            expect([name, lead, role, cut, withoutMessages(second)]).toEqual([name, lead, role, cut, inFirst ? [] : [failure(1007)]]);
          }
        }
      }
    }
  });

  it('long valid texts arrive whole through every path (masked, unmasked, fragmented, re-chunked)', () => {
    const textValue = `${'ascii '.repeat(60)}κόσμε€😀${'z'.repeat(500)}ü`;
    const payload = utf8(textValue);
    for (const [role, mask] of ROLES) {
      const wire = concat([frame(1, payload.subarray(0, 333), false, mask), frame(0, payload.subarray(333), true, mask)]);
      for (const size of [1, 7, 64, 129, 400, wire.length]) {
        const c = new WebSocketConnection({ role });
        const events = [];
        for (let at = 0; at < wire.length; at += size) events.push(...c.receive(wire.slice(at, at + size)));
        expect(events).toEqual([{ type: 'text', data: textValue }]);
      }
    }
  });

  it('accepts multi-byte characters split across fragments at every position, keeping a leading BOM', () => {
    const textValue = '\u{feff}a€𝄞ü😀';
    const payload = utf8(textValue);
    for (let split = 0; split <= payload.length; split++) {
      for (let split2 = split; split2 <= payload.length; split2++) {
        const client = new WebSocketConnection({ role: 'client' });
        const events = [
          ...client.receive(frame(1, payload.subarray(0, split), false)),
          ...client.receive(frame(0, payload.subarray(split, split2), false)),
          ...client.receive(frame(0, payload.subarray(split2))),
        ];
        expect(events).toEqual([{ type: 'text', data: textValue }]);
      }
    }
  });

  it('streaming mode validates a chunk that is a view at any byteOffset on its own bytes (fail-fast, §8.1)', () => {
    // The pieces handed to the validator are views of the caller's chunk; the bytes before them
    // (a mask key of non-ASCII bytes, other data in the same buffer) must not count.
    const key = Uint8Array.of(0x80, 0x91, 0xa2, 0xb3);
    const valid = utf8('a'.repeat(60));
    for (let offset = 0; offset < 8; offset++) {
      for (let at = -1; at < valid.length; at++) {
        const payload = valid.slice();
        if (at >= 0) payload[at] = 0xff;
        const wire = rawFrame({ opcode: 1, payload, mask: key });
        const backing = new Uint8Array(offset + wire.length).fill(0xff);
        backing.set(wire, offset);
        const server = new WebSocketConnection({ role: 'server', streamMessages: true });
        const events = server.receive(backing.subarray(offset));
        const expected = at < 0 ? [{ type: 'text-fragment', data: 'a'.repeat(60), first: true, last: true }] : [failure(1007)];
        expect([offset, at, withoutMessages(events)]).toEqual([offset, at, expected]);
      }
    }
  });

  it('streaming mode hands out whole characters per piece', () => {
    const payload = utf8('a😀b');
    const client = new WebSocketConnection({ role: 'client', streamMessages: true });
    const events = [...client.receive(frame(1, payload.subarray(0, 3), false)), ...client.receive(frame(0, payload.subarray(3)))];
    expect(events).toEqual([
      { type: 'text-fragment', data: 'a', first: true, last: false },
      { type: 'text-fragment', data: '😀b', first: false, last: true },
    ]);
  });

  it('a fragmented text that ends inside a UTF-8 sequence fails with a reason that says so', () => {
    for (const [role, mask] of ROLES) {
      for (const tail of [[0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc3]]) {
        const c = new WebSocketConnection({ role });
        const first = c.receive(frame(1, utf8('κόσμε'), false, mask));
        const events = c.receive(frame(0, Uint8Array.from(tail), true, mask));
        expect(first).toEqual([]);
        expect(withoutMessages(events)).toEqual([failure(1007)]);
        expect((events[0] as { message: string }).message).toContain('ends inside a UTF-8 sequence');
      }
    }
  });

  it('a text cut short gets the same reason on every path; an invalid byte gets the other (§8.1)', () => {
    // Whole in one frame (short, long), in fragments (with an empty first one), under an
    // extension, streamed or not: the reason names what is wrong, not the path that found it.
    const cutShort = (body: string) => concat([utf8(body), Uint8Array.of(0xe2, 0x82)]);
    const invalid = (body: string) => concat([utf8(body), Uint8Array.of(0xff)]);
    const identity: Extension = { name: 'x-identity', rsvBits: 0, encode: (f) => f, decode: (f) => f };
    const shapes: Array<[string, (bytes: Uint8Array, mask: boolean) => Uint8Array[]]> = [
      ['one frame', (b, m) => [frame(1, b, true, m)]],
      ['an empty first fragment, then the rest', (b, m) => [frame(1, new Uint8Array(0), false, m), frame(0, b, true, m)]],
      ['two fragments', (b, m) => [frame(1, b.subarray(0, 3), false, m), frame(0, b.subarray(3), true, m)]],
    ];
    for (const [role, mask] of ROLES) {
      for (const body of ['κόσμε', 'a'.repeat(200), 'é'.repeat(300)]) {
        for (const [shape, frames] of shapes) {
          for (const options of [{}, { streamMessages: true }, { extensions: [identity] }]) {
            for (const [bytes, reason] of [[cutShort(body), 'ends inside a UTF-8 sequence'], [invalid(body), 'invalid UTF-8']] as const) {
              const c = new WebSocketConnection({ role, ...options });
              const events = frames(bytes, mask).flatMap((f) => c.receive(f));
              const error = events.find((e) => e.type === 'error') as { code: number; message: string } | undefined;
              expect([shape, error?.code, error?.message.includes(reason)]).toEqual([shape, 1007, true]);
            }
          }
        }
      }
    }
  });

  it('validates close reasons (§5.5.1)', () => {
    for (const [, bad] of INVALID) {
      const client = new WebSocketConnection({ role: 'client' });
      const events = client.receive(frame(8, concat([Uint8Array.of(3, 232), Uint8Array.from(bad)])));
      expect(withoutMessages(events)).toEqual([failure(1007)]);
    }
  });
});
