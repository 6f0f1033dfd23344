/**
 * The frame layer against RFC 6455 §5: exact byte vectors from §5.7, and laws
 * (round trip, re-chunking invariance, totality on arbitrary bytes).
 */
import { fc, runs } from '../helpers/fast-check.ts';
import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  encodeFrameHeader,
  FrameDecoder,
  FrameParser,
  Opcode,
  type Frame,
  type FrameDecodeError,
  type FrameDecoderOutput,
  type FrameHeader,
  type FrameParserOptions,
} from 'wscodec';
import { ascii, concat, hex } from '../helpers/bytes.ts';

/** Plain-data view of decoder output, so results from different chunkings compare with toEqual. */
const plain = (items: FrameDecoderOutput[]) =>
  items.map((f) => (f.type === 'frame' ? { ...f, payload: Array.from(f.payload) } : f));
const decodeAll = (bytes: Uint8Array, cuts: number[] = [], options = {}) => {
  const decoder = new FrameDecoder(options);
  const out: FrameDecoderOutput[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...decoder.push(bytes.slice(start, cut)));
    start = cut;
  }
  return out;
};

describe('RFC 6455 §5.7 examples', () => {
  const maskKey = hex('37fa213d');

  it('a single-frame unmasked text message', () => {
    const bytes = hex('81 05 48 65 6c 6c 6f');
    expect(encodeFrame({ opcode: Opcode.Text, payload: ascii('Hello') })).toEqual(bytes);
    const [frame] = decodeAll(bytes, [], { role: 'client' }) as Frame[];
    expect(frame).toMatchObject({ type: 'frame', fin: true, opcode: Opcode.Text, masked: false });
    expect(frame!.payload).toEqual(ascii('Hello'));
  });

  it('a single-frame masked text message', () => {
    const bytes = hex('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    expect(encodeFrame({ opcode: Opcode.Text, payload: ascii('Hello'), mask: maskKey })).toEqual(bytes);
    const [frame] = decodeAll(bytes, [], { role: 'server' }) as Frame[];
    expect(frame).toMatchObject({ fin: true, opcode: Opcode.Text, masked: true });
    expect(frame!.payload).toEqual(ascii('Hello'));
  });

  it('a fragmented unmasked text message', () => {
    const first = hex('01 03 48 65 6c');
    const second = hex('80 02 6c 6f');
    expect(encodeFrame({ opcode: Opcode.Text, payload: ascii('Hel'), fin: false })).toEqual(first);
    expect(encodeFrame({ opcode: Opcode.Continuation, payload: ascii('lo') })).toEqual(second);
    const frames = decodeAll(concat([first, second])) as Frame[];
    expect(frames.map((f) => [f.fin, f.opcode])).toEqual([
      [false, Opcode.Text],
      [true, Opcode.Continuation],
    ]);
    expect(frames[1]!.payload).toEqual(ascii('lo'));
  });

  it('unmasked ping and masked pong carrying "Hello"', () => {
    const ping = hex('89 05 48 65 6c 6c 6f');
    const pong = hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58');
    expect(encodeFrame({ opcode: Opcode.Ping, payload: ascii('Hello') })).toEqual(ping);
    expect(encodeFrame({ opcode: Opcode.Pong, payload: ascii('Hello'), mask: maskKey })).toEqual(pong);
    const [p] = decodeAll(ping) as Frame[];
    const [q] = decodeAll(pong) as Frame[];
    expect(p).toMatchObject({ opcode: Opcode.Ping, payload: ascii('Hello') });
    expect(q).toMatchObject({ opcode: Opcode.Pong, payload: ascii('Hello') });
  });

  it('256 bytes of binary data in a single unmasked frame', () => {
    const frame = encodeFrame({ opcode: Opcode.Binary, payload: new Uint8Array(256) });
    expect(frame.subarray(0, 4)).toEqual(hex('82 7E 0100'));
    expect(frame.length).toBe(4 + 256);
    expect(encodeFrameHeader({ opcode: Opcode.Binary, payloadLength: 256 })).toEqual(hex('82 7E 0100'));
  });

  it("encodeFrameHeader with maskKey: MASK set and the key after the length (RFC 6455 §5.2), the header of encodeFrame's masked frame", () => {
    const key = hex('37 fa 21 3d');
    for (const [payloadLength, length] of [
      [5, '85'],
      [256, 'FE 0100'],
      [65536, 'FF 0000000000010000'],
    ] as const) {
      const header = encodeFrameHeader({ opcode: Opcode.Binary, payloadLength, maskKey: key });
      expect(header).toEqual(hex(`82 ${length} 37 fa 21 3d`));
      expect(encodeFrame({ opcode: Opcode.Binary, payload: new Uint8Array(payloadLength), mask: key }).subarray(0, header.length)).toEqual(header);
    }
  });

  it('64 KiB of binary data in a single unmasked frame', () => {
    const frame = encodeFrame({ opcode: Opcode.Binary, payload: new Uint8Array(65536) });
    expect(frame.subarray(0, 10)).toEqual(hex('82 7F 0000000000010000'));
    expect(frame.length).toBe(10 + 65536);
    const [decoded] = decodeAll(frame) as Frame[];
    expect(decoded!.payload.length).toBe(65536);
  });
});

// ---------------------------------------------------------------------------
// Arbitraries

const lengths = [0, 1, 125, 126, 127, 65535, 65536];
const payloadArb = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...lengths).map((n) => new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff)) },
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 300, size: 'max' }) },
);
const dataFrameArb = fc.record({
  opcode: fc.constantFrom(Opcode.Continuation, Opcode.Text, Opcode.Binary),
  payload: payloadArb,
  fin: fc.boolean(),
  rsv1: fc.boolean(),
  rsv2: fc.boolean(),
  rsv3: fc.boolean(),
});
const controlFrameArb = fc.record({
  opcode: fc.constantFrom(Opcode.Close, Opcode.Ping, Opcode.Pong),
  payload: fc.uint8Array({ maxLength: 125 }),
  fin: fc.constant(true),
  rsv1: fc.boolean(),
  rsv2: fc.boolean(),
  rsv3: fc.boolean(),
});
const frameArb = fc.oneof(dataFrameArb, controlFrameArb);
const maskArb = fc.oneof(fc.constant(undefined), fc.constant(true as const), fc.uint8Array({ minLength: 4, maxLength: 4 }));
const ALL_RSV = 0x70;

