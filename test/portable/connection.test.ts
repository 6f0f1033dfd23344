/**
 * WebSocketConnection against RFC 6455 §5–§8: laws (round trip through
 * arbitrary chunking, one error with the right close code for every class of
 * violation) and the close handshake, pings, limits and caller misuse.
 */
import { fc, runs } from '../helpers/fast-check.ts';
import { describe, expect, it } from 'vitest';
import {
  FrameDecoder,
  Opcode,
  ProtocolError,
  WebSocketConnection,
  type Extension,
  type Frame,
  type WebSocketEvent,
} from 'wscodec';
import { concat, rawFrame as rawBytes, splitAt as chunk, utf8, type RawFrame } from '../helpers/bytes.ts';
import { failure, plain, withoutMessages } from '../helpers/events.ts';

/** A frame as a client sends it: masked unless told otherwise. */
const rawFrame = (frame: RawFrame) => rawBytes({ mask: true, ...frame });

/** Decodes what a connection sends, as the peer's frames. */
function framesOf(chunks: Uint8Array[], peerRole: 'client' | 'server', allowedRsv = 0): Frame[] {
  const decoder = new FrameDecoder({ role: peerRole, allowedRsv });
  const out = chunks.flatMap((c) => decoder.push(c.slice()));
  for (const item of out) if (item.type === 'error') throw new Error(`sent an invalid frame: ${item.message}`);
  return out.filter((f): f is Frame => f.type === 'frame');
}
const closeCodeOf = (frame: Frame) => (frame.payload.length >= 2 ? (frame.payload[0]! << 8) | frame.payload[1]! : undefined);

type Op =
  | { kind: 'text'; data: string }
  | { kind: 'binary'; data: Uint8Array }
  | { kind: 'ping'; data: Uint8Array }
  | { kind: 'fragmented-text'; parts: string[]; pingAfter: boolean[] }
  | { kind: 'fragmented-binary'; parts: Uint8Array[]; pingAfter: boolean[] };

const text = fc.string({ unit: 'binary', maxLength: 40 });
const bytes = fc.oneof(
  { weight: 10, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.integer({ min: 65530, max: 70000 }).map((n) => new Uint8Array(n).fill(7)) },
);
const op: fc.Arbitrary<Op> = fc.oneof(
  text.map((data) => ({ kind: 'text' as const, data })),
  bytes.map((data) => ({ kind: 'binary' as const, data })),
  fc.uint8Array({ maxLength: 125 }).map((data) => ({ kind: 'ping' as const, data })),
  fc
    .array(fc.tuple(text, fc.boolean()), { minLength: 1, maxLength: 5 })
    .map((p) => ({ kind: 'fragmented-text' as const, parts: p.map((x) => x[0]), pingAfter: p.map((x) => x[1]) })),
  fc
    .array(fc.tuple(fc.uint8Array({ maxLength: 50 }), fc.boolean()), { minLength: 1, maxLength: 5 })
    .map((p) => ({ kind: 'fragmented-binary' as const, parts: p.map((x) => x[0]), pingAfter: p.map((x) => x[1]) })),
);
const PING_DATA = Uint8Array.of(1, 2);

/** Sends the ops; returns the events the peer must see, in order. */
function perform(sender: WebSocketConnection, ops: Op[]): WebSocketEvent[] {
  const expected: WebSocketEvent[] = [];
  for (const o of ops) {
    if (o.kind === 'text') {
      sender.sendText(o.data);
      expected.push({ type: 'text', data: o.data });
    } else if (o.kind === 'binary') {
      sender.sendBinary(o.data);
      expected.push({ type: 'binary', data: o.data });
    } else if (o.kind === 'ping') {
      sender.ping(o.data);
      expected.push({ type: 'ping', data: o.data });
    } else {
      o.parts.forEach((part, i) => {
        const fin = i === o.parts.length - 1;
        if (typeof part === 'string') sender.sendText(part, { fin });
        else sender.sendBinary(part, { fin });
        if (!fin && o.pingAfter[i]) {
          sender.ping(PING_DATA);
          expected.push({ type: 'ping', data: PING_DATA });
        }
      });
      expected.push(
        o.kind === 'fragmented-text'
          ? { type: 'text', data: o.parts.join('') }
          : { type: 'binary', data: concat(o.parts) },
      );
    }
  }
  return expected;
}

