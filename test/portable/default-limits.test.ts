/**
 * One long-lived connection on the DEFAULT options: the limits are per
 * message (RFC 6455 §10.4 leaves the bound to the endpoint; the options
 * document `maxMessageSize` and `maxFragments` as bounds on one message), so
 * thousands of messages in a row never add up to a violation, a message of
 * exactly the limit is accepted however many came before it, and one more
 * byte or one more fragment fails the connection with 1009 (§7.4.1).
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_FRAGMENTS,
  DEFAULT_MAX_MESSAGE_SIZE,
  FrameDecoder,
  WebSocketConnection,
  type Role,
  type WebSocketEvent,
} from 'wscodec';
import { concat, rawFrame, utf8 } from '../helpers/bytes.ts';
import { failure, plain, withoutMessages } from '../helpers/events.ts';

const MAX = DEFAULT_MAX_MESSAGE_SIZE;
const FRAGMENTS = DEFAULT_MAX_FRAGMENTS;

/** A frame as the peer of `role` sends it (a client's peer does not mask, a server's does). */
const peerFrame = (role: Role, opcode: number, payload: Uint8Array, fin = true) =>
  rawFrame({ opcode, payload, fin, mask: role === 'server' });

/** A message of `parts` frames (a ping after the first), and the events it must give. */
function fragmented(role: Role, opcode: 1 | 2, parts: Uint8Array[]): { wire: Uint8Array[]; events: WebSocketEvent[] } {
  const wire = parts.flatMap((part, i) => [
    peerFrame(role, i === 0 ? opcode : 0, part, i === parts.length - 1),
    ...(i === 0 && parts.length > 1 ? [peerFrame(role, 9, Uint8Array.of(i))] : []),
  ]);
  const whole = concat(parts);
  const message: WebSocketEvent =
    opcode === 1 ? { type: 'text', data: new TextDecoder().decode(whole) } : { type: 'binary', data: whole };
  return { wire, events: parts.length > 1 ? [{ type: 'ping', data: Uint8Array.of(0) }, message] : [message] };
}

/**
 * Thousands of messages: single-frame text and binary, and fragmented ones
 * (text split inside multi-byte characters). Together they carry many more
 * frames than `maxFragments` and, with `bulk`, more bytes than `maxMessageSize`.
 */
function history(role: Role, count: number, bulk: boolean): { chunks: Uint8Array[]; events: WebSocketEvent[] } {
  const chunks: Uint8Array[] = [];
  const events: WebSocketEvent[] = [];
  for (let i = 0; i < count; i++) {
    let message;
    if (i % 4 === 0) message = fragmented(role, 1, [utf8(`é${i}`).subarray(0, 1), utf8(`é${i}`).subarray(1), utf8('😀').subarray(0, 3), utf8('😀').subarray(3)]);
    else if (i % 4 === 1) message = fragmented(role, 2, [Uint8Array.of(i & 255), Uint8Array.of(1, 2), new Uint8Array(bulk && i % 64 === 1 ? 65536 : 3)]);
    else if (i % 4 === 2) message = fragmented(role, 1, [utf8(`message ${i} ✓`)]);
    else message = fragmented(role, 2, [new Uint8Array(bulk && i % 64 === 3 ? 70000 : 5).fill(i & 255)]);
    chunks.push(concat(message.wire));
    events.push(...message.events);
  }
  return { chunks, events };
}

/** How `actual` differs from `expected` (byte data compared in a plain loop: thousands of events, megabytes). */
function differences(actual: WebSocketEvent[], expected: WebSocketEvent[]): string[] {
  const out: string[] = [];
  if (actual.length !== expected.length) out.push(`${actual.length} events, expected ${expected.length}`);
  for (let i = 0; i < Math.min(actual.length, expected.length); i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const same =
      a.type === e.type &&
      ('data' in a && a.data instanceof Uint8Array && 'data' in e && e.data instanceof Uint8Array
        ? a.data.length === e.data.length && a.data.every((b, j) => b === (e.data as Uint8Array)[j])
        : JSON.stringify(a) === JSON.stringify(e));
    if (!same) out.push(`event ${i}: ${JSON.stringify(plain([a]))} , expected ${JSON.stringify(plain([e]))}`.slice(0, 300));
    if (out.length > 5) break;
  }
  return out;
}

/** Feeds the chunks, checks the events equal `expected`, and drains what the connection sends. */
function feed(conn: WebSocketConnection, chunks: Uint8Array[], expected: WebSocketEvent[]): void {
  const events = chunks.flatMap((c) => conn.receive(c));
  expect(differences(events, expected)).toEqual([]);
  conn.dataToSend();
}

