/**
 * permessage-deflate on the wire (RFC 7692 §6, §7.2): round trips under
 * every parameter combination, the framing rules, the RFC's own examples,
 * bounded inflation, and sharing compressed messages between connections.
 */
import { fc, runs } from '../helpers/fast-check.ts';
import { describe, expect, it } from 'vitest';
import { Opcode, WebSocketConnection, type WebSocketEvent } from 'wscodec';
import { PerMessageDeflate, type PerMessageDeflateOptions } from 'wscodec/deflate';
import { concat, firstDifference, hex, rawFrame, utf8 } from '../helpers/bytes.ts';
import { connectedPair, framesOf, negotiate, prose, transfer } from '../helpers/deflate.ts';
import { failure, plain, withoutMessages } from '../helpers/events.ts';

const windowBits = fc.option(fc.integer({ min: 8, max: 15 }), { nil: undefined });
/** Any options one side may be given. */
const sideOptions: fc.Arbitrary<PerMessageDeflateOptions> = fc.record({
  threshold: fc.constantFrom(0, 0, 16, 1024),
  level: fc.integer({ min: 0, max: 9 }),
  memLevel: fc.integer({ min: 1, max: 9 }),
  serverNoContextTakeover: fc.boolean(),
  clientNoContextTakeover: fc.boolean(),
  serverMaxWindowBits: fc.oneof(windowBits, fc.boolean()),
  clientMaxWindowBits: fc.oneof(windowBits, fc.boolean()),
});

/** Messages that compress well (repeats), badly (random bytes), or not at all (empty). */
const message = fc.oneof(
  fc.record({ kind: fc.constant('text' as const), data: fc.string({ unit: 'binary', maxLength: 300 }) }),
  fc.record({ kind: fc.constant('text' as const), data: fc.tuple(fc.string({ maxLength: 12 }), fc.nat({ max: 400 })).map(([s, n]) => s.repeat(n)) }),
  fc.record({ kind: fc.constant('binary' as const), data: fc.uint8Array({ maxLength: 3000 }) }),
  fc.record({ kind: fc.constant('binary' as const), data: fc.nat({ max: 70_000 }).map((n) => new Uint8Array(n).fill(n & 255)) }),
);

type Message = { kind: 'text'; data: string } | { kind: 'binary'; data: Uint8Array };

/** Sends a message whole, or in `parts` pieces with `fin: false` (text split on code points). */
function send(conn: WebSocketConnection, m: Message, parts: number): void {
  if (m.kind === 'text') {
    const chars = [...m.data];
    const size = Math.ceil(chars.length / parts) || 1;
    for (let i = 0; i < parts - 1; i++) conn.sendText(chars.slice(i * size, (i + 1) * size).join(''), { fin: false });
    conn.sendText(chars.slice((parts - 1) * size).join(''));
  } else {
    const size = Math.ceil(m.data.length / parts);
    for (let i = 0; i < parts - 1; i++) conn.sendBinary(m.data.subarray(i * size, (i + 1) * size), { fin: false });
    conn.sendBinary(m.data.subarray((parts - 1) * size));
  }
}

/** An event as a string that differs whenever its type or data does (binary data as Latin-1). */
const digestOf = (e: WebSocketEvent): string =>
  e.type === 'binary' ? `binary:${new TextDecoder('latin1').decode(e.data)}` : e.type === 'text' ? `text:${e.data}` : JSON.stringify(e);

const asEvent = (m: Message): WebSocketEvent => (m.kind === 'text' ? { type: 'text', data: m.data } : { type: 'binary', data: m.data });