describe('round trip (RFC 6455 §5.4, §5.6)', () => {
  for (const [from, to] of [
    ['client', 'server'],
    ['server', 'client'],
  ] as const) {
    it(`${from} → ${to}: any messages and pings, in any chunking, arrive whole and in order`, () => {
      fc.assert(
        fc.property(
          fc.array(op, { maxLength: 12 }),
          fc.array(fc.nat(), { maxLength: 30 }),
          fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
          fc.boolean(),
          (ops, cuts, fragmentSize, streamMessages) => {
            const sender = new WebSocketConnection({ role: from, fragmentSize });
            const receiver = new WebSocketConnection({ role: to, streamMessages, maxFragments: 100_000 });
            const expected = perform(sender, ops);
            const wire = concat(sender.dataToSend());
            const events = chunk(wire, cuts).flatMap((c) => receiver.receive(c));
            // Streaming mode: join the pieces of each message back together.
            const joined: WebSocketEvent[] = [];
            let parts: (string | Uint8Array)[] = [];
            for (const e of events) {
              if (e.type === 'text-fragment' || e.type === 'binary-fragment') {
                expect(e.first).toBe(parts.length === 0);
                parts.push(e.data);
                if (e.last) {
                  joined.push(
                    e.type === 'text-fragment'
                      ? { type: 'text', data: parts.join('') }
                      : { type: 'binary', data: concat(parts as Uint8Array[]) },
                  );
                  parts = [];
                }
              } else joined.push(e);
            }
            expect(plain(joined)).toEqual(plain(expected));
            expect(receiver.state).toBe('open');
            // Every ping is answered with a pong carrying its data (§5.5.2); at most 16 are kept per batch.
            const pongs = framesOf(receiver.dataToSend(), from).map((f) => Array.from(f.payload));
            const pings = expected.filter((e) => e.type === 'ping').map((e) => Array.from(e.data as Uint8Array));
            expect(pongs).toEqual(pings.slice(-16));
          },
        ),
        { numRuns: runs(300) },
      );
    });
  }

  it('masks every client frame with a fresh key and no server frame (§5.1, §5.3)', () => {
    const client = new WebSocketConnection({ role: 'client' });
    client.sendText('a');
    client.sendText('a');
    client.ping();
    client.close();
    const frames = framesOf(client.dataToSend(), 'server');
    expect(frames.map((f) => f.masked)).toEqual([true, true, true, true]);
    const server = new WebSocketConnection({ role: 'server' });
    server.sendBinary(new Uint8Array(70000));
    server.sendText('x');
    expect(framesOf(server.dataToSend(), 'client').map((f) => f.masked)).toEqual([false, false]);
  });

  it('splits outgoing messages at fragmentSize (§5.4)', () => {
    const server = new WebSocketConnection({ role: 'server', fragmentSize: 4 });
    server.sendBinary(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
    const frames = framesOf(server.dataToSend(), 'client');
    expect(frames.map((f) => [f.opcode, f.fin, f.payload.length])).toEqual([
      [Opcode.Binary, false, 4],
      [Opcode.Continuation, false, 4],
      [Opcode.Continuation, true, 2],
    ]);
  });
});

// ---------------------------------------------------------------------------
// Violations: each yields exactly one error with its close code (§7.1.7, §7.4.1).

interface Violation {
  name: string;
  code: number;
  bytes: Uint8Array;
}
const violations: fc.Arbitrary<Violation> = fc.oneof(
  fc.constant({ name: 'unmasked frame from a client (§5.1)', code: 1002, bytes: rawFrame({ opcode: 1, payload: utf8('x'), mask: false }) }),
  fc
    .constantFrom(3, 4, 5, 6, 7, 11, 12, 13, 14, 15)
    .map((opcode) => ({ name: `reserved opcode ${opcode} (§5.2)`, code: 1002, bytes: rawFrame({ opcode }) })),
  fc
    .integer({ min: 1, max: 7 })
    .map((rsv) => ({ name: `RSV ${rsv} without extension (§5.2)`, code: 1002, bytes: rawFrame({ opcode: 2, rsv }) })),
  fc
    .constantFrom(8, 9, 10)
    .map((opcode) => ({ name: 'fragmented control frame (§5.5)', code: 1002, bytes: rawFrame({ opcode, fin: false }) })),
  fc
    .constantFrom(8, 9, 10)
    .map((opcode) => ({ name: 'control frame over 125 bytes (§5.5)', code: 1002, bytes: rawFrame({ opcode, payload: new Uint8Array(126) }) })),
  fc.constant({ name: 'continuation without a message (§5.4)', code: 1002, bytes: rawFrame({ opcode: 0, payload: utf8('x') }) }),
  fc.constantFrom(1, 2).map((opcode) => ({
    name: 'new message inside a fragmented one (§5.4)',
    code: 1002,
    bytes: concat([rawFrame({ opcode: 1, fin: false, payload: utf8('a') }), rawFrame({ opcode, payload: utf8('b') })]),
  })),
  // 0x0F alone would read as code 3840 (0x0F00), which may be sent: the 1-byte body is refused as such.
  fc
    .constantFrom(3, 0x0f, 0x13)
    .map((b) => ({ name: '1-byte close payload (§5.5.1)', code: 1002, bytes: rawFrame({ opcode: 8, payload: Uint8Array.of(b) }) })),
  fc
    .constantFrom(0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535)
    .map((c) => ({ name: `close code ${c} (§7.4)`, code: 1002, bytes: rawFrame({ opcode: 8, payload: Uint8Array.of(c >> 8, c & 255) }) })),
  fc.constant({ name: 'invalid UTF-8 close reason (§5.5.1)', code: 1007, bytes: rawFrame({ opcode: 8, payload: Uint8Array.of(3, 232, 0xc0, 0xaf) }) }),
  fc
    .constantFrom([0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xe2, 0x82])
    .map((bad) => ({ name: 'invalid UTF-8 text (§8.1)', code: 1007, bytes: rawFrame({ opcode: 1, payload: concat([utf8('ok'), Uint8Array.from(bad)]) }) })),
  fc.constant({ name: 'message over maxMessageSize (§10.4)', code: 1009, bytes: rawFrame({ opcode: 2, payload: new Uint8Array(3000) }) }),
  fc.constant({
    name: 'fragments adding up over maxMessageSize',
    code: 1009,
    bytes: concat([rawFrame({ opcode: 2, fin: false, payload: new Uint8Array(1500) }), rawFrame({ opcode: 0, payload: new Uint8Array(1500) })]),
  }),
  fc.constant({
    name: 'more than maxFragments fragments',
    code: 1009,
    bytes: concat([rawFrame({ opcode: 2, fin: false }), ...Array.from({ length: 20 }, () => rawFrame({ opcode: 0, fin: false }))]),
  }),
  fc.constant({ name: '64-bit length with the top bit set (§5.2)', code: 1002, bytes: Uint8Array.of(0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4) }),
);
const validPrefixOp = fc.oneof(
  text.map((data) => ({ kind: 'text' as const, data })),
  fc.uint8Array({ maxLength: 300 }).map((data) => ({ kind: 'binary' as const, data })),
  fc.uint8Array({ maxLength: 125 }).map((data) => ({ kind: 'ping' as const, data })),
);

describe('violations (RFC 6455 §7.1.7)', () => {
  it('every violation at any position: the events before it, one error with its code, the echoes, then one Close frame, then nothing', () => {
    fc.assert(
      fc.property(fc.array(validPrefixOp, { maxLength: 6 }), violations, fc.array(fc.nat(), { maxLength: 20 }), (ops, violation, cuts) => {
        const client = new WebSocketConnection({ role: 'client' });
        const expected = perform(client, ops);
        const after = new WebSocketConnection({ role: 'client' });
        after.sendText('after the violation');
        const wire = concat([...client.dataToSend(), violation.bytes, ...after.dataToSend()]);
        const server = new WebSocketConnection({ role: 'server', maxMessageSize: 2000, maxFragments: 10 });
        const events: WebSocketEvent[] = [];
        let echoes = 0;
        for (const c of chunk(wire, cuts)) {
          const batch = server.receive(c);
          events.push(...batch);
          // An echo server answers each message while handling the batch, even one that ends in an error.
          for (const e of batch) {
            if (e.type === 'text') (server.sendText(e.data), echoes++);
            if (e.type === 'binary') (server.sendBinary(e.data), echoes++);
          }
        }
        const errorAt = events.findIndex((e) => e.type === 'error');
        expect(plain(events.slice(0, errorAt))).toEqual(plain(expected));
        expect(withoutMessages(events.slice(errorAt))).toEqual([failure(violation.code)]);
        expect(server.state).toBe('closing');
        const frames = framesOf(server.dataToSend(), 'client').filter((f) => f.opcode !== Opcode.Pong);
        expect(frames).toHaveLength(echoes + 1);
        expect(frames[echoes]!.opcode).toBe(Opcode.Close);
        expect(closeCodeOf(frames[echoes]!)).toBe(violation.code);
        expect(server.state).toBe('closed');
        expect(server.shouldCloseTransport).toBe(true);
        expect(server.receive(rawFrame({ opcode: 1, payload: utf8('more') }))).toEqual([]);
        expect(() => server.sendText('x')).toThrow(TypeError);
        expect(server.dataToSend()).toEqual([]);
      }),
      { numRuns: runs(400) },
    );
  });

  it('a client refuses a masked frame (§5.1)', () => {
    const client = new WebSocketConnection({ role: 'client' });
    expect(withoutMessages(client.receive(rawFrame({ opcode: 1, payload: utf8('x'), mask: true })))).toEqual([failure(1002)]);
  });

  it('refuses an oversized frame at its header, before any payload arrives (§10.4)', () => {
    const server = new WebSocketConnection({ role: 'server', maxMessageSize: 1024 });
    const header = rawFrame({ opcode: 2, length: 2 ** 40 }).subarray(0, 14);
    expect(withoutMessages(server.receive(header))).toEqual([failure(1009)]);
  });

  it('bounds memory under a flood of 1-byte fragments delivered 1 byte at a time', () => {
    const server = new WebSocketConnection({ role: 'server', maxFragments: 100_000 });
    const frames = [rawFrame({ opcode: 2, fin: false, payload: Uint8Array.of(0) })];
    for (let i = 0; i < 5000; i++) frames.push(rawFrame({ opcode: 0, fin: i === 4999, payload: Uint8Array.of(i & 255) }));
    const wire = concat(frames);
    const events: WebSocketEvent[] = [];
    for (let i = 0; i < wire.length; i++) events.push(...server.receive(wire.subarray(i, i + 1)));
    expect(events).toHaveLength(1);
    const data = (events[0] as { data: Uint8Array }).data;
    expect(data).toHaveLength(5001);
    // One buffer grown by doubling: its capacity is at most twice the message.
    expect(data.buffer.byteLength).toBeLessThanOrEqual(2 * 5001);
  });
});

describe('zero-copy delivery', () => {
  it('hands out a single-frame message that lies inside one chunk as a view of that chunk', () => {
    const server = new WebSocketConnection({ role: 'server' });
    const chunk = concat([rawFrame({ opcode: 2, payload: Uint8Array.of(1, 2, 3) }), rawFrame({ opcode: 9, payload: Uint8Array.of(4) })]);
    const events = server.receive(chunk);
    expect(plain(events)).toEqual([
      { type: 'binary', data: [1, 2, 3] },
      { type: 'ping', data: [4] },
    ]);
    for (const e of events) expect((e as { data: Uint8Array }).data.buffer).toBe(chunk.buffer);
  });

  it('streams a huge frame in constant memory: every piece is a view of its chunk', () => {
    const size = 2 ** 30; // declared 1 GiB; only the first 3 pieces are delivered
    const server = new WebSocketConnection({ role: 'server', streamMessages: true, maxMessageSize: size });
    const wire = rawFrame({ opcode: 2, payload: new Uint8Array(3 * 1000).fill(9), length: size });
    const chunks = [wire.slice(0, 1014), wire.slice(1014, 2014), wire.slice(2014)];
    chunks.forEach((c, i) => {
      const events = server.receive(c);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'binary-fragment', first: i === 0, last: false });
      expect((events[0] as { data: Uint8Array }).data.buffer).toBe(c.buffer);
    });
  });
});