/** Cut points: sorted positions in [0, length]. */
const cutsFor = (length: number) =>
  fc.uniqueArray(fc.integer({ min: 0, max: length }), { maxLength: 40 }).map((c) => c.sort((a, b) => a - b));

describe('laws', () => {
  it('decode(encode(f)) = f, masked and unmasked, at every length class', () => {
    fc.assert(
      fc.property(frameArb, maskArb, (f, mask) => {
        const original = f.payload.slice();
        const bytes = encodeFrame({ ...f, mask });
        expect(f.payload).toEqual(original); // the caller's payload is never modified
        const out = decodeAll(bytes, [], { allowedRsv: ALL_RSV, maxFrameSize: 1 << 20 });
        expect(out).toHaveLength(1);
        const frame = out[0] as Frame;
        expect(frame.type).toBe('frame');
        expect({ ...frame, payload: Array.from(frame.payload) }).toEqual({
          type: 'frame',
          ...f,
          masked: mask !== undefined,
          payload: Array.from(original),
        });
      }),
      { numRuns: runs(500) },
    );
  });

  it('every re-chunking of a stream yields the same frames', () => {
    const streamArb = fc
      .array(fc.tuple(frameArb, maskArb), { minLength: 1, maxLength: 8 })
      .map((fs) => concat(fs.map(([f, mask]) => encodeFrame({ ...f, mask }))));
    fc.assert(
      fc.property(
        streamArb.chain((bytes) => fc.tuple(fc.constant(bytes), cutsFor(bytes.length))),
        ([bytes, cuts]) => {
          const options = { allowedRsv: ALL_RSV };
          const whole = plain(decodeAll(bytes, [], options));
          expect(plain(decodeAll(bytes, cuts, options))).toEqual(whole);
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it('1-byte chunks and 0-byte chunks yield the same frames as one chunk', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(frameArb, maskArb), { minLength: 1, maxLength: 4 }), (fs) => {
        const bytes = concat(fs.map(([f, mask]) => encodeFrame({ ...f, payload: f.payload.subarray(0, 300), mask })));
        const options = { allowedRsv: ALL_RSV };
        const whole = plain(decodeAll(bytes, [], options));
        const decoder = new FrameDecoder(options);
        const bytewise: FrameDecoderOutput[] = [];
        for (let i = 0; i < bytes.length; i++) {
          bytewise.push(...decoder.push(new Uint8Array(0)));
          bytewise.push(...decoder.push(bytes.slice(i, i + 1)));
        }
        expect(plain(bytewise)).toEqual(whole);
      }),
      { numRuns: runs(100) },
    );
  });

  it('arbitrary bytes never throw and end in frames or exactly one error with a close code', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000, size: 'max' }),
        fc.constantFrom<'client' | 'server' | undefined>('client', 'server', undefined),
        fc.integer({ min: 0, max: 1 << 16 }),
        (bytes, role, maxFrameSize) => {
          const out = decodeAll(bytes, [], { role, maxFrameSize });
          const errors = out.filter((o) => o.type === 'error');
          expect(errors.length).toBeLessThanOrEqual(1);
          if (errors.length === 1) {
            expect(out[out.length - 1]!.type).toBe('error');
            expect([1002, 1009]).toContain(errors[0]!.code);
          }
          for (const o of out) {
            if (o.type === 'frame') expect(o.payload.length).toBeLessThanOrEqual(maxFrameSize);
          }
        },
      ),
      { numRuns: runs(2000) },
    );
  });
});