/** Cheap content check of a large byte array: length and a position-weighted sum. */
const digest = (b: Uint8Array) => {
  let sum = 0;
  for (let i = 0; i < b.length; i += 4093) sum = (sum * 31 + b[i]! + i) % 1_000_000_007;
  return [b.length, sum, b[b.length - 1]];
};
const pattern = (n: number) => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i += 4093) b[i] = (i * 7) & 255;
  b[n - 1] = 0xab;
  return b;
};

describe('per-message limits on the default options, over a long-lived connection (RFC 6455 §10.4)', () => {
  for (const role of ['client', 'server'] as const) {
    it(`${role}: 2,000 messages (about 5,000 frames), then one of exactly maxFragments fragments, then more`, () => {
      const conn = new WebSocketConnection({ role });
      const before = history(role, 2000, role === 'client');
      feed(conn, before.chunks, before.events);
      const parts = Array.from({ length: FRAGMENTS }, (_, i) => utf8(i % 2 ? '€' : 'ab').subarray(0, i % 2 ? 3 : 2));
      const longest = fragmented(role, 1, parts);
      feed(conn, [concat(longest.wire)], longest.events);
      const after = history(role, 200, false);
      feed(conn, after.chunks, after.events);
      expect(conn.state).toBe('open');
    });

    it(`${role}: after 500 messages, a message of maxFragments + 1 fragments fails with 1009`, () => {
      const conn = new WebSocketConnection({ role });
      const before = history(role, 500, false);
      feed(conn, before.chunks, before.events);
      const parts = Array.from({ length: FRAGMENTS + 1 }, () => Uint8Array.of(1));
      const events = conn.receive(concat(fragmented(role, 2, parts).wire));
      expect(withoutMessages(events)).toEqual([{ type: 'ping', data: Uint8Array.of(0) }, failure(1009)]);
      expect(conn.state).toBe('closing');
    });
  }

  it('client: after 2,000 messages (over 2 MiB in all), a message of exactly maxMessageSize, single-frame and fragmented, then more', () => {
    const conn = new WebSocketConnection({ role: 'client' });
    const before = history('client', 2000, true);
    expect(before.chunks.reduce((n, c) => n + c.length, 0)).toBeGreaterThan(2 * 1024 * 1024);
    feed(conn, before.chunks, before.events);
    const big = pattern(MAX);
    const single = conn.receive(peerFrame('client', 2, big));
    expect(single.map((e) => e.type)).toEqual(['binary']);
    expect(digest((single[0] as { data: Uint8Array }).data)).toEqual(digest(big));
    // Four frames, each in its own chunk (the message is gathered across chunks).
    const quarter = MAX / 4;
    const pieces = [0, 1, 2, 3].map((i) => peerFrame('client', i === 0 ? 2 : 0, big.subarray(i * quarter, (i + 1) * quarter), i === 3));
    const spread = pieces.flatMap((p) => conn.receive(p));
    expect(spread.map((e) => e.type)).toEqual(['binary']);
    expect(digest((spread[0] as { data: Uint8Array }).data)).toEqual(digest(big));
    const after = history('client', 100, false);
    feed(conn, after.chunks, after.events);
  });

  it('client: after 500 messages, maxMessageSize + 1 bytes fails with 1009, in one frame or spread over fragments', () => {
    const single = new WebSocketConnection({ role: 'client' });
    const before = history('client', 500, false);
    feed(single, before.chunks, before.events);
    // Refused at the header, before any payload (only the header is sent).
    expect(withoutMessages(single.receive(rawFrame({ opcode: 2, length: MAX + 1 })))).toEqual([failure(1009)]);

    const spread = new WebSocketConnection({ role: 'client' });
    feed(spread, before.chunks, before.events);
    const half = new Uint8Array(MAX / 2);
    const events = [
      ...spread.receive(peerFrame('client', 2, half, false)),
      ...spread.receive(peerFrame('client', 0, half, false)),
      ...spread.receive(peerFrame('client', 0, Uint8Array.of(1))),
    ];
    expect(withoutMessages(events)).toEqual([failure(1009)]);
    // The failure's Close frame carries 1009 (§7.4.1).
    const sent = spread.dataToSend().flatMap((c) => new FrameDecoder({ role: 'server' }).push(c));
    expect(sent.map((f) => (f.type === 'frame' ? [f.opcode, (f.payload[0]! << 8) | f.payload[1]!] : f.type))).toEqual([[8, 1009]]);
  });
});