describe('close handshake (RFC 6455 §5.5.1, §7)', () => {
  const closeFrame = (code?: number, reason = '') =>
    rawFrame({ opcode: 8, payload: code === undefined ? new Uint8Array(0) : concat([Uint8Array.of(code >> 8, code & 255), utf8(reason)]) });

  it('server: echoes the peer code after the caller answers, then asks to close the transport', () => {
    const server = new WebSocketConnection({ role: 'server' });
    const events = server.receive(concat([rawFrame({ opcode: 1, payload: utf8('hi') }), closeFrame(4000, 'bye')]));
    expect(events).toEqual([
      { type: 'text', data: 'hi' },
      { type: 'close', code: 4000, reason: 'bye' },
    ]);
    expect(server.state).toBe('closing');
    server.sendText('hi');
    expect(server.shouldCloseTransport).toBe(false);
    const frames = framesOf(server.dataToSend(), 'client');
    expect(frames.map((f) => f.opcode)).toEqual([Opcode.Text, Opcode.Close]);
    expect(closeCodeOf(frames[1]!)).toBe(4000);
    expect(server.state).toBe('closed');
    expect(server.shouldCloseTransport).toBe(true);
    expect(() => server.sendText('late')).toThrow(TypeError);
    expect(server.receiveEof()).toEqual([]);
  });

  it('answers a close without code with an empty close and reports 1005', () => {
    const server = new WebSocketConnection({ role: 'server' });
    expect(server.receive(closeFrame())).toEqual([{ type: 'close', code: 1005, reason: '' }]);
    const frames = framesOf(server.dataToSend(), 'client');
    expect(frames).toHaveLength(1);
    expect(frames[0]!.payload).toHaveLength(0);
  });

  it('client: a locally started close waits for the peer, then waits for the server to close the transport', () => {
    const client = new WebSocketConnection({ role: 'client' });
    client.close(1001, 'going');
    expect(client.state).toBe('closing');
    expect(() => client.sendText('x')).toThrow(TypeError);
    const frames = framesOf(client.dataToSend(), 'server');
    expect(closeCodeOf(frames[0]!)).toBe(1001);
    // Data may still arrive before the peer's close (§1.4).
    const server = new WebSocketConnection({ role: 'server' });
    server.sendText('still here');
    server.receive(concat(frames.map((f) => rawFrame({ opcode: f.opcode, payload: f.payload }))));
    const events = server.dataToSend().flatMap((c) => client.receive(c));
    expect(events).toEqual([
      { type: 'text', data: 'still here' },
      { type: 'close', code: 1001, reason: '' },
    ]);
    expect(client.state).toBe('closed');
    expect(client.dataToSend()).toEqual([]);
    expect(client.shouldCloseTransport).toBe(false);
    expect(client.shouldAwaitTransportClose).toBe(true);
    expect(client.receiveEof()).toEqual([]);
    expect(client.shouldCloseTransport).toBe(true);
  });

  it('reports 1006 when the transport ends without a close (§7.1.5)', () => {
    const server = new WebSocketConnection({ role: 'server' });
    server.receive(rawFrame({ opcode: 1, fin: false, payload: utf8('par') }));
    expect(server.receiveEof()).toEqual([{ type: 'close', code: 1006, reason: '' }]);
    expect(server.state).toBe('closed');
    expect(server.receive(rawFrame({ opcode: 1, payload: utf8('x') }))).toEqual([]);
    expect(() => server.ping()).toThrow(TypeError);
  });

  it('with autoCloseReply off, the caller answers with its own code', () => {
    const server = new WebSocketConnection({ role: 'server', autoCloseReply: false });
    server.receive(closeFrame(1000));
    expect(server.dataToSend()).toEqual([]);
    server.close(4001);
    expect(closeCodeOf(framesOf(server.dataToSend(), 'client')[0]!)).toBe(4001);
    expect(server.state).toBe('closed');
  });

  it('refuses close codes that may not be sent and reasons over 123 bytes, at once (§7.4, §5.5)', () => {
    const conn = new WebSocketConnection({ role: 'server' });
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 1000.5]) expect(() => conn.close(code)).toThrow(RangeError);
    // 1012–1014 (IANA registry, RFC 6455 §11.7) may be sent.
    for (const code of [1012, 1013, 1014]) expect(() => new WebSocketConnection({ role: 'server' }).close(code)).not.toThrow();
    expect(() => conn.close(1000, 'é'.repeat(62))).toThrow(RangeError);
    conn.close(1000, 'é'.repeat(61) + 'x');
    conn.close(1000); // a second close does nothing
    expect(framesOf(conn.dataToSend(), 'client')).toHaveLength(1);
  });
});

