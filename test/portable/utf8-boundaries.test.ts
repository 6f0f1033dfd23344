/**
 * The incremental UTF-8 validator at the edges of RFC 3629 §4's byte ranges,
 * tested directly (not through TextDecoder, which hides its mistakes on
 * single-frame text) and through fragmented text, whose validation is the
 * validator's alone.
 *
 * RFC 3629 §4 narrows the second byte after four leads: E0 A0–BF (no
 * overlong 3-byte forms), ED 80–9F (no surrogates), F0 90–BF (no overlong
 * 4-byte forms), F4 80–8F (nothing above U+10FFFF); after every other lead it
 * is 80–BF. The boundary second bytes are 0x7F/0x80, 0x8F/0x90, 0x9F/0xA0 and
 * 0xBF/0xC0. The oracle is TextDecoder on a completed sequence, never the
 * validator's own tables.
 */
import { describe, expect, it } from 'vitest';
import { Utf8Validator, WebSocketConnection } from 'wscodec';
import { fc, runs } from '../helpers/fast-check.ts';
import { concat, isValidUtf8, rawFrame, utf8 } from '../helpers/bytes.ts';
import { failure, withoutMessages } from '../helpers/events.ts';

const strict = new TextDecoder('utf-8', { fatal: true });
const decodes = isValidUtf8;
/** Length of the sequence a lead byte announces (1 for a byte that leads nothing). */
const sequenceLength = (lead: number) => (lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1);
/** [lead, second] completed with 0x80 continuation bytes (always allowed in third and fourth place). */
const completed = (lead: number, second: number) =>
  Uint8Array.from([lead, second, ...new Array<number>(Math.max(0, sequenceLength(lead) - 2)).fill(0x80)]);

const BOUNDARY_SECONDS = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff];
const NARROWING_LEADS = [0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4];

