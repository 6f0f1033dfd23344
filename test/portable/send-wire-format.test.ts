/**
 * The send path's wire format, read back byte by byte by this test's own
 * parser of RFC 6455 §5.2 (not the codec's decoder): for binary payloads of
 * the lengths where the encoding changes (0, 125, 126, 65535, 65536) and for
 * ASCII and non-ASCII texts of 64 units to 16 KiB, with and without
 * `fragmentSize`, each frame uses the minimal length encoding, a client masks
 * and a server does not (§5.1), no RSV bit is set, no frame exceeds
 * `fragmentSize` (§5.4), the frames form one message (opcode, then
 * continuations; FIN on the last only), and the unmasked payloads are exactly
 * the message's bytes (text: its UTF-8, RFC 3629). The peer decodes the same message.
 */
import { describe, expect, it } from 'vitest';
import { WebSocketConnection, type Role } from 'wscodec';
import { fc, runs } from '../helpers/fast-check.ts';
import { concat, utf8 } from '../helpers/bytes.ts';
import { parseWire, type WireFrame } from '../helpers/wire.ts';

/** Checks that `frames` are one data message of `opcode` carrying `expected`, as the sender's role and options require. */
function expectOneMessage(frames: WireFrame[], role: Role, opcode: number, expected: Uint8Array, fragmentSize?: number): void {
  expect(frames.length).toBeGreaterThan(0);
  expect(frames.map((f) => f.opcode)).toEqual(frames.map((_, i) => (i === 0 ? opcode : 0)));
  expect(frames.map((f) => f.fin)).toEqual(frames.map((_, i) => i === frames.length - 1));
  expect(frames.every((f) => f.rsv === 0 && f.masked === (role === 'client'))).toBe(true);
  if (fragmentSize !== undefined) expect(Math.max(...frames.map((f) => f.payload.length))).toBeLessThanOrEqual(fragmentSize);
  const payload = concat(frames.map((f) => f.payload));
  expect(payload.length).toBe(expected.length);
  expect(payload.every((b, i) => b === expected[i])).toBe(true);
}

const peerOf = (role: Role): Role => (role === 'client' ? 'server' : 'client');

const BINARY_LENGTHS = [0, 1, 125, 126, 127, 16383, 16384, 65535, 65536, 65537];
const FRAGMENT_SIZES = [undefined, 1, 2, 3, 4, 100, 125, 126, 127, 16384, 65535, 65536];

// Text: an ASCII prefix of a length around the send path's thresholds, then
// a repeated alphabet of characters of 1–4 UTF-8 bytes (and lone surrogates,
// sent as U+FFFD), up to a total of 64 units to 16 KiB.
const character = fc.oneof(
  fc.constantFrom('a', '~', '\u007f'),
  fc.constantFrom('é', 'ÿ', '\u0080', '\u07ff'),
  fc.constantFrom('€', '\u0800', '\uffff', '\ufeff'),
  fc.constantFrom('😀', '\u{10000}', '\u{10ffff}'),
  fc.constantFrom('\ud800', '\udfff'),
);
const text = fc
  .record({
    prefix: fc.constantFrom(0, 1, 63, 64, 65, 125, 126, 1000, 16383, 16384),
    alphabet: fc.array(character, { minLength: 1, maxLength: 6 }),
    units: fc.oneof(fc.constantFrom(64, 65, 125, 126, 127, 16383, 16384, 16385), fc.integer({ min: 64, max: 16384 })),
  })
  .map(({ prefix, alphabet, units }) => {
    const body = alphabet.join('');
    let s = 'a'.repeat(Math.min(prefix, units));
    while (s.length < units) s += body;
    return s;
  });
const fragmentSize = (length: number) =>
  fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(...FRAGMENT_SIZES.filter((n) => n !== undefined && n * 4096 >= length)),
    fc.double({ min: 0.05, max: 1.5, noNaN: true }).map((r) => Math.max(1, Math.round(length * r))),
  );

describe('masking keys (RFC 6455 §5.3)', () => {
  it('a client masks every frame it sends with a key of its own, whatever the path that built the frame', () => {
    const conn = new WebSocketConnection({ role: 'client', fragmentSize: 20_000 });
    const sends = [
      () => conn.sendText('short ASCII'),
      () => conn.sendText('short ASCII'),
      () => conn.sendText(''),
      () => conn.sendText('é short'),
      () => conn.sendText('a'.repeat(300)),
      () => conn.sendText('é'.repeat(300)),
      () => conn.sendText('a'.repeat(30_000)),
      () => conn.sendBinary(new Uint8Array(10)),
      () => conn.sendBinary(new Uint8Array(70_000)),
      () => conn.ping(),
    ];
    for (const send of sends) send();
    const frames = parseWire(concat(conn.dataToSend()));
    expect(frames.length).toBeGreaterThan(sends.length);
    expect(frames.every((f) => f.masked && f.key?.length === 4)).toBe(true);
    // Four random bytes per key: two frames sharing one, by chance, is a 1-in-10^8 event here.
    expect(new Set(frames.map((f) => Array.from(f.key!).join())).size).toBe(frames.length);
  });

  it('keys stay fresh over thousands of frames (the random bytes are drawn in batches, refilled as they run out)', () => {
    const conn = new WebSocketConnection({ role: 'client' });
    for (let i = 0; i < 5000; i++) conn.sendText('k');
    const keys = parseWire(concat(conn.dataToSend())).map((f) => Array.from(f.key!).join());
    expect(keys).toHaveLength(5000);
    // 5,000 random 32-bit keys: a repeat is rare (about 3 in 1,000 runs has one); a stale batch repeats thousands.
    expect(new Set(keys).size).toBeGreaterThan(4990);
  });
});