describe('pings and caller misuse', () => {
  it('keeps at most 16 automatic pongs, the latest, between two dataToSend calls (§5.5.3)', () => {
    const server = new WebSocketConnection({ role: 'server' });
    server.receive(concat(Array.from({ length: 40 }, (_, i) => rawFrame({ opcode: 9, payload: Uint8Array.of(i) }))));
    const pongs = framesOf(server.dataToSend(), 'client');
    expect(pongs.map((f) => f.payload[0])).toEqual(Array.from({ length: 16 }, (_, i) => 24 + i));
  });

  it('queues the pong for a ping between fragments before the echo of the message (Autobahn 5.6)', () => {
    const server = new WebSocketConnection({ role: 'server' });
    const events = server.receive(
      concat([
        rawFrame({ opcode: 1, fin: false, payload: utf8('frag') }),
        rawFrame({ opcode: 9, payload: utf8('p') }),
        rawFrame({ opcode: 0, payload: utf8('ment') }),
      ]),
    );
    for (const e of events) if (e.type === 'text') server.sendText(e.data);
    const frames = framesOf(server.dataToSend(), 'client');
    expect(frames.map((f) => [f.opcode, new TextDecoder().decode(f.payload)])).toEqual([
      [Opcode.Pong, 'p'],
      [Opcode.Text, 'fragment'],
    ]);
  });

  it('does not answer pings with autoPong off; reports unsolicited pongs', () => {
    const server = new WebSocketConnection({ role: 'server', autoPong: false });
    const events = server.receive(concat([rawFrame({ opcode: 9 }), rawFrame({ opcode: 10, payload: Uint8Array.of(5) })]));
    expect(plain(events)).toEqual([
      { type: 'ping', data: [] },
      { type: 'pong', data: [5] },
    ]);
    expect(server.dataToSend()).toEqual([]);
  });

  it('throws for control data over 125 bytes, wrong types, and interleaved fragmented messages', () => {
    const conn = new WebSocketConnection({ role: 'client' });
    expect(() => conn.ping(new Uint8Array(126))).toThrow(RangeError);
    expect(() => conn.pong(new Uint8Array(126))).toThrow(RangeError);
    expect(() => conn.sendBinary('x' as unknown as Uint8Array)).toThrow(TypeError);
    conn.sendText('a', { fin: false });
    expect(() => conn.sendBinary(new Uint8Array(1))).toThrow(TypeError);
    conn.sendText('b');
    conn.sendBinary(new Uint8Array(1));
    expect(() => new WebSocketConnection({ role: 'peer' as 'client' })).toThrow(TypeError);
    expect(() => new WebSocketConnection({ role: 'client', maxMessageSize: 0 })).toThrow(RangeError);
  });
});

