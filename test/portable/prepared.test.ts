/**
 * PreparedMessage and WebSocketConnection.sendPrepared: a prepared message
 * arrives exactly as sendText/sendBinary would send it (RFC 6455 §5.4, §5.6),
 * in both roles, with any fragmentSize and with extensions; client frames are
 * masked afresh on every send (§5.3); the connection's state and ordering
 * rules apply; and the encodings that can be shared are made once.
 */
import { fc, runs } from '../helpers/fast-check.ts';
import { describe, expect, it } from 'vitest';
import {
  FrameDecoder,
  PreparedMessage,
  ProtocolError,
  WebSocketConnection,
  type Extension,
  type Frame,
  type WebSocketEvent,
} from 'wscodec';
import { PerMessageDeflateClient, PerMessageDeflateServer, type PerMessageDeflateOptions } from 'wscodec/deflate';
import { concat } from '../helpers/bytes.ts';
import { plain } from '../helpers/events.ts';

type Role = 'client' | 'server';
const peerOf = (role: Role): Role => (role === 'client' ? 'server' : 'client');

/** Decodes what a connection sent, as its peer reads the frames. */
function framesOf(chunks: Uint8Array[], peerRole: Role, allowedRsv = 0): Frame[] {
  const decoder = new FrameDecoder({ role: peerRole, allowedRsv });
  const out = chunks.flatMap((c) => decoder.push(c.slice()));
  for (const item of out) if (item.type === 'error') throw new Error(`sent an invalid frame: ${item.message}`);
  return out.filter((f): f is Frame => f.type === 'frame');
}

/** What the peer's connection makes of the bytes sent. */
function received(chunks: Uint8Array[], role: Role, extensions: Extension[] = []): WebSocketEvent[] {
  const peer = new WebSocketConnection({ role: peerOf(role), extensions });
  return peer.receive(concat(chunks));
}

/** A toy extension owning RSV1 that XORs every payload byte with `key`; marks a message's first frame. */
function xorExtension(key: number, shared: boolean, calls = { encode: 0, shared: 0 }) {
  const xor = (p: Uint8Array) => p.map((b) => b ^ key);
  const extension: { -readonly [K in keyof Extension]: Extension[K] } = {
    name: 'x-xor',
    rsvBits: 0x40,
    encode(frame) {
      calls.encode++;
      return { ...frame, rsv1: frame.opcode !== 0, payload: xor(frame.payload) };
    },
    decode(frame) {
      if (frame.opcode !== 0 && !frame.rsv1) throw new ProtocolError(1002, 'x-xor: first frame not marked');
      return { ...frame, rsv1: false, payload: xor(frame.payload) };
    },
  };
  if (shared) {
    extension.sharedEncodingKey = String(key);
    extension.encodeShared = (frame) => {
      calls.shared++;
      return { ...frame, rsv1: true, payload: xor(frame.payload) };
    };
  }
  return { extension, calls };
}

const smallMessage = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.uint8Array({ maxLength: 300 }));
// Large enough for a server to queue the payload uncopied (16 KiB and up).
const largeMessage = fc.integer({ min: 16 * 1024, max: 20 * 1024 }).map((n) => new Uint8Array(n).fill(0x5a));
// Small fragment sizes with small messages, large ones with any (bounds the frame count).
const sizes = fc.oneof(
  fc.record({ fragmentSize: fc.integer({ min: 1, max: 100 }), messages: fc.array(smallMessage, { minLength: 1, maxLength: 4 }) }),
  fc.record({
    fragmentSize: fc.option(fc.integer({ min: 4000, max: 30_000 }), { nil: undefined }),
    messages: fc.array(fc.oneof({ weight: 4, arbitrary: smallMessage }, { weight: 1, arbitrary: largeMessage }), {
      minLength: 1,
      maxLength: 4,
    }),
  }),
);

