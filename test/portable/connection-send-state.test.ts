/**
 * `canSend` and `bufferedAmount`: laws over arbitrary sequences of the
 * caller's sends and the peer's frames. `canSend` says exactly whether a send
 * would be refused (RFC 6455 §5.5.1: nothing after our Close); `bufferedAmount`
 * is exactly the size of what the next `dataToSend()` returns.
 */
import { fc } from '../helpers/fast-check.ts';
import { describe, expect, it } from 'vitest';
import { Opcode, WebSocketConnection } from 'wscodec';
import { concat, rawFrame, utf8 } from '../helpers/bytes.ts';

type Step =
  | { kind: 'text'; data: string }
  | { kind: 'binary'; size: number }
  | { kind: 'ping' }
  | { kind: 'pong' }
  | { kind: 'close' }
  | { kind: 'peer-ping'; count: number }
  | { kind: 'peer-text' }
  | { kind: 'peer-close' }
  | { kind: 'peer-violation' }
  | { kind: 'eof' }
  | { kind: 'take' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('text' as const), data: fc.string({ maxLength: 80 }) }),
  // Sizes on both sides of the point where a server queues the payload uncopied (16 KiB).
  fc.record({ kind: fc.constant('binary' as const), size: fc.oneof(fc.nat(300), fc.integer({ min: 16_000, max: 70_000 })) }),
  fc.constant({ kind: 'ping' as const }),
  fc.constant({ kind: 'pong' as const }),
  fc.constant({ kind: 'close' as const }),
  // Enough pings in one chunk to overflow the 16 queued automatic pongs.
  fc.record({ kind: fc.constant('peer-ping' as const), count: fc.integer({ min: 1, max: 40 }) }),
  fc.constant({ kind: 'peer-text' as const }),
  fc.constant({ kind: 'peer-close' as const }),
  fc.constant({ kind: 'peer-violation' as const }),
  fc.constant({ kind: 'eof' as const }),
  fc.constant({ kind: 'take' as const }),
);

const role = fc.constantFrom('server' as const, 'client' as const);

/** A frame from the peer: masked when the peer is a client (RFC 6455 §5.1). */
function peerFrame(ourRole: 'server' | 'client', opcode: number, payload: Uint8Array): Uint8Array {
  return rawFrame({ opcode, payload, mask: ourRole === 'server' });
}

/** Runs one step; returns whether the caller's send (if it was one) was refused. */
function run(conn: WebSocketConnection, s: Step): boolean | undefined {
  const send = (action: () => void): boolean => {
    try {
      action();
      return false;
    } catch (error) {
      if (error instanceof TypeError) return true;
      throw error;
    }
  };
  switch (s.kind) {
    case 'text':
      return send(() => conn.sendText(s.data));
    case 'binary':
      return send(() => conn.sendBinary(new Uint8Array(s.size)));
    case 'ping':
      return send(() => conn.ping(Uint8Array.of(1, 2, 3)));
    case 'pong':
      return send(() => conn.pong());
    case 'close':
      conn.close(1000, 'bye');
      return undefined;
    case 'peer-ping': {
      conn.receive(concat(Array.from({ length: s.count }, (_, i) => peerFrame(conn.role, Opcode.Ping, Uint8Array.of(i)))));
      return undefined;
    }
    case 'peer-text':
      conn.receive(peerFrame(conn.role, Opcode.Text, utf8('hi')));
      return undefined;
    case 'peer-close':
      conn.receive(peerFrame(conn.role, Opcode.Close, Uint8Array.of(0x03, 0xe8)));
      return undefined;
    case 'peer-violation':
      conn.receive(peerFrame(conn.role, 0x3, new Uint8Array(0))); // reserved opcode (§5.2)
      return undefined;
    case 'eof':
      conn.receiveEof();
      return undefined;
    case 'take':
      conn.dataToSend();
      return undefined;
  }
}

const total = (chunks: Uint8Array[]) => chunks.reduce((n, c) => n + c.length, 0);

describe('WebSocketConnection.canSend', () => {
  it('law: canSend before a send says whether that send is refused, whatever happened before', () => {
    fc.assert(
      fc.property(role, fc.array(step, { maxLength: 30 }), (r, steps) => {
        const conn = new WebSocketConnection({ role: r });
        for (const s of steps) {
          const before = conn.canSend;
          const refused = run(conn, s);
          if (refused !== undefined) expect(refused).toBe(!before);
        }
      }),
    );
  });

  it('stays true after the peer\'s Close until the reply is taken, so the messages before it can still be answered (§5.5.1)', () => {
    const conn = new WebSocketConnection({ role: 'server' });
    conn.receive(peerFrame('server', Opcode.Close, Uint8Array.of(0x03, 0xe8)));
    expect(conn.state).toBe('closing');
    expect(conn.canSend).toBe(true);
    conn.sendText('last words');
    conn.dataToSend();
    expect(conn.canSend).toBe(false);
    expect(() => conn.sendText('more')).toThrow(TypeError);
  });

  it('is false as soon as our own close() is called, and after the transport ended', () => {
    const closing = new WebSocketConnection({ role: 'client' });
    expect(closing.canSend).toBe(true);
    closing.close();
    expect(closing.state).toBe('closing');
    expect(closing.canSend).toBe(false);

    const ended = new WebSocketConnection({ role: 'client' });
    ended.receiveEof();
    expect(ended.canSend).toBe(false);
  });

  it('with autoCloseReply off, stays true after the peer\'s Close until the caller answers with close()', () => {
    const conn = new WebSocketConnection({ role: 'server', autoCloseReply: false });
    conn.receive(peerFrame('server', Opcode.Close, Uint8Array.of(0x03, 0xe8)));
    conn.dataToSend();
    expect(conn.canSend).toBe(true);
    conn.close(1000);
    expect(conn.canSend).toBe(false);
  });
});