describe('extensions (RFC 6455 §9)', () => {
  // A toy extension owning RSV1: it flips every payload byte of the frames it marks.
  const flip = (p: Uint8Array) => p.map((b) => b ^ 0xff);
  const toy: Extension = {
    name: 'x-flip',
    rsvBits: 0x40,
    encode: (frame) => ({ ...frame, rsv1: true, payload: flip(frame.payload) }),
    decode: (frame, maxSize) => {
      if (!frame.rsv1) throw new ProtocolError(1002, 'x-flip: frame not marked');
      if (frame.payload.length > maxSize) throw new ProtocolError(1009, 'x-flip: too big');
      return { ...frame, rsv1: false, payload: flip(frame.payload) };
    },
  };

  it('round-trips messages through encode and decode, with RSV1 on the wire', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (ops, cuts) => {
        const client = new WebSocketConnection({ role: 'client', extensions: [toy] });
        const server = new WebSocketConnection({ role: 'server', extensions: [toy] });
        const expected = perform(client, ops);
        const wire = client.dataToSend();
        for (const f of framesOf(wire, 'server', 0x40)) if (f.opcode < 8) expect(f.rsv1).toBe(true);
        const events = chunk(concat(wire), cuts).flatMap((c) => server.receive(c));
        expect(plain(events)).toEqual(plain(expected));
      }),
      { numRuns: runs(100) },
    );
  });

  it("turns an extension's ProtocolError into its close code, and RSV1 without the extension into 1002", () => {
    const server = new WebSocketConnection({ role: 'server', extensions: [toy] });
    expect(server.receive(rawFrame({ opcode: 2, payload: Uint8Array.of(1) }))).toEqual([
      { type: 'error', code: 1002, message: 'x-flip: frame not marked' },
    ]);
    const faulty = new WebSocketConnection({
      role: 'server',
      extensions: [{ ...toy, decode: () => { throw new Error('bug'); } }],
    });
    expect(withoutMessages(faulty.receive(rawFrame({ opcode: 2, rsv: 4 })))).toEqual([failure(1011)]);
    const limited = new WebSocketConnection({ role: 'server', extensions: [toy], maxMessageSize: 10 });
    // The extension is told how much room the message has left (10 - 8 bytes).
    const part1 = rawFrame({ opcode: 2, fin: false, rsv: 4, payload: new Uint8Array(8) });
    const part2 = rawFrame({ opcode: 0, rsv: 4, payload: new Uint8Array(8) });
    const limitedEvents = limited.receive(concat([part1, part2]));
    expect(withoutMessages(limitedEvents)).toEqual([failure(1009)]);
    expect((limitedEvents[0] as { message: string }).message).toBe('x-flip: too big');
    const plainServer = new WebSocketConnection({ role: 'server' });
    expect(plainServer.receive(rawFrame({ opcode: 2, rsv: 4, payload: Uint8Array.of(1) }))[0]).toMatchObject({ code: 1002 });
  });

  it('a text that the extension decodes to invalid UTF-8 yields one 1007 error and nothing after it (§8.1, §7.1.7)', () => {
    for (const bad of [[0xff], [0x61, 0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      for (const streamMessages of [false, true]) {
        for (const fragmented of [false, true]) {
          const server = new WebSocketConnection({ role: 'server', extensions: [toy], streamMessages });
          const start = fragmented ? [rawFrame({ opcode: 1, fin: false, rsv: 4, payload: flip(utf8('ok')) })] : [];
          const last = rawFrame({ opcode: fragmented ? 0 : 1, rsv: 4, payload: flip(Uint8Array.from(bad)) });
          const events = server.receive(concat([...start, last])).filter((e) => e.type !== 'text-fragment' || e.data !== 'ok');
          expect([bad, streamMessages, fragmented, withoutMessages(events)]).toEqual([bad, streamMessages, fragmented, [failure(1007)]]);
          const frames = framesOf(server.dataToSend(), 'client');
          expect(frames.map((f) => [f.opcode, closeCodeOf(f)])).toEqual([[Opcode.Close, 1007]]);
        }
      }
    }
  });

  it('streamMessages: a whole frame undone by the extension is handed out as one piece, first and last', () => {
    for (const [opcode, payload] of [[1, utf8('héllo')], [2, Uint8Array.of(1, 2, 3)]] as const) {
      const server = new WebSocketConnection({ role: 'server', extensions: [toy], streamMessages: true });
      const events = server.receive(rawFrame({ opcode, rsv: 4, payload: flip(payload) }));
      expect(plain(events)).toEqual([
        opcode === 1
          ? { type: 'text-fragment', data: 'héllo', first: true, last: true }
          : { type: 'binary-fragment', data: [1, 2, 3], first: true, last: true },
      ]);
    }
  });
});

describe('Close frame bodies (RFC 6455 §5.5.1)', () => {
  it('refuses a 1-byte body with 1002, even one whose byte would begin a code that may be sent', () => {
    for (const b of [0x00, 0x03, 0x0f, 0x10, 0x13]) {
      const server = new WebSocketConnection({ role: 'server' });
      const events = server.receive(rawFrame({ opcode: 8, payload: Uint8Array.of(b) }));
      expect([b, withoutMessages(events)]).toEqual([b, [failure(1002)]]);
    }
  });
});