describe('send path wire format (RFC 6455 §5.2, §5.4)', () => {
  for (const role of ['client', 'server'] as const) {
    it(`${role}: binary at every length-encoding boundary, every fragment size: minimal headers, right bytes`, () => {
      for (const length of BINARY_LENGTHS) {
        const data = Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 255);
        for (const size of FRAGMENT_SIZES) {
          if (size !== undefined && length / size > 5000) continue; // keep the frame count sane
          const conn = new WebSocketConnection({ role, ...(size === undefined ? {} : { fragmentSize: size }) });
          conn.sendBinary(data);
          const wire = concat(conn.dataToSend());
          expectOneMessage(parseWire(wire), role, 2, data, size);
          const events = new WebSocketConnection({ role: peerOf(role), maxFragments: 1 << 20 }).receive(wire);
          expect(events.map((e) => e.type)).toEqual(['binary']);
          const received = (events[0] as { data: Uint8Array }).data;
          expect(received.length === length && received.every((b, i) => b === data[i])).toBe(true);
        }
      }
    });

    it(`${role}: ASCII and non-ASCII texts of 64 units to 16 KiB, with and without fragmentSize: minimal headers, exact UTF-8`, () => {
      fc.assert(
        fc.property(
          text.chain((t) => fc.tuple(fc.constant(t), fragmentSize(utf8(t).length))),
          ([t, size]) => {
            const conn = new WebSocketConnection({ role, ...(size === undefined ? {} : { fragmentSize: size }) });
            conn.sendText(t);
            const wire = concat(conn.dataToSend());
            const expected = utf8(t);
            expectOneMessage(parseWire(wire), role, 1, expected, size);
            const events = new WebSocketConnection({ role: peerOf(role), maxFragments: 1 << 20 }).receive(wire);
            expect(events).toEqual([{ type: 'text', data: new TextDecoder('utf-8', { ignoreBOM: true }).decode(expected) }]);
          },
        ),
        { numRuns: runs(150) },
      );
    });

    it(`${role}: short texts (1–70 units) with a character at each UTF-8 length boundary, at every position: exact UTF-8`, () => {
      // U+007F/U+0080 (1/2 bytes), U+07FF/U+0800 (2/3), U+FFFF/U+10000 (3/4), and a lone surrogate (sent as U+FFFD).
      for (const special of ['\u007f', '\u0080', '\u07ff', '\u0800', '\uffff', '\u{10000}', '\ud800']) {
        for (const length of [1, 2, 63, 64, 65, 70]) {
          for (const at of new Set([0, Math.floor(length / 2), length - 1])) {
            const t = 'x'.repeat(at) + special + 'y'.repeat(Math.max(0, length - at - 1));
            const conn = new WebSocketConnection({ role });
            conn.sendText(t);
            expectOneMessage(parseWire(concat(conn.dataToSend())), role, 1, utf8(t));
          }
        }
      }
    });

    it(`${role}: short texts of NUL and U+0080 alone (their UTF-16 units OR together to exactly 0x80): exact UTF-8`, () => {
      // U+0080 is two bytes in UTF-8 (C2 80, RFC 3629); a test of the units against 0x80 must count it as non-ASCII.
      for (const t of ['\u0000\u0080', '\u0000\u0000\u0080', '\u0000\u0080\u0000']) {
        const conn = new WebSocketConnection({ role });
        conn.sendText(t);
        expectOneMessage(parseWire(concat(conn.dataToSend())), role, 1, utf8(t));
      }
    });

    it(`${role}: a message sent in parts (fin: false) is one message on the wire, each part framed as above`, () => {
      fc.assert(
        fc.property(fc.array(text, { minLength: 1, maxLength: 3 }), fc.constantFrom(undefined, 64, 126, 1000), (parts, size) => {
          const conn = new WebSocketConnection({ role, ...(size === undefined ? {} : { fragmentSize: size }) });
          parts.forEach((p, i) => conn.sendText(p, { fin: i === parts.length - 1 }));
          const wire = concat(conn.dataToSend());
          // Each part is encoded on its own: a surrogate pair split between two parts is two lone surrogates (U+FFFD each).
          expectOneMessage(parseWire(wire), role, 1, concat(parts.map(utf8)), size);
        }),
        { numRuns: runs(40) },
      );
    });
  }
});