describe('round trips (RFC 7692 §7.2)', () => {
  it('law: any negotiated parameters, any messages, parts, fragment sizes and chunking arrive intact, both directions', () => {
    fc.assert(
      fc.property(
        sideOptions,
        sideOptions,
        fc.array(fc.tuple(message, fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 6 }),
        fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
        fc.constantFrom(Infinity, 1, 7, 1000),
        (serverOptions, clientOptions, messages, fragmentSize, chunkSize) => {
          let pair;
          try {
            // Tiny fragments make many frames: lift the fragment limit (it has tests of its own).
            pair = connectedPair(serverOptions, clientOptions, { maxFragments: 1_000_000, ...(fragmentSize === undefined ? {} : { fragmentSize }) });
          } catch {
            return; // A response the client refuses: the negotiation tests cover those.
          }
          const { server, client } = pair;
          for (const [from, to] of [
            [client, server],
            [server, client],
          ] as const) {
            const received: WebSocketEvent[] = [];
            for (const [m, parts] of messages) {
              send(from, m, parts);
              received.push(...transfer(from, to, chunkSize));
            }
            // Compared as strings: deep equality of large byte arrays is slow in some runtimes.
            expect(received.map(digestOf)).toEqual(messages.map(([m]) => digestOf(asEvent(m))));
          }
        },
      ),
      { numRuns: runs(60) },
    );
  });

  for (const bits of [8, 9, 10, 11, 12, 13, 14, 15]) {
    it(`window bits ${bits} both ways, with and without context takeover`, () => {
      for (const noContext of [false, true]) {
        const options = { threshold: 0, serverMaxWindowBits: bits, clientMaxWindowBits: bits, serverNoContextTakeover: noContext, clientNoContextTakeover: noContext };
        const { server, client, negotiated } = connectedPair(options, options);
        expect((negotiated.server[0] as PerMessageDeflate).params).toEqual({
          serverNoContextTakeover: noContext,
          clientNoContextTakeover: noContext,
          serverMaxWindowBits: bits,
          clientMaxWindowBits: bits,
        });
        const texts = [0, 1, 2, 3].map((i) => prose(2000 + i * 900, bits * 10 + i));
        for (const text of texts) {
          client.sendText(text);
          expect(transfer(client, server)).toEqual([{ type: 'text', data: text }]);
          server.sendText(text);
          expect(transfer(server, client)).toEqual([{ type: 'text', data: text }]);
        }
      }
    });
  }
});

describe('received payloads stay intact', () => {
  it('a message never changes after later ones arrive: small ones, and small compressed forms that inflate past 16 KiB and 128 KiB', () => {
    const { server, client } = connectedPair({ threshold: 0 }, { threshold: 0 });
    const sent: Uint8Array[] = [];
    const received: Uint8Array[] = [];
    for (let i = 0; i < 60; i++) {
      // Mostly ~1 KiB messages; every 7th a run of one byte (a few hundred compressed bytes for up to 200 KiB).
      const m = i % 7 === 3 ? new Uint8Array(1000 + i * 3500).fill(i) : utf8(prose(300 + ((i * 97) % 2500), i));
      sent.push(m.slice());
      client.sendBinary(m);
      for (const e of transfer(client, server)) if (e.type === 'binary') received.push(e.data);
    }
    // Length and FNV-1a hash of every message: deep equality of large byte arrays is slow in some runtimes.
    const digest = (b: Uint8Array): string => {
      let h = 0x811c9dc5;
      for (const x of b) h = Math.imul(h ^ x, 0x01000193);
      return `${b.length}:${h >>> 0}`;
    };
    expect(received.map(digest)).toEqual(sent.map(digest));
  });
});