describe('FrameParser with a sink of its own (RFC 6455 §5.2)', () => {
  /** A sink that records what the parser reports, and the parser's boundary flag after each chunk. */
  const run = (bytes: Uint8Array, cuts: number[], options: FrameParserOptions) => {
    const events: Array<{ header: FrameHeader } | { payload: string } | 'end' | FrameDecodeError> = [];
    let payload: number[] = [];
    const parser = new FrameParser(
      {
        onFrameHeader: (header) => events.push({ header: { ...header } }),
        onFramePayload: (piece) => payload.push(...piece),
        onFrameEnd: () => {
          events.push({ payload: String.fromCharCode(...payload) }, 'end');
          payload = [];
        },
        onFrameError: (error) => events.push(error),
      },
      options,
    );
    const boundary: boolean[] = [parser.atFrameBoundary];
    let at = 0;
    for (const cut of [...cuts, bytes.length]) {
      parser.parse(bytes.slice(at, cut));
      boundary.push(parser.atFrameBoundary);
      at = cut;
    }
    return { events, boundary, parser };
  };
  const hello = (masked: boolean): FrameHeader => ({ fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: Opcode.Text, masked, length: 5 });

  it('reports the header, the unmasked payload (§5.3) and the end of a masked frame, whole or a byte at a time', () => {
    const bytes = hex('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    const expected = [{ header: hello(true) }, { payload: 'Hello' }, 'end'];
    expect(run(bytes, [], { role: 'server' }).events).toEqual(expected);
    expect(run(bytes, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { role: 'server' }).events).toEqual(expected);
    expect(run(bytes, [8], { role: 'server' }).events).toEqual(expected);
  });

  it('hands an unmasked payload over as it came, after a masked frame too', () => {
    const bytes = concat([hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'), hex('81 05 48 65 6c 6c 6f')]);
    const expected = [{ header: hello(true) }, { payload: 'Hello' }, 'end', { header: hello(false) }, { payload: 'Hello' }, 'end'];
    expect(run(bytes, [], {}).events).toEqual(expected);
    expect(run(bytes, [13, 15], {}).events).toEqual(expected);
  });

  it('atFrameBoundary: true between frames only, not inside a header or a payload', () => {
    const bytes = hex('81 05 48 65 6c 6c 6f');
    expect(run(bytes, [1, 4], { role: 'client' }).boundary).toEqual([true, false, false, true]);
    expect(run(bytes, [2], { role: 'client' }).boundary).toEqual([true, false, true]);
  });

  it('halt() from inside the sink stops at once: nothing more of that frame (not even the end of an empty one) nor of the chunk', () => {
    const seen: string[] = [];
    const parser: FrameParser = new FrameParser({
      onFrameHeader: (header) => {
        seen.push(`header ${header.opcode}`);
        parser.halt();
      },
      onFramePayload: () => seen.push('payload'),
      onFrameEnd: () => seen.push('end'),
      onFrameError: () => seen.push('error'),
    });
    parser.parse(concat([hex('89 00'), hex('8a 00')]));
    expect(seen).toEqual(['header 9']);
    expect(parser.isHalted).toBe(true);
  });

  it('isHalted: false while reading, true after a violation (one error, then nothing) or halt()', () => {
    const ok = run(hex('81 05 48 65 6c 6c 6f'), [], { role: 'client' });
    expect(ok.parser.isHalted).toBe(false);
    const bad = run(concat([hex('81 05 48 65 6c 6c 6f'), hex('81 00')]), [], { role: 'server' });
    expect(bad.parser.isHalted).toBe(true);
    expect(bad.events).toEqual([expect.objectContaining({ type: 'error', code: 1002 })]);
    ok.parser.halt();
    expect(ok.parser.isHalted).toBe(true);
  });
});

describe('violations (RFC 6455 §5)', () => {
  const error = (bytes: Uint8Array, options = {}) => {
    const out = decodeAll(bytes, [], options);
    const last = out[out.length - 1];
    return last?.type === 'error' ? last.code : undefined;
  };

  it('refuses reserved opcodes with 1002', () => {
    for (const op of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
      expect(error(Uint8Array.of(0x80 | op, 0))).toBe(1002);
    }
  });

  it('refuses RSV bits that no extension owns with 1002, accepts owned ones', () => {
    expect(error(Uint8Array.of(0xc1, 0))).toBe(1002);
    expect(error(Uint8Array.of(0xa1, 0))).toBe(1002);
    expect(error(Uint8Array.of(0x91, 0))).toBe(1002);
    expect(error(Uint8Array.of(0xc1, 0), { allowedRsv: 0x40 })).toBeUndefined();
    expect(error(Uint8Array.of(0xa1, 0), { allowedRsv: 0x40 })).toBe(1002);
  });

  it('refuses fragmented and oversized control frames with 1002', () => {
    expect(error(Uint8Array.of(0x09, 0))).toBe(1002);
    expect(error(concat([Uint8Array.of(0x89, 126, 0, 126), new Uint8Array(126)]))).toBe(1002);
    expect(error(concat([Uint8Array.of(0x89, 125), new Uint8Array(125)]))).toBeUndefined();
  });

  it('refuses the wrong masking direction for the role with 1002', () => {
    const masked = encodeFrame({ opcode: Opcode.Text, payload: ascii('x'), mask: true });
    const unmasked = encodeFrame({ opcode: Opcode.Text, payload: ascii('x') });
    expect(error(unmasked, { role: 'server' })).toBe(1002);
    expect(error(masked, { role: 'client' })).toBe(1002);
    expect(error(masked, { role: 'server' })).toBeUndefined();
    expect(error(unmasked, { role: 'client' })).toBeUndefined();
  });

  it('refuses a 64-bit length with the top bit set (1002) and sizes over the limit (1009) before any payload', () => {
    expect(error(hex('82 7F 8000000000000000'))).toBe(1002);
    expect(error(hex('82 7F 0020000000000000'))).toBe(1009); // 2^53 > 2^53 - 1
    expect(error(hex('82 7F 0000000100000000'), { maxFrameSize: 2 ** 40 })).toBeUndefined();
    expect(error(hex('82 7E 0401'), { maxFrameSize: 1024 })).toBe(1009);
    expect(error(hex('82 7E 0400'), { maxFrameSize: 1024 })).toBeUndefined();
  });

  it('names the violation in the error message, which a connection sends as its close reason', () => {
    const cases: Array<[bytes: Uint8Array, options: FrameParserOptions, code: number, message: RegExp]> = [
      [Uint8Array.of(0xc1, 0), {}, 1002, /^reserved bits set without a negotiated extension \(RSV=4\)$/],
      [Uint8Array.of(0x83, 0), {}, 1002, /^reserved opcode 3$/],
      [Uint8Array.of(0x09, 0), {}, 1002, /^fragmented control frame$/],
      [Uint8Array.of(0x89, 126, 0, 126), {}, 1002, /^control frame payload over 125 bytes$/],
      [hex('81 00'), { role: 'server' }, 1002, /^unmasked frame from client$/],
      [hex('81 80 00000000'), { role: 'client' }, 1002, /^masked frame from server$/],
      [hex('82 7F 8000000000000000'), {}, 1002, /^64-bit payload length with the most significant bit set$/],
      [hex('82 7F 0020000000000000'), { maxFrameSize: 2 ** 60 }, 1009, /^frame too big$/],
      // 2^53 - 1, the largest length read exactly (high word 0x1FFFFF): refused by the limit, naming it.
      [hex('82 7F 001FFFFFFFFFFFFF'), { maxFrameSize: 2 ** 53 - 2 }, 1009, /^frame of 9007199254740991 bytes exceeds the limit of 9007199254740990$/],
      [hex('82 7E 0401'), { maxFrameSize: 1024 }, 1009, /^frame of 1025 bytes exceeds the limit of 1024$/],
    ];
    for (const [bytes, options, code, message] of cases) {
      for (const cuts of [[], [1]]) {
        const last = decodeAll(bytes, cuts, options).at(-1);
        expect(last).toMatchObject({ type: 'error', code });
        const got = (last as FrameDecodeError).message;
        expect({ got, matches: message.test(got) }).toMatchObject({ matches: true });
      }
    }
  });

  it('ignores all input after an error', () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(Uint8Array.of(0x83, 0))).toEqual([expect.objectContaining({ type: 'error', code: 1002 })]);
    expect(decoder.error?.code).toBe(1002);
    expect(decoder.push(encodeFrame({ opcode: Opcode.Text }))).toEqual([]);
  });
});

describe('encodeFrame refuses what may never be sent', () => {
  it('control frames over 125 bytes or with FIN clear, reserved opcodes, bad keys', () => {
    expect(() => encodeFrame({ opcode: Opcode.Ping, payload: new Uint8Array(126) })).toThrow(RangeError);
    expect(() => encodeFrame({ opcode: Opcode.Close, fin: false })).toThrow(RangeError);
    expect(() => encodeFrame({ opcode: 3 as Opcode })).toThrow(RangeError);
    expect(() => encodeFrame({ opcode: 16 as Opcode })).toThrow(RangeError);
    expect(() => encodeFrame({ opcode: Opcode.Text, mask: new Uint8Array(3) })).toThrow(TypeError);
    expect(() => encodeFrameHeader({ opcode: Opcode.Text, payloadLength: 1, maskKey: new Uint8Array(5) })).toThrow(TypeError);
  });

  it('each refusal names the rule it enforces and the offending value', () => {
    expect(() => encodeFrame({ opcode: Opcode.Ping, payload: new Uint8Array(126) })).toThrow(/at most 125 bytes \(RFC 6455 §5\.5\), got 126/);
    expect(() => encodeFrame({ opcode: Opcode.Close, fin: false })).toThrow(/must not be fragmented.*\(RFC 6455 §5\.5\)/);
    expect(() => encodeFrame({ opcode: 3 as Opcode })).toThrow(/opcode 3 is not one of .*RFC 6455 §5\.2/);
    expect(() => encodeFrame({ opcode: Opcode.Text, mask: new Uint8Array(3) })).toThrow(/4-byte .*key \(RFC 6455 §5\.3\)/);
    expect(() => encodeFrameHeader({ opcode: Opcode.Text, payloadLength: 1, maskKey: new Uint8Array(5) })).toThrow(/maskKey must be a 4-byte .*\(RFC 6455 §5\.3\)/);
  });

  it('a payload length that is negative, fractional or over 2^53 - 1 (RFC 6455 §5.2: 63 bits, and a safe integer here), naming the length', () => {
    for (const payloadLength of [-1, 1.5, 2 ** 53, Number.NaN]) {
      expect(() => encodeFrameHeader({ opcode: Opcode.Binary, payloadLength })).toThrow(RangeError);
      expect(() => encodeFrameHeader({ opcode: Opcode.Binary, payloadLength })).toThrow(`payload length ${payloadLength}`);
    }
    expect(encodeFrameHeader({ opcode: Opcode.Binary, payloadLength: 2 ** 53 - 1 })).toEqual(hex('82 7F 001FFFFFFFFFFFFF'));
  });

  it('draws a fresh random masking key per frame', () => {
    const a = encodeFrame({ opcode: Opcode.Text, payload: ascii('x'), mask: true });
    const keys = new Set<string>();
    for (let i = 0; i < 50; i++) keys.add(Array.from(encodeFrame({ opcode: Opcode.Text, mask: true }).subarray(2, 6)).join());
    expect(a[1]! & 0x80).toBe(0x80);
    expect(keys.size).toBeGreaterThan(45);
  });
});

describe('masking keys are unpredictable (RFC 6455 §5.3)', () => {
  it('no byte of a key follows from another byte of it or of the key before it', () => {
    // 3000 keys (more than one refill of any key pool): each pair of byte positions, within a key
    // and across consecutive keys, agrees about 3000 / 256 ≈ 12 times by chance; a byte copied
    // from another would agree every time.
    const keys = Array.from({ length: 3000 }, () => encodeFrame({ opcode: Opcode.Binary, mask: true }).slice(2, 6));
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        let within = 0;
        let across = 0;
        for (let n = 1; n < keys.length; n++) {
          if (i < j && keys[n]![i] === keys[n]![j]) within++;
          if (keys[n]![i] === keys[n - 1]![j]) across++;
        }
        expect(within).toBeLessThan(60);
        expect(across).toBeLessThan(60);
      }
    }
  });
});

