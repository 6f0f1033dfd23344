/**
 * The extension pipeline (RFC 6455 §9.1, §5.2, §5.8): extensions apply in
 * the negotiated order when sending and in reverse when receiving; RSV bits
 * mean something on data frames only under the extension that owns them,
 * never on control frames; the size limit holds on what extensions produce,
 * whether or not an extension checks it; and whatever an extension throws,
 * `receive` does not: the peer's violation becomes an error event and a
 * Close frame that fits in a control frame (§5.5).
 */
import { describe, expect, it } from 'vitest';
import { FrameDecoder, ProtocolError, WebSocketConnection, type Extension, type ExtensionFrame, type Frame } from 'wscodec';
import { fc, runs } from '../helpers/fast-check.ts';
import { concat, rawFrame, splitAt, utf8 } from '../helpers/bytes.ts';
import { failure, plain, withoutMessages } from '../helpers/events.ts';

/**
 * A toy extension that owns one RSV bit and appends a marker byte to every
 * data frame it encodes; decoding requires its bit and its marker last, and
 * removes both. Two of them are order-sensitive: encoding A then B ends a
 * payload with "AB", which only decoding B then A undoes.
 */
function marker(name: string, byte: number, rsvBit: 0x20 | 0x10): Extension {
  const key = rsvBit === 0x20 ? 'rsv2' : 'rsv3';
  return {
    name,
    rsvBits: rsvBit,
    encode: (frame) => ({ ...frame, [key]: true, payload: concat([frame.payload, Uint8Array.of(byte)]) }),
    decode: (frame) => {
      if (!frame[key]) throw new ProtocolError(1002, `${name}: frame without its RSV bit`);
      if (frame.payload.at(-1) !== byte) throw new ProtocolError(1002, `${name}: frame does not end with its marker`);
      return { ...frame, [key]: false, payload: frame.payload.subarray(0, -1) };
    },
  };
}
const A = marker('x-a', 0x41, 0x20);
const B = marker('x-b', 0x42, 0x10);

/** Decodes what a connection sent, as its peer reads it. */
function sentFrames(conn: WebSocketConnection, allowedRsv: number): Frame[] {
  const decoder = new FrameDecoder({ role: conn.role === 'client' ? 'server' : 'client', allowedRsv });
  return conn.dataToSend().flatMap((c) => decoder.push(c.slice())).filter((f): f is Frame => f.type === 'frame');
}

/** The Close frame a failed connection sends: its code, and its reason as bytes. */
function closeOf(conn: WebSocketConnection): { code: number; reason: Uint8Array } {
  const close = sentFrames(conn, 0).find((f) => f.opcode === 8)!;
  return { code: (close.payload[0]! << 8) | close.payload[1]!, reason: close.payload.subarray(2) };
}

