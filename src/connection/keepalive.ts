/**
 * A timer-free keepalive helper (RFC 6455 §5.5.2, §5.5.3). A sans-I/O core
 * owns no clock, so the caller passes its own `now` (milliseconds, any
 * monotonic clock) and schedules its own timer with
 * {@link Keepalive.nextDeadline}. The helper decides when a ping is due,
 * matches the answering pong (round-trip time), and says when the peer has
 * been silent too long to count as alive.
 *
 * @example
 * ```ts
 * const keepalive = new Keepalive({ interval: 30_000, timeout: 10_000 }, Date.now());
 * // on every timer tick and after every receive():
 * const now = Date.now();
 * if (keepalive.isDead(now)) socket.destroy();
 * const payload = keepalive.pingDue(now);
 * if (payload) conn.ping(payload);
 * // for each event: 'pong' -> keepalive.pongReceived(event.data, now); any other -> keepalive.activity(now)
 * setTimeout(tick, keepalive.nextDeadline() - now);
 * ```
 *
 * @module
 */

/** Options of {@link Keepalive}. */
export interface KeepaliveOptions {
  /** Milliseconds of silence from the peer after which a ping is due (default 30,000). */
  interval?: number;
  /** Milliseconds to wait for the pong before the peer counts as dead (default 10,000). */
  timeout?: number;
}

/** Tracks liveness of the peer with pings; see the module documentation. */
export class Keepalive {
  /** Milliseconds of silence after which a ping is due. */
  readonly interval: number;
  /** Milliseconds a ping may go unanswered. */
  readonly timeout: number;

  private lastHeard: number;
  private outstanding: Uint8Array | undefined;
  private sentAt = 0;
  private counter = 0;
  private lastRoundTrip: number | undefined;

  /**
   * @param now - the caller's clock at creation, in milliseconds.
   * @throws RangeError if `interval` or `timeout` is not a positive finite number.
   */
  constructor(options: KeepaliveOptions = {}, now = 0) {
    this.interval = options.interval ?? 30_000;
    this.timeout = options.timeout ?? 10_000;
    for (const [name, value] of [['interval', this.interval], ['timeout', this.timeout]] as const) {
      if (!Number.isFinite(value) || value <= 0) {
        throw new RangeError(`Keepalive: ${name} must be a positive number of milliseconds, got ${String(value)}`);
      }
    }
    this.lastHeard = now;
  }

  /** The round-trip time measured by the last answered ping, if any. */
  get roundTripTime(): number | undefined {
    return this.lastRoundTrip;
  }

  /** Records that something arrived from the peer: it is alive, so the next ping can wait. */
  activity(now: number): void {
    if (now > this.lastHeard) this.lastHeard = now;
  }

  /**
   * Returns the payload of a ping to send now (pass it to `ping()`), or
   * `undefined` if none is due: the peer was heard from within `interval`, or
   * a ping is still awaiting its pong. Each payload is unique (an 8-byte
   * counter) so that its pong can be recognised.
   */
  pingDue(now: number): Uint8Array | undefined {
    if (this.outstanding !== undefined || now - this.lastHeard < this.interval) return undefined;
    const payload = new Uint8Array(8);
    new DataView(payload.buffer).setFloat64(0, ++this.counter);
    this.outstanding = payload;
    this.sentAt = now;
    return payload;
  }

  /**
   * Records a pong. Returns the round-trip time in milliseconds if it answers
   * the outstanding ping, else `undefined` (an unsolicited pong, or one for a
   * ping this helper did not send; RFC 6455 §5.5.3). Any pong counts as
   * activity.
   */
  pongReceived(data: Uint8Array, now: number): number | undefined {
    this.activity(now);
    const expected = this.outstanding;
    if (expected === undefined || data.length !== expected.length) return undefined;
    for (let i = 0; i < expected.length; i++) if (data[i] !== expected[i]) return undefined;
    this.outstanding = undefined;
    this.lastRoundTrip = now - this.sentAt;
    return this.lastRoundTrip;
  }

  /** Whether the outstanding ping has gone unanswered for `timeout` ms: the peer counts as dead. */
  isDead(now: number): boolean {
    return this.outstanding !== undefined && now - this.sentAt >= this.timeout;
  }

  /** When the caller should check again (milliseconds, same clock): the ping deadline or the pong deadline. */
  nextDeadline(): number {
    return this.outstanding !== undefined ? this.sentAt + this.timeout : this.lastHeard + this.interval;
  }
}