describe('sendPrepared (RFC 6455 §5.4, §5.6)', () => {
  it('is received as sendText/sendBinary would send it, in both roles, with any fragmentSize and extension', () => {
    fc.assert(
      fc.property(
        sizes,
        fc.constantFrom<Role>('client', 'server'),
        fc.constantFrom('none', 'shared', 'per-connection'),
        ({ messages, fragmentSize }, role, kind) => {
          const make = () => (kind === 'none' ? [] : [xorExtension(0x21, kind === 'shared').extension]);
          const viaPrepared = new WebSocketConnection({ role, fragmentSize, extensions: make() });
          const viaSend = new WebSocketConnection({ role, fragmentSize, extensions: make() });
          for (const data of messages) {
            const prepared = new PreparedMessage(data);
            viaPrepared.sendPrepared(prepared);
            viaPrepared.sendPrepared(prepared);
            for (let i = 0; i < 2; i++) {
              if (typeof data === 'string') viaSend.sendText(data);
              else viaSend.sendBinary(data);
            }
          }
          const sent = viaPrepared.dataToSend();
          const expected = viaSend.dataToSend();
          expect(plain(received(sent, role, make()))).toEqual(plain(received(expected, role, make())));
          // The frames themselves: same opcodes, FIN, RSV bits and (unmasked) payloads.
          const shape = (f: Frame) => ({ ...f, mask: undefined, payload: Array.from(f.payload) });
          expect(framesOf(sent, peerOf(role), 0x40).map(shape)).toEqual(framesOf(expected, peerOf(role), 0x40).map(shape));
          if (fragmentSize !== undefined) {
            for (const f of framesOf(sent, peerOf(role), 0x40)) expect(f.payload.length).toBeLessThanOrEqual(fragmentSize);
          }
        },
      ),
      { numRuns: runs(100) },
    );
  });

  it('gives a server the same bytes as sendText, queued once for all connections', () => {
    const prepared = new PreparedMessage('héllo, room');
    const servers = [1, 2, 3].map(() => new WebSocketConnection({ role: 'server' }));
    const outputs = servers.map((s) => {
      s.sendPrepared(prepared);
      return s.dataToSend();
    });
    const reference = new WebSocketConnection({ role: 'server' });
    reference.sendText('héllo, room');
    expect(outputs[0]).toEqual(reference.dataToSend());
    // One encoding: every server queues the very same chunk.
    expect(outputs[1]![0]).toBe(outputs[0]![0]);
    expect(outputs[2]![0]).toBe(outputs[0]![0]);
    // A different fragment size is a different wire form, cached apart.
    const fragmenting = new WebSocketConnection({ role: 'server', fragmentSize: 4 });
    fragmenting.sendPrepared(prepared);
    expect(framesOf(fragmenting.dataToSend(), 'client').map((f) => f.payload.length)).toEqual([4, 4, 4]);
  });

  it('masks each client frame with a fresh key (§5.3) and never alters the shared bytes', () => {
    const data = new Uint8Array(40).fill(9);
    const prepared = new PreparedMessage(data);
    const client = new WebSocketConnection({ role: 'client', fragmentSize: 10 });
    client.sendPrepared(prepared);
    client.sendPrepared(prepared);
    const chunks = client.dataToSend();
    expect(framesOf(chunks, 'server').map((f) => f.payload)).toEqual(new Array(8).fill(new Uint8Array(10).fill(9)));
    // Each frame is one chunk; its masking key follows the 2-byte header (§5.2).
    expect(chunks).toHaveLength(8);
    expect(new Set(chunks.map((c) => Array.from(c.subarray(2, 6)).join())).size).toBe(8);
    expect(Array.from(data)).toEqual(new Array(40).fill(9));
    expect(prepared.payload).toBe(data);
    const server = new WebSocketConnection({ role: 'server' });
    server.sendPrepared(prepared);
    expect(framesOf(server.dataToSend(), 'client')[0]!.payload).toEqual(data);
  });

  it('encodes once per shared encoding key, and per connection when the extension cannot share', () => {
    const message = new PreparedMessage('x'.repeat(50));
    const a = xorExtension(0x11, true);
    const b = xorExtension(0x22, true);
    const sharing = [a, a, a, b, b].map(({ extension }) => extension);
    const conns = sharing.map((extension, i) => new WebSocketConnection({ role: i % 2 ? 'client' : 'server', extensions: [extension] }));
    for (const conn of conns) conn.sendPrepared(message);
    // Keys 0x11 and 0x22: two encodings whatever the role.
    expect(a.calls.shared + b.calls.shared).toBe(2);
    expect(a.calls.encode + b.calls.encode).toBe(0);
    conns.forEach((conn, i) => {
      const ext = [sharing[i]!];
      expect(received(conn.dataToSend(), conn.role, ext)).toEqual([{ type: 'text', data: 'x'.repeat(50) }]);
    });
    // No shared key (state carried between messages): each connection encodes through its own path.
    const own = xorExtension(0x33, false);
    const perConnection = [1, 2].map(() => new WebSocketConnection({ role: 'server', extensions: [own.extension] }));
    for (const conn of perConnection) conn.sendPrepared(message);
    expect(own.calls.encode).toBe(2);
    for (const conn of perConnection) {
      expect(received(conn.dataToSend(), 'server', [own.extension])).toEqual([{ type: 'text', data: 'x'.repeat(50) }]);
    }
  });

  it('refuses while a fragmented message is open and after the Close frame, like sendText (§5.4, §5.5.1)', () => {
    const prepared = new PreparedMessage('whole');
    for (const open of ['text', 'binary'] as const) {
      const conn = new WebSocketConnection({ role: 'server' });
      if (open === 'text') conn.sendText('part', { fin: false });
      else conn.sendBinary(Uint8Array.of(1), { fin: false });
      expect(() => conn.sendPrepared(prepared)).toThrow(/fragmented .* message is open.*§5\.4/);
      conn.ping();
      if (open === 'text') conn.sendText('end');
      else conn.sendBinary(Uint8Array.of(2));
      conn.sendPrepared(prepared);
      const events = received(conn.dataToSend(), 'server');
      expect(events.map((e) => e.type)).toEqual(['ping', open, 'text']);
    }
    const closed = new WebSocketConnection({ role: 'client' });
    closed.close();
    expect(() => closed.sendPrepared(prepared)).toThrow(TypeError);
    expect(() => closed.sendPrepared(prepared)).toThrow(/§5\.5\.1/);
    const conn = new WebSocketConnection({ role: 'client' });
    expect(() => conn.sendPrepared('text' as unknown as PreparedMessage)).toThrow(TypeError);
    expect(() => new PreparedMessage(42 as unknown as string)).toThrow(TypeError);
    expect(new PreparedMessage('').type).toBe('text');
    expect(new PreparedMessage(new Uint8Array(0)).type).toBe('binary');
  });
});

