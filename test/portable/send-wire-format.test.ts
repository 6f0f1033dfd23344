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

interface WireFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Uint8Array;
}

/** Parses `bytes` as a sequence of frames after §5.2, throwing on any non-minimal or malformed header. */
function parseWire(bytes: Uint8Array): WireFrame[] {
  const frames: WireFrame[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (pos + 2 > bytes.length) throw new Error(`truncated header at ${pos}`);
    const b0 = bytes[pos]!;
    const b1 = bytes[pos + 1]!;
    let length = b1 & 0x7f;
    let at = pos + 2;
    if (length === 126) {
      length = (bytes[at]! << 8) | bytes[at + 1]!;
      // §5.2: "the minimal number of bytes MUST be used to encode the length".
      if (length < 126) throw new Error(`length ${length} sent in 16 bits`);
      at += 2;
    } else if (length === 127) {
      if (bytes[at]! & 0x80) throw new Error('64-bit length with its most significant bit set');
      length = bytes.subarray(at, at + 8).reduce((n, b) => n * 256 + b, 0);
      if (length <= 0xffff) throw new Error(`length ${length} sent in 64 bits`);
      at += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const key = masked ? bytes.subarray(at, at + 4) : undefined;
    if (masked) at += 4;
    if (at + length > bytes.length) throw new Error(`payload of ${length} bytes truncated`);
    const payload = bytes.slice(at, at + length);
    if (key) for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i & 3]!;
    frames.push({ fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, payload });
    pos = at + length;
  }
  return frames;
}

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
          expect(events.length).toBe(1);
          expect(events[0]!.type).toBe('binary');
          expect((events[0]!.data as Uint8Array).every((b, i) => b === data[i]) && (events[0]!.data as Uint8Array).length === length).toBe(true);
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

    it(`${role}: a message sent in parts (fin: false) is one message on the wire, each part framed as above`, () => {
      fc.assert(
        fc.property(fc.array(text, { minLength: 1, maxLength: 3 }), fc.constantFrom(undefined, 64, 126, 1000), (parts, size) => {
          const conn = new WebSocketConnection({ role, ...(size === undefined ? {} : { fragmentSize: size }) });
          parts.forEach((p, i) => conn.sendText(p, { fin: i === parts.length - 1 }));
          const wire = concat(conn.dataToSend());
          expectOneMessage(parseWire(wire), role, 1, utf8(parts.join('')), size);
        }),
        { numRuns: runs(40) },
      );
    });
  }
});