describe('extension pipeline (RFC 6455 §9.1)', () => {
  it('encodes in the negotiated order and decodes in reverse, through any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.uint8Array({ maxLength: 60 })), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
        (messages, cuts, fragmentSize) => {
          const client = new WebSocketConnection({ role: 'client', extensions: [A, B], ...(fragmentSize ? { fragmentSize } : {}) });
          const server = new WebSocketConnection({ role: 'server', extensions: [A, B] });
          for (const m of messages) {
            if (typeof m === 'string') client.sendText(m);
            else client.sendBinary(m);
          }
          const wire = client.dataToSend();
          // On the wire: both RSV bits on every data frame, each payload ending "AB" (A applied first).
          const decoder = new FrameDecoder({ role: 'server', allowedRsv: 0x30 });
          for (const f of wire.flatMap((c) => decoder.push(c.slice())) as Frame[]) {
            expect([f.rsv2, f.rsv3, f.payload.at(-2), f.payload.at(-1)]).toEqual([true, true, 0x41, 0x42]);
          }
          const events = splitAt(concat(wire), cuts).flatMap((c) => server.receive(c));
          expect(plain(events)).toEqual(plain(messages.map((m) => (typeof m === 'string' ? { type: 'text', data: m } : { type: 'binary', data: m }))));
        },
      ),
      { numRuns: runs(200) },
    );
  });

  it('a frame encoded in the other order fails to decode (the order is not just a convention)', () => {
    const server = new WebSocketConnection({ role: 'server', extensions: [A, B] });
    const events = server.receive(rawFrame({ opcode: 2, rsv: 3, mask: true, payload: Uint8Array.of(1, 0x42, 0x41) }));
    expect(events).toEqual([{ type: 'error', code: 1002, message: 'x-b: frame does not end with its marker' }]);
  });

  it("a message-level extension's RSV2 and RSV3 go on the message's first frame only, however it is fragmented (§5.2, §9)", () => {
    // An extension that works on whole messages (encodeMessage) and marks them with RSV2 and RSV3.
    const whole: Extension = {
      name: 'x-whole',
      rsvBits: 0x30,
      encode: (frame) => frame,
      encodeMessage: (frame) => ({ ...frame, rsv2: true, rsv3: true }),
      decode: (frame) => frame,
    };
    for (const fragmentSize of [undefined, 4]) {
      const conn = new WebSocketConnection({ role: 'server', extensions: [whole], ...(fragmentSize === undefined ? {} : { fragmentSize }) });
      conn.sendBinary(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9));
      const frames = sentFrames(conn, 0x30);
      expect(frames.map((f) => [f.rsv2, f.rsv3])).toEqual(frames.map((_, i) => [i === 0, i === 0]));
      expect(frames.length).toBe(fragmentSize === undefined ? 1 : 3);
    }
  });

  it('refuses an RSV bit on a control frame even when an extension owns it (§5.2, §5.5)', () => {
    for (const opcode of [8, 9, 10]) {
      for (const rsv of [1, 2, 4]) {
        const server = new WebSocketConnection({ role: 'server', extensions: [A, B, { ...A, name: 'x-c', rsvBits: 0x40 }] });
        const payload = opcode === 8 ? Uint8Array.of(0x03, 0xe8) : Uint8Array.of(1);
        expect(withoutMessages(server.receive(rawFrame({ opcode, rsv, mask: true, payload })))).toEqual([failure(1002)]);
        expect(closeOf(server).code).toBe(1002);
      }
    }
  });

  it('refuses an RSV bit that no negotiated extension consumed (§5.2)', () => {
    // A owns RSV2 and consumes it; a lazy extension owning RSV1 leaves it set.
    const lazy: Extension = { name: 'x-lazy', rsvBits: 0x40, encode: (f) => f, decode: (f) => f };
    const server = new WebSocketConnection({ role: 'server', extensions: [lazy] });
    expect(withoutMessages(server.receive(rawFrame({ opcode: 2, rsv: 4, mask: true, payload: Uint8Array.of(1) })))).toEqual([failure(1002)]);
  });
});

describe('the size limit holds on what extensions produce (RFC 6455 §10.4)', () => {
  // Expands every payload tenfold and never looks at maxSize.
  const inflate: Extension = {
    name: 'x-inflate',
    rsvBits: 0x40,
    encode: (frame) => ({ ...frame, rsv1: true, payload: frame.payload.filter((_, i) => i % 10 === 0) }),
    decode: (frame: ExtensionFrame) => {
      const out = new Uint8Array(frame.payload.length * 10);
      frame.payload.forEach((b, i) => out.fill(b, i * 10, i * 10 + 10));
      return { ...frame, rsv1: false, payload: out };
    },
  };
  const frameOf = (payload: Uint8Array, opcode = 2, fin = true) => rawFrame({ opcode, fin, rsv: 4, mask: true, payload });

  it('a message whose decoded size is exactly the limit passes; one byte more fails with 1009, single-frame or fragmented', () => {
    const exact = new WebSocketConnection({ role: 'server', extensions: [inflate], maxMessageSize: 100 });
    expect(exact.receive(frameOf(new Uint8Array(10)))).toEqual([{ type: 'binary', data: new Uint8Array(100) }]);
    // The size counts the decoded bytes of the whole message, across fragments.
    const events = exact.receive(concat([frameOf(new Uint8Array(5), 2, false), frameOf(new Uint8Array(5), 0)]));
    expect(events).toEqual([{ type: 'binary', data: new Uint8Array(100) }]);

    const over = new WebSocketConnection({ role: 'server', extensions: [inflate], maxMessageSize: 99 });
    expect(withoutMessages(over.receive(frameOf(new Uint8Array(10))))).toEqual([failure(1009)]);
    expect(closeOf(over).code).toBe(1009);
    const overFragmented = new WebSocketConnection({ role: 'server', extensions: [inflate], maxMessageSize: 99 });
    const parts = [frameOf(new Uint8Array(5), 2, false), frameOf(new Uint8Array(4), 0, false), frameOf(new Uint8Array(1), 0)];
    expect(withoutMessages(parts.flatMap((p) => overFragmented.receive(p)))).toEqual([failure(1009)]);
  });

  it('the limit counts per message: many messages at the limit in a row all pass', () => {
    const conn = new WebSocketConnection({ role: 'server', extensions: [inflate], maxMessageSize: 100 });
    for (let i = 0; i < 50; i++) {
      const events = conn.receive(concat([frameOf(new Uint8Array(6), 1, false), frameOf(utf8('aaaa'), 0)]));
      expect(events).toEqual([{ type: 'text', data: '\0'.repeat(60) + 'a'.repeat(40) }]);
    }
  });

  it('tells each extension the room left in the message', () => {
    const seen: number[] = [];
    const spy: Extension = { name: 'x-spy', rsvBits: 0, encode: (f) => f, decode: (f, maxSize) => (seen.push(maxSize), f) };
    const conn = new WebSocketConnection({ role: 'server', extensions: [spy], maxMessageSize: 50 });
    conn.receive(concat([rawFrame({ opcode: 2, fin: false, mask: true, payload: new Uint8Array(20) }), rawFrame({ opcode: 0, mask: true, payload: new Uint8Array(5) })]));
    conn.receive(rawFrame({ opcode: 2, mask: true, payload: new Uint8Array(1) }));
    expect(seen).toEqual([50, 30, 50]);
  });
});