describe('PreparedMessage with extensions of its own (RFC 6455 §5.2, §9)', () => {
  it('sets the RSV bit an extension gives the message (RSV1, RSV2 or RSV3) on the first frame only, in both roles', () => {
    for (const [bit, rsv] of [[0x40, 'rsv1'], [0x20, 'rsv2'], [0x10, 'rsv3']] as const) {
      const extension: Extension = {
        name: `x-mark-${rsv}`,
        rsvBits: bit,
        encode: (frame) => ({ ...frame, [rsv]: frame.opcode !== 0 }),
        decode: (frame) => ({ ...frame, [rsv]: false }),
        sharedEncodingKey: '',
        encodeShared: (frame) => ({ ...frame, [rsv]: true }),
      };
      for (const role of ['server', 'client'] as const) {
        const conn = new WebSocketConnection({ role, fragmentSize: 4, extensions: [extension] });
        conn.sendPrepared(new PreparedMessage('twelve bytes'));
        const frames = framesOf(conn.dataToSend(), peerOf(role), bit);
        expect(frames.map((f) => [f.rsv1, f.rsv2, f.rsv3])).toEqual(
          [true, false, false].map((first) => [first && rsv === 'rsv1', first && rsv === 'rsv2', first && rsv === 'rsv3']),
        );
      }
    }
  });

  it('sends through the extension\'s own encode when it gives a shared key but no encodeShared', () => {
    const { extension, calls } = xorExtension(0x44, false);
    const keyOnly: Extension = { ...extension, sharedEncodingKey: 'k' };
    const conn = new WebSocketConnection({ role: 'server', extensions: [keyOnly] });
    conn.sendPrepared(new PreparedMessage('hello'));
    expect(calls.encode).toBe(1);
    expect(received(conn.dataToSend(), 'server', [keyOnly])).toEqual([{ type: 'text', data: 'hello' }]);
  });

  it('refuses data that is neither a string nor a Uint8Array, naming both kinds of message', () => {
    for (const data of [42, null, [1, 2], new ArrayBuffer(2)]) {
      expect(() => new PreparedMessage(data as unknown as string)).toThrow(
        /^PreparedMessage: data must be a string \(text message\) or a Uint8Array \(binary message\)$/,
      );
    }
  });
});