describe('Utf8Validator at the RFC 3629 §4 boundaries', () => {
  it('judges every lead byte 0x80–0xFF with every second byte, fed byte by byte, as TextDecoder judges the completed sequence', () => {
    const disagreements: string[] = [];
    for (let lead = 0x80; lead <= 0xff; lead++) {
      for (let second = 0; second <= 0xff; second++) {
        const sequence = completed(lead, second);
        const valid = decodes(sequence);
        // Byte by byte: the range narrowed by the lead is carried between pieces.
        const v = new Utf8Validator();
        let byteByByte = true;
        for (let i = 0; i < sequence.length && byteByByte; i++) byteByByte = v.write(sequence.subarray(i, i + 1));
        byteByByte &&= v.complete;
        // Whole, and fail-fast (RFC 6455 §8.1): an invalid sequence is refused by its second byte.
        const whole = new Utf8Validator().write(sequence);
        const firstTwo = new Utf8Validator().write(sequence.subarray(0, 2));
        if (byteByByte !== valid || whole !== valid || (!valid && firstTwo)) {
          disagreements.push(`${lead.toString(16)} ${second.toString(16)}: TextDecoder ${valid}, validator ${byteByByte}/${whole}/${firstTwo}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('accepts the first and last code point of every range and refuses the neighbours outside it', () => {
    const accepted = ['\u0000', '\u007f', '\u0080', '\u07ff', '\u0800', '\u0fff', '\u1000', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '\u{3ffff}', '\u{40000}', '\u{fffff}', '\u{100000}', '\u{10ffff}'];
    for (const s of accepted) {
      const v = new Utf8Validator();
      expect(v.write(utf8(s))).toBe(true);
      expect(v.complete).toBe(true);
    }
    // Overlong forms of U+07FF, U+FFFF; surrogates U+D800, U+DFFF; U+110000.
    const refused = [[0xe0, 0x9f, 0xbf], [0xf0, 0x8f, 0xbf, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80]];
    for (const bytes of refused) expect(new Utf8Validator().write(Uint8Array.from(bytes))).toBe(false);
  });

  // A generator of near-valid text: valid characters, and sequences whose
  // second byte is a boundary one after a lead that narrows it or not.
  const piece = fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }).map(utf8) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...NARROWING_LEADS), fc.constantFrom(...BOUNDARY_SECONDS), fc.boolean())
        .map(([lead, second, truncate]) => {
          const sequence = completed(lead, second);
          return truncate ? sequence.subarray(0, sequence.length - 1) : sequence;
        }),
    },
  );
  const text = fc.array(piece, { maxLength: 8 }).map(concat);

  it('agrees with TextDecoder on generated near-valid text fed in any pieces', () => {
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 4 }), (bytes, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1))), bytes.length].sort((a, b) => a - b);
        const v = new Utf8Validator();
        let start = 0;
        let ok = true;
        for (const p of points) {
          ok = v.write(bytes.subarray(start, p));
          if (!ok) break;
          start = p;
        }
        expect(ok && v.complete).toBe(decodes(bytes));
      }),
      { numRuns: runs(2000) },
    );
  });

  it('fragmented text (validated by the validator alone) gives the text or 1007, as TextDecoder decides', () => {
    fc.assert(
      fc.property(text, fc.nat(), fc.boolean(), (bytes, cut, streamMessages) => {
        const at = cut % (bytes.length + 1);
        const client = new WebSocketConnection({ role: 'client', streamMessages });
        const events = [
          ...client.receive(rawFrame({ opcode: 1, payload: bytes.subarray(0, at), fin: false })),
          ...client.receive(rawFrame({ opcode: 0, payload: bytes.subarray(at) })),
        ];
        if (decodes(bytes)) {
          const got = events.map((e) => ('data' in e && typeof e.data === 'string' ? e.data : `<${e.type}>`)).join('');
          expect(got).toBe(strict.decode(bytes));
        } else {
          expect(withoutMessages(events.filter((e) => e.type === 'error'))).toEqual([failure(1007)]);
        }
      }),
      { numRuns: runs(1000) },
    );
  });

  it('reset() forgets a partial sequence and its narrowed range', () => {
    for (const lead of [0xe0, 0xed, 0xf0, 0xf4, 0xc2]) {
      const v = new Utf8Validator();
      expect(v.write(Uint8Array.of(lead))).toBe(true);
      expect(v.complete).toBe(false);
      v.reset();
      expect(v.complete).toBe(true);
      // A fresh text: ASCII, then a sequence whose second byte the old lead would have refused or needed.
      expect(v.write(Uint8Array.of(0x41, 0xe2, 0x82, 0xac))).toBe(true);
      expect(v.complete).toBe(true);
    }
  });

  it('streamed text keeps a leading U+FEFF: it is part of the message, not a byte-order mark (RFC 6455 §5.6)', () => {
    const bom = utf8('\ufeffa\ufeff');
    for (let split = 0; split <= bom.length; split++) {
      const client = new WebSocketConnection({ role: 'client', streamMessages: true });
      const events = [
        ...client.receive(rawFrame({ opcode: 1, payload: bom.subarray(0, split), fin: false })),
        ...client.receive(rawFrame({ opcode: 0, payload: bom.subarray(split) })),
      ];
      expect(events.map((e) => ('data' in e ? e.data : '')).join('')).toBe('\ufeffa\ufeff');
    }
  });

  it('every narrowing lead with every boundary second byte, split between two fragments right after the lead', () => {
    for (const lead of NARROWING_LEADS) {
      for (const second of BOUNDARY_SECONDS) {
        const sequence = completed(lead, second);
        const client = new WebSocketConnection({ role: 'client' });
        const events = [
          ...client.receive(rawFrame({ opcode: 1, payload: concat([utf8('ab'), sequence.subarray(0, 1)]), fin: false })),
          ...client.receive(rawFrame({ opcode: 0, payload: sequence.subarray(1) })),
        ];
        const expected = decodes(sequence) ? [{ type: 'text', data: `ab${strict.decode(sequence)}` }] : [failure(1007)];
        expect(withoutMessages(events)).toEqual(expected);
      }
    }
  });
});
