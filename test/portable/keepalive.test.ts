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

  it('refuses non-positive intervals', () => {
    expect(() => new Keepalive({ interval: 0 })).toThrow(RangeError);
    expect(() => new Keepalive({ timeout: Number.NaN })).toThrow(RangeError);
  });
});