/** Negotiates permessage-deflate as the two handshakes would: a fresh extension for each side of one connection. */
function negotiate(offer: PerMessageDeflateOptions, answer: PerMessageDeflateOptions = {}) {
  const client = new PerMessageDeflateClient({ threshold: 0, ...offer });
  const accepted = new PerMessageDeflateServer({ threshold: 0, ...answer }).accept(client.offer(), []);
  if (accepted === undefined) throw new Error('permessage-deflate was declined');
  return { server: accepted.extension, client: client.accept(accepted.params, []) };
}

describe('sendPrepared with permessage-deflate (RFC 7692)', () => {
  const TEXT = JSON.stringify({ room: 'lobby', messages: Array.from({ length: 40 }, (_, i) => ({ id: i, text: 'hello there' })) });

  it('compresses once for every server without context takeover, and the peers inflate it', () => {
    const pairs = [1, 2, 3].map(() => negotiate({ serverNoContextTakeover: true }));
    const message = new PreparedMessage(TEXT);
    const outputs = pairs.map(({ server }) => {
      const conn = new WebSocketConnection({ role: 'server', extensions: [server] });
      conn.sendPrepared(message);
      return conn.dataToSend();
    });
    // One compressed frame (RSV1 set, §6), shared: the very same bytes on every connection.
    const frame = framesOf(outputs[0]!, 'client', 0x40)[0]!;
    expect([frame.rsv1, frame.payload.length < TEXT.length / 4]).toEqual([true, true]);
    expect(outputs[1]![0]).toBe(outputs[0]![0]);
    expect(outputs[2]![0]).toBe(outputs[0]![0]);
    outputs.forEach((chunks, i) => expect(received(chunks, 'server', [pairs[i]!.client])).toEqual([{ type: 'text', data: TEXT }]));
    // Without context takeover the shared form is what the connection itself would send.
    const own = new WebSocketConnection({ role: 'server', extensions: [negotiate({ serverNoContextTakeover: true }).server] });
    own.sendText(TEXT);
    expect(concat(own.dataToSend())).toEqual(concat(outputs[0]!));
  });

  it('shares a client compression without context takeover, masked afresh per send (§5.3)', () => {
    const message = new PreparedMessage(new TextEncoder().encode(TEXT));
    const pairs = [1, 2].map(() => negotiate({ clientNoContextTakeover: true }));
    const outputs = pairs.map(({ client }) => {
      const conn = new WebSocketConnection({ role: 'client', extensions: [client], fragmentSize: 32 });
      conn.sendPrepared(message);
      conn.sendPrepared(message);
      return conn.dataToSend();
    });
    const [a, b] = outputs.map((chunks) => framesOf(chunks, 'server', 0x40));
    expect(a!.map((f) => Array.from(f.payload))).toEqual(b!.map((f) => Array.from(f.payload)));
    expect(a!.map((f) => f.rsv1)).toEqual(a!.map((f) => f.opcode === 2)); // RSV1 on each message's first frame only
    expect(concat(outputs[0]!)).not.toEqual(concat(outputs[1]!)); // different masking keys
    outputs.forEach((chunks, i) => {
      const events = received(chunks, 'client', [pairs[i]!.server]);
      expect(events.map((e) => e.type === 'binary' && new TextDecoder().decode(e.data) === TEXT)).toEqual([true, true]);
    });
  });

  it('compresses per connection with context takeover, in order with the other sends', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.string({ maxLength: 300 })), { minLength: 1, maxLength: 8 }),
        fc.constantFrom<Role>('client', 'server'),
        fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
        (sends, role, fragmentSize) => {
          const { server, client } = negotiate({});
          expect([server.sharedEncodingKey, client.sharedEncodingKey]).toEqual([undefined, undefined]);
          const sender = new WebSocketConnection({ role, fragmentSize, extensions: [role === 'server' ? server : client] });
          const peer = new WebSocketConnection({ role: peerOf(role), extensions: [role === 'server' ? client : server] });
          for (const [prepared, text] of sends) {
            if (prepared) sender.sendPrepared(new PreparedMessage(text));
            else sender.sendText(text);
          }
          const events = peer.receive(concat(sender.dataToSend()));
          expect(events).toEqual(sends.map(([, text]) => ({ type: 'text', data: text })));
        },
      ),
      { numRuns: runs(60) },
    );
  });
});