describe('WebSocketConnection.bufferedAmount', () => {
  it('law: bufferedAmount is the byte count of what the next dataToSend() returns, and 0 right after it', () => {
    fc.assert(
      fc.property(role, fc.array(step, { maxLength: 30 }), (r, steps) => {
        const conn = new WebSocketConnection({ role: r });
        for (const s of [...steps, { kind: 'take' as const }]) {
          if (s.kind === 'take') {
            const expected = conn.bufferedAmount;
            expect(total(conn.dataToSend())).toBe(expected);
            expect(conn.bufferedAmount).toBe(0);
          } else {
            run(conn, s);
          }
        }
      }),
    );
  });

  it('counts a frame as its header plus payload, and a ping flood only by the pongs that will be sent', () => {
    const conn = new WebSocketConnection({ role: 'server' });
    conn.sendBinary(new Uint8Array(100_000)); // 10-byte header (§5.2: 64-bit length)
    expect(conn.bufferedAmount).toBe(100_010);
    const pings = Array.from({ length: 20 }, () => peerFrame('server', Opcode.Ping, new Uint8Array(125)));
    for (const ping of pings) conn.receive(ping);
    // 16 pongs kept (older ones dropped, §5.5.3), each 2 + 125 bytes.
    expect(conn.bufferedAmount).toBe(100_010 + 16 * 127);
    expect(total(conn.dataToSend())).toBe(100_010 + 16 * 127);
  });

  it('counts a text of 126 units or more (ASCII or not, copied or queued uncopied by a server) as header plus its UTF-8', () => {
    // §5.2: a 2-byte header, 2 more for a 16-bit length, 8 for a 64-bit one, and 4 for a client's masking key.
    for (const role of ['server', 'client'] as const) {
      for (const t of ['a'.repeat(126), 'a'.repeat(200) + 'é', 'é'.repeat(200), 'a'.repeat(70_000), 'a'.repeat(20_000) + '€']) {
        const conn = new WebSocketConnection({ role });
        conn.sendText(t);
        const length = utf8(t).length;
        const expected = 2 + (length > 0xffff ? 8 : 2) + (role === 'client' ? 4 : 0) + length;
        expect(conn.bufferedAmount).toBe(expected);
        expect(total(conn.dataToSend())).toBe(expected);
      }
    }
  });

  it('counts the Close frame owed to the peer before it is taken', () => {
    const conn = new WebSocketConnection({ role: 'server' });
    conn.receive(peerFrame('server', Opcode.Close, Uint8Array.of(0x03, 0xe8)));
    expect(conn.bufferedAmount).toBe(4); // 2-byte header + the echoed code
  });
});

describe('a violation after our Close (RFC 6455 §5.5.1, §7.1.7)', () => {
  for (const role of ['server', 'client'] as const) {
    it(`${role}: is reported, and no second Close frame follows ours`, () => {
      const conn = new WebSocketConnection({ role });
      conn.close(1000, 'bye');
      expect(conn.dataToSend()).toHaveLength(1);
      // Opcode 0xB is reserved (§5.2): 1002.
      const events = conn.receive(rawFrame({ opcode: 0xb, mask: role === 'server' }));
      expect(events).toEqual([{ type: 'error', code: 1002, message: expect.any(String) }]);
      expect(conn.dataToSend()).toEqual([]);
      expect(conn.bufferedAmount).toBe(0);
      expect(conn.shouldCloseTransport).toBe(true);
    });
  }
});

describe('who closes the transport (RFC 6455 §7.1.1)', () => {
  it('a server that does not answer Close by itself (autoCloseReply off) keeps the transport open, whatever it sends, until it sends its own Close', () => {
    const server = new WebSocketConnection({ role: 'server', autoCloseReply: false });
    expect(server.receive(rawFrame({ opcode: 8, payload: Uint8Array.of(3, 232), mask: true }))).toEqual([{ type: 'close', code: 1000, reason: '' }]);
    server.sendText('last words');
    expect(server.dataToSend()).toHaveLength(1);
    expect(server.shouldCloseTransport).toBe(false);
    server.close(1000);
    expect(server.dataToSend()).toHaveLength(1);
    expect(server.shouldCloseTransport).toBe(true);
  });
});
