/** The timer-free keepalive helper: pings when idle, round-trip time from the matching pong, dead after the timeout. */
import { fc, runs } from '../helpers/fast-check.ts';
import { describe, expect, it } from 'vitest';
import { Keepalive, WebSocketConnection } from 'wscodec';

describe('Keepalive', () => {
  it('pings after `interval` of silence, measures the round trip of the matching pong, and never pings twice at once', () => {
    const k = new Keepalive({ interval: 1000, timeout: 500 }, 0);
    expect(k.pingDue(999)).toBeUndefined();
    expect(k.nextDeadline()).toBe(1000);
    const payload = k.pingDue(1000)!;
    expect(payload).toBeInstanceOf(Uint8Array);
    expect(k.pingDue(1200)).toBeUndefined();
    expect(k.nextDeadline()).toBe(1500);
    expect(k.pongReceived(Uint8Array.of(1, 2), 1100)).toBeUndefined(); // not ours
    expect(k.pongReceived(payload, 1250)).toBe(250);
    expect(k.roundTripTime).toBe(250);
    expect(k.isDead(5000)).toBe(false);
    expect(k.nextDeadline()).toBe(2250);
  });

  it('activity postpones the ping; an unanswered ping makes the peer dead after `timeout`', () => {
    const k = new Keepalive({ interval: 1000, timeout: 500 }, 0);
    k.activity(800);
    expect(k.pingDue(1000)).toBeUndefined();
    expect(k.pingDue(1800)).toBeDefined();
    expect(k.isDead(2299)).toBe(false);
    expect(k.isDead(2300)).toBe(true);
  });

  it('works with a connection: the peer auto-pongs the payload back', () => {
    const client = new WebSocketConnection({ role: 'client' });
    const server = new WebSocketConnection({ role: 'server' });
    const k = new Keepalive({ interval: 10, timeout: 10 }, 0);
    client.ping(k.pingDue(10)!);
    for (const c of client.dataToSend()) server.receive(c);
    const events = server.dataToSend().flatMap((c) => client.receive(c));
    expect(events).toHaveLength(1);
    expect(events[0]!.type).toBe('pong');
    expect(k.pongReceived((events[0] as { data: Uint8Array }).data, 14)).toBe(4);
  });

  it('hands out distinct payloads, and only the latest outstanding one matches', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 20 }), (gaps) => {
        const k = new Keepalive({ interval: 1, timeout: 1000 }, 0);
        const seen = new Set<string>();
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          const p = k.pingDue(now)!;
          expect(seen.has(Array.from(p).join())).toBe(false);
          seen.add(Array.from(p).join());
          expect(k.pongReceived(p, now + 1)).toBe(1);
          expect(k.pongReceived(p, now + 2)).toBeUndefined();
          now += 2;
        }
      }),
      { numRuns: runs(50) },
    );
  });

  it('refuses non-positive intervals, naming the option and the value', () => {
    expect(() => new Keepalive({ interval: 0 })).toThrow(RangeError);
    expect(() => new Keepalive({ timeout: Number.NaN })).toThrow(RangeError);
    expect(() => new Keepalive({ interval: -5 })).toThrow(/^Keepalive: interval must be a positive number of milliseconds, got -5$/);
    expect(() => new Keepalive({ timeout: Infinity })).toThrow(/^Keepalive: timeout must be a positive number of milliseconds, got Infinity$/);
  });

  it('matches only a pong whose data is the ping\'s, byte for byte and of the same length (RFC 6455 §5.5.3)', () => {
    const k = new Keepalive({ interval: 1000, timeout: 500 }, 0);
    const payload = k.pingDue(1000)!;
    expect(payload).toHaveLength(8);
    // Same length, one byte changed (each position in turn); the payload with a byte more; a prefix.
    for (let i = 0; i < payload.length; i++) {
      const other = payload.slice();
      other[i] = other[i]! ^ 1;
      expect(k.pongReceived(other, 1100)).toBeUndefined();
    }
    expect(k.pongReceived(Uint8Array.of(...payload, 0), 1100)).toBeUndefined();
    expect(k.pongReceived(payload.subarray(0, 7), 1100)).toBeUndefined();
    expect(k.isDead(1500)).toBe(true);
    expect(k.pongReceived(payload.slice(), 1200)).toBe(200);
  });

  it('counts silence from the latest activity: a late report of an earlier time does not bring the ping forward', () => {
    const k = new Keepalive({ interval: 1000, timeout: 500 }, 0);
    k.activity(800);
    k.activity(300); // e.g. an event timestamped before the last one, handled after it
    expect(k.nextDeadline()).toBe(1800);
    expect(k.pingDue(1500)).toBeUndefined();
    expect(k.pingDue(1800)).toBeDefined();
  });
});