describe('whatever an extension throws, receive() does not (RFC 6455 §7.1.7)', () => {
  const throwing = (error: unknown): Extension => ({
    name: 'x-throws',
    rsvBits: 0x40,
    encode: (f) => f,
    decode: () => {
      throw error;
    },
  });
  const frame = rawFrame({ opcode: 2, rsv: 4, mask: true, payload: Uint8Array.of(1) });
  const cases: [string, unknown, number][] = [
    ['a ProtocolError with a short message', new ProtocolError(1007, 'bad data'), 1007],
    ['a ProtocolError with a 500-byte ASCII message', new ProtocolError(1002, 'x'.repeat(500)), 1002],
    ['a ProtocolError with a 300-character non-ASCII message', new ProtocolError(1009, 'é😀\ud800'.repeat(100)), 1009],
    ['a ProtocolError with exactly 124 bytes of message', new ProtocolError(1002, 'y'.repeat(124)), 1002],
    // §7.4.1: 1005 and 1006 are never sent, nor any code outside §7.4: the extension is at fault (1011).
    ['a ProtocolError with code 1006 (may not be sent)', new ProtocolError(1006, 'abnormal'), 1011],
    ['a ProtocolError with code 1005 (may not be sent)', new ProtocolError(1005, 'none'), 1011],
    ['a ProtocolError with code 0', new ProtocolError(0, 'zero'), 1011],
    ['a plain Error with a long message', new Error('z'.repeat(1000)), 1011],
    ['a string', 'not an error', 1011],
    ['undefined', undefined, 1011],
  ];
  it('a ProtocolError names its class and carries its code (what a log shows)', () => {
    const error = new ProtocolError(1007, 'bad data');
    expect([error instanceof Error, error.name, error.code, error.message]).toEqual([true, 'ProtocolError', 1007, 'bad data']);
  });

  it('the message of a ProtocolError is the Close reason when its UTF-8 fits 123 bytes (§5.5), whatever its script', () => {
    const message = `${'é'.repeat(61)}x`; // 123 bytes
    const server = new WebSocketConnection({ role: 'server', extensions: [throwing(new ProtocolError(1007, message))] });
    expect(server.receive(frame)).toEqual([{ type: 'error', code: 1007, message }]);
    expect(new TextDecoder().decode(closeOf(server).reason)).toBe(message);
  });

  it('a longer message is cut to its first 123 characters, each outside printable ASCII shown as ? (the error event documents it)', () => {
    const message = `${'é'.repeat(62)}x${'y'.repeat(100)}`; // 225 bytes
    const server = new WebSocketConnection({ role: 'server', extensions: [throwing(new ProtocolError(1007, message))] });
    expect(server.receive(frame)).toEqual([{ type: 'error', code: 1007, message }]);
    expect(new TextDecoder().decode(closeOf(server).reason)).toBe(`${'?'.repeat(62)}x${'y'.repeat(60)}`);
  });

  for (const [name, error, code] of cases) {
    it(`${name}: an error event with ${code}, and a Close frame whose reason fits (§5.5) and is UTF-8`, () => {
      const server = new WebSocketConnection({ role: 'server', extensions: [throwing(error)] });
      let events: ReturnType<WebSocketConnection['receive']> = [];
      expect(() => (events = server.receive(frame))).not.toThrow();
      expect(withoutMessages(events)).toEqual([failure(code)]);
      const close = closeOf(server);
      expect(close.code).toBe(code);
      expect(close.reason.length).toBeLessThanOrEqual(123);
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(close.reason)).not.toThrow();
      expect(server.receive(frame)).toEqual([]);
      expect(server.state).toBe('closed');
    });
  }
});