describe('no needless copies', () => {
  it('a payload inside one chunk is a view of that chunk; a spanning payload is copied', () => {
    const bytes = concat([encodeFrame({ opcode: Opcode.Binary, payload: ascii('abc') }), encodeFrame({ opcode: Opcode.Binary, payload: ascii('de') })]);
    const decoder = new FrameDecoder();
    const [a, b] = decoder.push(bytes) as Frame[];
    expect(a!.payload.buffer).toBe(bytes.buffer);
    expect(b!.payload.buffer).toBe(bytes.buffer);
    const split = encodeFrame({ opcode: Opcode.Binary, payload: ascii('hello') });
    const d2 = new FrameDecoder();
    expect(d2.push(split.subarray(0, 4))).toEqual([]);
    const [c] = d2.push(split.subarray(4)) as Frame[];
    expect(c!.payload).toEqual(ascii('hello'));
  });
});

describe('fail fast', () => {
  it('a violation visible in the first two header bytes fails before the rest of the header arrives', () => {
    const cases: [Uint8Array, object][] = [
      [Uint8Array.of(0x83, 0xfe), {}], // reserved opcode, 16-bit length follows
      [Uint8Array.of(0x09, 0x80), {}], // fragmented ping, masking key follows
      [Uint8Array.of(0xc2, 0xff), {}], // RSV1 without extension, 64-bit length follows
      [Uint8Array.of(0x82, 0x7e), { role: 'server' }], // unmasked frame to a server
    ];
    for (const [bytes, options] of cases) {
      const decoder = new FrameDecoder(options);
      expect(decoder.push(bytes.subarray(0, 1))).toEqual([]);
      expect(decoder.push(bytes.subarray(1, 2))).toEqual([expect.objectContaining({ type: 'error', code: 1002 })]);
    }
  });
});