describe('frames (RFC 7692 §6)', () => {
  it('RSV1 marks the first frame of a compressed message only; continuation frames clear it', () => {
    const { server, client } = connectedPair({ threshold: 0 }, { threshold: 0 }, { fragmentSize: 100 });
    const text = prose(5000, 1);
    client.sendText(text);
    const wire = client.dataToSend();
    const frames = framesOf(wire, 'server');
    expect(frames.length).toBeGreaterThan(1);
    expect(frames.map((f) => f.rsv1)).toEqual(frames.map((_, i) => i === 0));
    expect(frames.map((f) => f.opcode)).toEqual(frames.map((_, i) => (i === 0 ? Opcode.Text : Opcode.Continuation)));
    // Compressed: fewer payload bytes than the text.
    expect(frames.reduce((n, f) => n + f.payload.length, 0)).toBeLessThan(text.length / 2);
    expect(wire.flatMap((c) => server.receive(c))).toEqual([{ type: 'text', data: text }]);
  });

  it('a message sent in parts (fin: false) is compressed as one: RSV1 on its first frame only', () => {
    const { server, client } = connectedPair({ threshold: 0 }, { threshold: 0 });
    server.sendText('Hello, ', { fin: false });
    server.ping(utf8('keepalive'));
    server.sendText('World');
    const wire = server.dataToSend();
    const frames = framesOf(wire, 'client');
    expect(frames.map((f) => [f.opcode, f.rsv1])).toEqual([
      [Opcode.Text, true],
      [Opcode.Ping, false],
      [Opcode.Continuation, false],
    ]);
    expect(wire.flatMap((c) => client.receive(c))).toEqual([
      { type: 'ping', data: utf8('keepalive') },
      { type: 'text', data: 'Hello, World' },
    ]);
  });

  it('a message sent in parts with an empty part in the middle arrives whole: an empty part adds no bytes (§7.2.1)', () => {
    const { server, client } = connectedPair({ threshold: 0 }, { threshold: 0 });
    server.sendText('Hello, ', { fin: false });
    server.sendText('', { fin: false });
    server.sendText('World');
    expect(server.dataToSend().flatMap((c) => client.receive(c))).toEqual([{ type: 'text', data: 'Hello, World' }]);
  });

  it('an incompressible message larger than the 64 KiB compression scratch arrives intact, both directions', () => {
    const data = new Uint8Array(300_000);
    for (let i = 0, x = 12345; i < data.length; i++) data[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    for (const [from, to] of [['server', 'client'], ['client', 'server']] as const) {
      const pair = connectedPair({ threshold: 0 }, { threshold: 0 });
      pair[from].sendBinary(data);
      const events = pair[from].dataToSend().flatMap((c) => pair[to].receive(c));
      expect(events.length).toBe(1);
      expect(events[0]!.type === 'binary' && firstDifference(events[0].data, data)).toBe(-1);
    }
  });

  it('with an 8-bit window (server_max_window_bits=8) no match reaches back more than 256 bytes (§7.1.2.1); with 10 bits it may', () => {
    // 300 random bytes, twenty times: the only redundancy lies 300 bytes back.
    const period = new Uint8Array(300);
    for (let i = 0, x = 7; i < period.length; i++) period[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    const payload = concat(Array.from({ length: 20 }, () => period));
    const compressedSize = (serverMaxWindowBits: number) => {
      const extension = negotiate({ threshold: 0, serverMaxWindowBits }, {}).server[0]!;
      return extension.encodeMessage!({ opcode: Opcode.Binary, fin: true, rsv1: false, rsv2: false, rsv3: false, payload }).payload.length;
    };
    // A sender within the window can only code the random bytes as they are.
    expect(compressedSize(8)).toBeGreaterThan(payload.length * 0.9);
    expect(compressedSize(10)).toBeLessThan(payload.length * 0.2);
  });

  it('control frames are never compressed', () => {
    const { client } = connectedPair({ threshold: 0 }, { threshold: 0 });
    const data = utf8('x'.repeat(100));
    client.ping(data);
    client.pong(data);
    client.close(1000, 'y'.repeat(100));
    const frames = framesOf(client.dataToSend(), 'server');
    expect(frames.map((f) => f.rsv1)).toEqual([false, false, false]);
    expect(Array.from(frames[0]!.payload)).toEqual(Array.from(data));
  });

  it("each side's extension names its role and holds the same agreed parameters (§7.1)", () => {
    const { server, client } = negotiate({ serverMaxWindowBits: 9, clientMaxWindowBits: 10 }, {});
    const [ours, theirs] = [server[0] as PerMessageDeflate, client[0] as PerMessageDeflate];
    expect([ours.role, theirs.role]).toEqual(['server', 'client']);
    expect(theirs.params).toEqual(ours.params);
  });

  it('control frames handed to the extension itself come back as they were (§6.1), Close included', () => {
    // A caller driving the extension directly (its own connection, a proxy) gets the same rule.
    const extension = negotiate({ threshold: 0 }, {}).server[0]!;
    const payload = utf8('z'.repeat(125));
    for (const opcode of [Opcode.Close, Opcode.Ping, Opcode.Pong]) {
      const frame = { opcode, fin: true, rsv1: false, rsv2: false, rsv3: false, payload };
      expect(extension.encodeMessage!(frame)).toBe(frame);
    }
  });

  it('messages under the threshold go out uncompressed, RSV1 clear; at the threshold, compressed', () => {
    const { server, client } = connectedPair({ threshold: 100 }, {});
    server.sendText('a'.repeat(99));
    server.sendText('a'.repeat(100));
    const wire = server.dataToSend();
    const frames = framesOf(wire, 'client');
    expect(frames.map((f) => f.rsv1)).toEqual([false, true]);
    expect(frames[0]!.payload.length).toBe(99);
    expect(frames[1]!.payload.length).toBeLessThan(20);
    expect(wire.flatMap((c) => client.receive(c))).toEqual([
      { type: 'text', data: 'a'.repeat(99) },
      { type: 'text', data: 'a'.repeat(100) },
    ]);
  });

  it('the first frame of a message decides for all its frames: RSV1 on the first frame says the whole message is compressed (§6.1)', () => {
    const { server, client } = connectedPair({ threshold: 100 }, {});
    // Compressed: a first part over the threshold, then a short one.
    server.sendText('b'.repeat(200), { fin: false });
    server.sendText('c'.repeat(10));
    // Uncompressed: a short first part, then a long one.
    server.sendText('d'.repeat(10), { fin: false });
    server.sendText('e'.repeat(200));
    const wire = server.dataToSend();
    const frames = framesOf(wire, 'client');
    expect(frames.map((f) => f.rsv1)).toEqual([true, false, false, false]);
    expect(frames.map((f) => f.payload.length).slice(2)).toEqual([10, 200]);
    expect(wire.flatMap((c) => client.receive(c))).toEqual([
      { type: 'text', data: 'b'.repeat(200) + 'c'.repeat(10) },
      { type: 'text', data: 'd'.repeat(10) + 'e'.repeat(200) },
    ]);
  });

  it('the default threshold is 1024 bytes', () => {
    const { server } = connectedPair({}, {});
    server.sendBinary(new Uint8Array(1023));
    server.sendBinary(new Uint8Array(1024));
    expect(framesOf(server.dataToSend(), 'client').map((f) => f.rsv1)).toEqual([false, true]);
  });

  it('the sync flush tail 00 00 ff ff is removed (§7.2.1): "Hello" compresses to the RFC\'s bytes', () => {
    // RFC 7692 §7.2.3.1: "Hello" in one compressed frame is f2 48 cd c9 c9 07 00.
    const { server } = connectedPair({ threshold: 0 }, {});
    server.sendText('Hello');
    expect(framesOf(server.dataToSend(), 'client').map((f) => Array.from(f.payload))).toEqual([Array.from(hex('f2 48 cd c9 c9 07 00'))]);
  });

  it('without context takeover, the same message compresses to the same bytes every time; with it, a repeat costs less', () => {
    const text = prose(3000, 7);
    for (const noContext of [true, false]) {
      const { server } = connectedPair({ threshold: 0, serverNoContextTakeover: noContext }, {});
      server.sendText(text);
      server.sendText(text);
      const [first, second] = framesOf(server.dataToSend(), 'client').map((f) => Array.from(f.payload));
      if (noContext) expect(second).toEqual(first);
      else expect(second!.length).toBeLessThan(first!.length / 10);
    }
  });

  it('the RFC 7692 §7.2.3 examples are read as the RFC says', () => {
    const { client } = connectedPair({}, {});
    const events = [
      // §7.2.3.1: one compressed frame, then the same message in two fragments.
      hex('c1 07 f2 48 cd c9 c9 07 00'),
      hex('41 03 f2 48 cd'),
      hex('80 04 c9 c9 07 00'),
      // §7.2.3.3: a stored (uncompressed) DEFLATE block.
      hex('c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00'),
      // §7.2.3.6: an empty message as a single 0x00.
      hex('c1 01 00'),
    ].flatMap((frame) => client.receive(frame));
    expect(events).toEqual([
      { type: 'text', data: 'Hello' },
      { type: 'text', data: 'Hello' },
      { type: 'text', data: 'Hello' },
      { type: 'text', data: '' },
    ]);
  });

  it('§7.2.3.2: a second message may refer to the first (context takeover)', () => {
    const { client } = connectedPair({}, {});
    const events = [hex('c1 07 f2 48 cd c9 c9 07 00'), hex('c1 05 f2 00 11 00 00')].flatMap((frame) => client.receive(frame));
    expect(events).toEqual([
      { type: 'text', data: 'Hello' },
      { type: 'text', data: 'Hello' },
    ]);
  });

  it('after a final (BFINAL) block in the first frame, the later frames of the message add nothing (§7.2.3.4: the DEFLATE data has ended)', () => {
    const { client } = connectedPair({}, {});
    // "Hello" as a final block, then two continuation frames whose bytes are not DEFLATE data.
    const frames = [hex('41 07 f3 48 cd c9 c9 07 00'), hex('00 02 ff ff'), hex('80 02 ff ff'), hex('c1 07 f2 48 cd c9 c9 07 00')];
    expect(frames.flatMap((frame) => client.receive(frame))).toEqual([
      { type: 'text', data: 'Hello' },
      { type: 'text', data: 'Hello' },
    ]);
  });

  it('a message with a final (BFINAL) block is accepted (§7.2.3.4), and messages after it still inflate', () => {
    const { client } = connectedPair({}, {});
    // "Hello" as a final fixed-Huffman block: f3 48 cd c9 c9 07 00.
    const events = [hex('c1 07 f3 48 cd c9 c9 07 00'), hex('c1 07 f2 48 cd c9 c9 07 00')].flatMap((frame) => client.receive(frame));
    expect(events).toEqual([
      { type: 'text', data: 'Hello' },
      { type: 'text', data: 'Hello' },
    ]);
  });
});

/** A compressed frame as a peer in `role` sends it, with `opcode` (any bytes, even as text). */
function compressedFrom(role: 'client' | 'server', opcode: Opcode, payload: Uint8Array): Uint8Array {
  const { server, client } = connectedPair({ threshold: 0 }, { threshold: 0 });
  (role === 'client' ? client : server).sendBinary(payload);
  const frame = concat((role === 'client' ? client : server).dataToSend());
  frame[0] = (frame[0]! & 0xf0) | opcode;
  return frame;
}

describe('violations', () => {
  const compressedHello = hex('f2 48 cd c9 c9 07 00');
  const cases: Array<{ name: string; frames: Uint8Array[]; code: number; reason: RegExp }> = [
    { name: 'RSV1 on a continuation frame → 1002 (§6.1)', frames: [rawFrame({ opcode: 1, fin: false, rsv: 4, payload: compressedHello.subarray(0, 3), mask: true }), rawFrame({ opcode: 0, rsv: 4, payload: compressedHello.subarray(3), mask: true })], code: 1002, reason: /^RSV1 set on a continuation frame \(RFC 7692 §6\.1\)$/ },
    { name: 'RSV1 on a continuation of an uncompressed message → 1002', frames: [rawFrame({ opcode: 2, fin: false, payload: Uint8Array.of(1), mask: true }), rawFrame({ opcode: 0, rsv: 4, payload: compressedHello, mask: true })], code: 1002, reason: /^RSV1 set on a continuation frame \(RFC 7692 §6\.1\)$/ },
    { name: 'a continuation frame after a whole compressed message → 1002 (RFC 6455 §5.4)', frames: [rawFrame({ opcode: 1, rsv: 4, payload: compressedHello, mask: true }), rawFrame({ opcode: 0, payload: compressedHello, mask: true })], code: 1002, reason: /continuation/ },
    { name: 'RSV1 on a ping → 1002 (§6.1: control frames are not compressed)', frames: [rawFrame({ opcode: 9, rsv: 4, mask: true })], code: 1002, reason: /^reserved bits set on a control frame$/ },
    { name: 'RSV1 on a close → 1002', frames: [rawFrame({ opcode: 8, rsv: 4, payload: Uint8Array.of(3, 232), mask: true })], code: 1002, reason: /^reserved bits set on a control frame$/ },
    { name: 'RSV2 on a data frame → 1002 (not negotiated)', frames: [rawFrame({ opcode: 1, rsv: 2, payload: compressedHello, mask: true })], code: 1002, reason: /^reserved bits set without a negotiated extension \(RSV=2\)$/ },
    { name: 'data that is not DEFLATE → 1007', frames: [rawFrame({ opcode: 2, rsv: 4, payload: hex('ff ff ff ff ff'), mask: true })], code: 1007, reason: /^invalid compressed data: invalid block type$/ },
    { name: 'a reserved block type (BTYPE 11) → 1007', frames: [rawFrame({ opcode: 2, rsv: 4, payload: hex('07 00'), mask: true })], code: 1007, reason: /^invalid compressed data: invalid block type$/ },
    { name: 'a stored block whose NLEN is not the complement of LEN → 1007', frames: [rawFrame({ opcode: 2, rsv: 4, payload: hex('01 05 00 00 00'), mask: true })], code: 1007, reason: /^invalid compressed data: invalid stored block lengths$/ },
    { name: 'compressed text that is not UTF-8 → 1007', frames: [compressedFrom('client', Opcode.Text, Uint8Array.of(0x48, 0xff, 0xfe))], code: 1007, reason: /^invalid UTF-8 in a text message$/ },
  ];
  for (const { name, frames, code, reason } of cases) {
    it(name, () => {
      const { server } = connectedPair({}, {});
      const events = withoutMessages(frames.flatMap((f) => server.receive(f)));
      expect(events.at(-1)).toEqual(failure(code));
      expect(events.filter((e) => e.type === 'error')).toHaveLength(1);
      expect(server.state).toBe('closing');
      // The close frame sent names the violation (RFC 6455 §7.1.6: the reason is for people).
      const close = framesOf(server.dataToSend(), 'client').at(-1)!;
      expect(close.opcode).toBe(Opcode.Close);
      const got = new TextDecoder().decode(close.payload.subarray(2));
      expect({ got, matches: reason.test(got) }).toMatchObject({ matches: true });
    });
  }
});

describe('the receiver appends 00 00 FF FF to a message before inflating it (RFC 7692 §7.2.2)', () => {
  it('whatever the size of the final frame: stored blocks (§7.2.3.2) making payloads of 1 byte to 4 KiB and more', () => {
    for (const size of [1, 5, 4000, 4091, 4092, 4093, 4095, 4096, 4097, 4200, 9000]) {
      // A non-final stored block of `size - 5` bytes, no BFINAL (§7.2.3.2): exactly `size` bytes of payload.
      const data = new Uint8Array(Math.max(size - 5, 0)).map((_, i) => (i * 7) & 0xff);
      const payload = size === 1 ? Uint8Array.of(0) : concat([Uint8Array.of(0, data.length & 0xff, data.length >> 8, ~data.length & 0xff, (~data.length >> 8) & 0xff), data]);
      expect(payload.length).toBe(size);
      const { server } = connectedPair({}, {});
      const events = server.receive(rawFrame({ opcode: 2, rsv: 4, payload, mask: true }));
      expect(plain(events)).toEqual([{ type: 'binary', data: Array.from(data) }]);
    }
  });
});

describe('large messages with context takeover (RFC 7692 §7.2.1, §7.2.2)', () => {
  it('a message inflating to several times 128 KiB from one frame of many KiB, then another that refers back to it, both arrive intact', () => {
    const { server, client } = connectedPair({}, {});
    const first = prose(400_000, 11);
    const second = prose(200_000, 11); // the start of the first: compressed as back-references into the window
    client.sendText(first);
    client.sendText(second);
    const [a, b] = client.dataToSend();
    expect(a!.length).toBeGreaterThan(8 * 1024); // a final frame past the 4 KiB one-call path
    expect(server.receive(a!)).toEqual([{ type: 'text', data: first }]);
    expect(server.receive(b!)).toEqual([{ type: 'text', data: second }]);
  });

  it('a message that compresses a hundredfold and inflates to 1 MB, through several rounds of a growing buffer, arrives intact', () => {
    const { server, client } = connectedPair({}, {});
    const text = prose(1000, 12).repeat(1000);
    client.sendText(text);
    const wire = client.dataToSend();
    expect(concat(wire).length).toBeLessThan(text.length / 50);
    expect(wire.flatMap((chunk) => server.receive(chunk))).toEqual([{ type: 'text', data: text }]);
  });
});

describe('no context takeover on the receiving side (RFC 7692 §7.1.1)', () => {
  it('keeps no window between messages once the peer agreed to compress each on its own: a message referring back into the previous one fails with 1007', () => {
    const text = prose(300, 7);
    // The server agreed client_no_context_takeover; this client (negotiated apart) breaks the promise.
    const server = new WebSocketConnection({ role: 'server', extensions: negotiate({ threshold: 0, clientNoContextTakeover: true }, {}).server });
    const { client } = connectedPair({ threshold: 0 }, { threshold: 0 });
    client.sendText(text);
    client.sendText(text);
    const [first, second] = client.dataToSend();
    expect(server.receive(first!)).toEqual([{ type: 'text', data: text }]);
    const events = server.receive(second!);
    expect(withoutMessages(events)).toEqual([failure(1007)]);
    expect(events[0]).toMatchObject({ message: 'invalid compressed data: invalid distance too far back' });
  });
});

describe('bounded inflation (RFC 6455 §10.4 with RFC 7692)', () => {
  /** `size` zero bytes compressed by the peer: about 1 KiB per MiB. */
  function zeros(size: number, fragments = 1): Uint8Array[] {
    const { client } = connectedPair({ threshold: 0 }, { threshold: 0 }, { fragmentSize: Math.ceil(size / 1000 / fragments) + 1 });
    client.sendBinary(new Uint8Array(size));
    return client.dataToSend();
  }

  it('a small message that inflates past maxMessageSize fails with 1009', () => {
    const wire = zeros(4 * 1024 * 1024);
    expect(concat(wire).length).toBeLessThan(8 * 1024);
    const server = new WebSocketConnection({ role: 'server', maxMessageSize: 1024 * 1024, extensions: negotiate({}, {}).server });
    const events = wire.flatMap((c) => server.receive(c));
    expect(withoutMessages(events)).toEqual([failure(1009)]);
    // The reason says why, with the limit left for this message (what the close frame carries).
    expect(events[0]).toMatchObject({ message: 'decompressed message of over 1048576 more bytes' });
  });

  it('the budget spans the frames of a fragmented message', () => {
    const wire = zeros(2 * 1024 * 1024, 4);
    const server = new WebSocketConnection({ role: 'server', maxMessageSize: 1024 * 1024, extensions: negotiate({}, {}).server });
    expect(withoutMessages(wire.flatMap((c) => server.receive(c)))).toEqual([failure(1009)]);
  });

  it('a small message: exactly maxMessageSize is accepted, one byte more fails with 1009', () => {
    for (const [size, expected] of [
      [1000, ['binary']],
      [1001, ['error']],
    ] as const) {
      const wire = zeros(size);
      const server = new WebSocketConnection({ role: 'server', maxMessageSize: 1000, extensions: negotiate({}, {}).server });
      const events = wire.flatMap((c) => server.receive(c));
      expect(events.map((e) => e.type).slice(0, 1)).toEqual(expected);
      if (size === 1001) expect(withoutMessages(events)).toEqual([failure(1009)]);
    }
  });

  it('a message that inflates to exactly maxMessageSize is accepted', () => {
    const wire = zeros(64 * 1024);
    const server = new WebSocketConnection({ role: 'server', maxMessageSize: 64 * 1024, extensions: negotiate({}, {}).server });
    const events = wire.flatMap((c) => server.receive(c));
    expect(events.map((e) => e.type)).toEqual(['binary']);
    expect((events[0] as { data: Uint8Array }).data.length).toBe(64 * 1024);
  });

  it('a message past the 128 KiB scratch that inflates to exactly maxMessageSize is held in at most maxMessageSize + 1 bytes (the memory bound: one byte past the limit proves a message too big)', () => {
    for (const size of [128 * 1024 + 1, 200_000, 300_000]) {
      const { client } = connectedPair({ threshold: 0 }, { threshold: 0 });
      client.sendBinary(new Uint8Array(size).map((_, i) => (i * 31 + (i >> 7)) & 0xff));
      const wire = client.dataToSend();
      expect(wire.length).toBe(1); // one frame: the inflater's output is the message
      const server = new WebSocketConnection({ role: 'server', maxMessageSize: size, extensions: negotiate({}, {}).server });
      const events = wire.flatMap((c) => server.receive(c));
      expect(events.map((e) => e.type)).toEqual(['binary']);
      const { data } = events[0] as { data: Uint8Array };
      expect({ size, length: data.length, heldAtMost: data.buffer.byteLength <= size + 1 }).toEqual({ size, length: size, heldAtMost: true });
    }
  });
});

describe('encode, the per-frame form for drivers that frame messages themselves', () => {
  it('compresses a message frame by frame: RSV1 on its first frame only (RFC 7692 §6.1), and the peer inflates it', () => {
    const { client, negotiated } = connectedPair({ threshold: 0 }, {});
    const extension = negotiated.server[0]!;
    const text = prose(2000, 5);
    const bytes = utf8(text);
    const first = extension.encode({ opcode: Opcode.Text, fin: false, rsv1: false, rsv2: false, rsv3: false, payload: bytes.subarray(0, 1000) });
    const last = extension.encode({ opcode: Opcode.Continuation, fin: true, rsv1: false, rsv2: false, rsv3: false, payload: bytes.subarray(1000) });
    expect([first.rsv1, last.rsv1]).toEqual([true, false]);
    expect(first.payload.length + last.payload.length).toBeLessThan(bytes.length);
    const wire = concat([rawFrame({ opcode: 1, fin: false, rsv: 4, payload: first.payload }), rawFrame({ opcode: 0, payload: last.payload })]);
    expect(client.receive(wire)).toEqual([{ type: 'text', data: text }]);
  });

  it('leaves a control frame as it is: control frames are never compressed (RFC 7692 §6.1)', () => {
    const extension = negotiate({ threshold: 0 }, {}).server[0]!;
    const ping = { opcode: Opcode.Ping, fin: true, rsv1: false, rsv2: false, rsv3: false, payload: utf8('a ping, a ping, a ping, a ping') };
    expect(extension.encode(ping)).toEqual(ping);
  });
});

describe('sharing a compressed message (sharedEncodingKey, encodeShared)', () => {
  it('without context takeover: defined, and encodeShared gives what the connection sends, without touching its state', () => {
    const options = { threshold: 0, serverNoContextTakeover: true };
    const { server, client, negotiated } = connectedPair(options, {});
    const extension = negotiated.server[0]!;
    expect(typeof extension.sharedEncodingKey).toBe('string');
    const other = negotiate(options, {}).server[0]!;
    expect(other.sharedEncodingKey).toBe(extension.sharedEncodingKey);
    expect(negotiate({ ...options, level: 1 }, {}).server[0]!.sharedEncodingKey).not.toBe(extension.sharedEncodingKey);
    // A message compressed with a larger window may refer further back than a peer that agreed a smaller one accepts (§7.1.2.1).
    expect(negotiate({ ...options, serverMaxWindowBits: 10 }, {}).server[0]!.sharedEncodingKey).not.toBe(extension.sharedEncodingKey);
    expect(negotiate({ ...options, memLevel: 1 }, {}).server[0]!.sharedEncodingKey).not.toBe(extension.sharedEncodingKey);
    expect(negotiate({ ...options, threshold: 10 }, {}).server[0]!.sharedEncodingKey).not.toBe(extension.sharedEncodingKey);

    const payload = utf8(prose(2000, 3));
    server.sendText('a first message', { fin: false });
    const shared = extension.encodeShared!({ opcode: Opcode.Text, fin: true, rsv1: false, rsv2: false, rsv3: false, payload });
    expect(shared.rsv1).toBe(true);
    server.sendText(' goes on');
    server.sendBinary(payload);
    const frames = framesOf(server.dataToSend(), 'client');
    expect(Array.from(frames.at(-1)!.payload)).toEqual(Array.from(shared.payload));
    // The shared bytes inflate on any connection with those parameters.
    const wire = rawFrame({ opcode: 1, rsv: 4, payload: shared.payload });
    expect(client.receive(wire)).toEqual([{ type: 'text', data: prose(2000, 3) }]);
  });

  it('encodeShared refuses a part of a message or a control frame: only a whole text or binary message can be shared', () => {
    const extension = negotiate({ threshold: 0, serverNoContextTakeover: true }, {}).server[0]!;
    const frame = { opcode: Opcode.Text, fin: true, rsv1: false, rsv2: false, rsv3: false, payload: utf8('x') };
    for (const bad of [{ ...frame, fin: false }, { ...frame, opcode: Opcode.Continuation }, { ...frame, opcode: Opcode.Ping }]) {
      expect(() => extension.encodeShared!(bad)).toThrow(TypeError);
      expect(() => extension.encodeShared!(bad)).toThrow(/whole text or binary message/);
    }
  });

  it('encodeShared applies the threshold as the connection does: a message of exactly threshold bytes is compressed, one byte less is not', () => {
    const extension = negotiate({ threshold: 20, serverNoContextTakeover: true }, {}).server[0]!;
    const frame = (n: number) => ({ opcode: Opcode.Binary, fin: true, rsv1: false, rsv2: false, rsv3: false, payload: new Uint8Array(n) });
    expect(extension.encodeShared!(frame(20)).rsv1).toBe(true);
    expect(extension.encodeShared!(frame(19))).toEqual(frame(19));
  });

  it('with context takeover: undefined, and encodeShared refuses', () => {
    const extension = negotiate({}, {}).server[0]!;
    expect(extension.sharedEncodingKey).toBeUndefined();
    expect(() => extension.encodeShared!({ opcode: Opcode.Text, fin: true, rsv1: false, rsv2: false, rsv3: false, payload: utf8('x') })).toThrow(TypeError);
    expect(() => extension.encodeShared!({ opcode: Opcode.Text, fin: true, rsv1: false, rsv2: false, rsv3: false, payload: utf8('x') })).toThrow(/context takeover.*\(RFC 7692 §7\.1\.1\)/);
  });
});
