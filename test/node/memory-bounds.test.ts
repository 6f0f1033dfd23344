/**
 * Memory stays bounded under hostile input shapes (RFC 6455 §10.4: endpoints
 * must limit what a peer can make them buffer). Node only: it reads the heap
 * after a forced garbage collection. Each law is a bound on heap growth while
 * (or after) a stream is fed, measured, not timed.
 */
import { describe, expect, it } from 'vitest';
import { Opcode, WebSocketConnection, type WebSocketEvent } from 'wscodec';
import { concat, rawFrame } from '../helpers/bytes.ts';
import { heapUsed } from '../helpers/heap.ts';

const MiB = 1024 * 1024;
const KEY = Uint8Array.of(0x0f, 0xf0, 0x55, 0xaa);


/** A masked payload chunk that is the same at every 4-byte-aligned payload offset (the key cycles every 4 bytes). */
function maskedFill(size: number, byte: number): Uint8Array {
  const out = new Uint8Array(size).fill(byte);
  for (let i = 0; i < size; i++) out[i]! ^= KEY[i % 4]!;
  return out;
}

describe('bounded memory', () => {
  it('streams a 256 MiB single-frame message through in constant memory (streamMessages)', () => {
    const size = 256 * MiB;
    const conn = new WebSocketConnection({ role: 'server', streamMessages: true, maxMessageSize: 1024 * MiB });
    const header = rawFrame({ opcode: Opcode.Binary, mask: KEY, length: size }).subarray(0, 14);
    expect(conn.receive(header)).toEqual([]);
    const chunk = maskedFill(64 * 1024, 0x5a);
    const before = heapUsed();
    let received = 0;
    let peak = 0;
    let last = false;
    for (let offset = 0; offset < size; offset += chunk.length) {
      for (const event of conn.receive(chunk.slice())) {
        if (event.type !== 'binary-fragment') throw new Error(`unexpected ${event.type}`);
        if (event.data[0] !== 0x5a || event.data[event.data.length - 1] !== 0x5a) throw new Error('wrong bytes');
        received += event.data.length;
        last = event.last;
      }
      if (offset % (32 * MiB) === 0) peak = Math.max(peak, heapUsed() - before);
    }
    expect(received).toBe(size);
    expect(last).toBe(true);
    expect(peak).toBeLessThan(8 * MiB);
  });

  it('1-byte chunks of a 1 MiB message cost about the message, not a view per byte', () => {
    const payload = new Uint8Array(MiB).fill(7);
    const wire = rawFrame({ opcode: Opcode.Binary, payload, mask: KEY });
    const conn = new WebSocketConnection({ role: 'server' });
    const before = heapUsed();
    let growthAtHalf = 0;
    let events: WebSocketEvent[] = [];
    for (let i = 0; i < wire.length; i++) {
      events = conn.receive(wire.slice(i, i + 1));
      if (i === wire.length >> 1) growthAtHalf = heapUsed() - before;
    }
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'binary' });
    // One buffer of the frame's declared size (1 MiB) and nothing per chunk.
    expect(growthAtHalf).toBeLessThan(MiB + 512 * 1024);
  });

  it('a flood of 1-byte fragments costs at most about twice the message, not an object per fragment', () => {
    const fragments = 200_000;
    const one = Uint8Array.of(1);
    const frames = [rawFrame({ opcode: Opcode.Binary, payload: one, fin: false, mask: KEY })];
    const middle = rawFrame({ opcode: Opcode.Continuation, payload: one, fin: false, mask: KEY });
    const wire = concat([...frames, ...Array.from({ length: fragments - 2 }, () => middle)]);
    const conn = new WebSocketConnection({ role: 'server', maxFragments: fragments });
    const before = heapUsed();
    expect(conn.receive(wire)).toEqual([]); // everything but the final fragment
    const growth = heapUsed() - before;
    const events = conn.receive(rawFrame({ opcode: Opcode.Continuation, payload: one, mask: KEY }));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'binary' });
    expect((events[0] as { data: Uint8Array }).data.length).toBe(fragments);
    // The message (200 KB) in a buffer grown by doubling: well under 1 MiB, where
    // a list of 200,000 views would take tens of MiB.
    expect(growth).toBeLessThan(MiB);
  });

  it('refuses, before allocating, a frame declaring more than the limit', () => {
    const conn = new WebSocketConnection({ role: 'server' });
    const before = heapUsed();
    const events = conn.receive(rawFrame({ opcode: Opcode.Binary, mask: KEY, length: 2 ** 40 }).subarray(0, 14));
    expect(events).toEqual([expect.objectContaining({ type: 'error', code: 1009 })]);
    expect(heapUsed() - before).toBeLessThan(MiB);
  });

  it('a ping flood leaves at most 16 pongs queued', () => {
    const conn = new WebSocketConnection({ role: 'server' });
    const ping = rawFrame({ opcode: Opcode.Ping, payload: new Uint8Array(125), mask: KEY });
    for (let i = 0; i < 10_000; i++) conn.receive(ping.slice());
    const out = conn.dataToSend();
    expect(out.length).toBeLessThanOrEqual(16);
    expect(out.length).toBeGreaterThan(0);
  });
});
