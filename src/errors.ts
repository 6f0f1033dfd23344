/**
 * Error types. Leaf module: imports nothing, so any layer may use it.
 *
 * Two kinds of failure are kept apart on purpose:
 * - the **peer** sending bad input is never thrown at the caller: the
 *   connection reports it as an event carrying a close code. Internally,
 *   layers below the connection (extensions) may throw {@link ProtocolError},
 *   which the connection catches and turns into that event.
 * - the **caller** misusing the API (sending after close, a 126-byte ping, a
 *   close code that may not be sent) gets a `TypeError` or `RangeError` at
 *   once, naming the rule.
 *
 * @module
 */

/**
 * A violation of the protocol by the peer, carrying the close code to send
 * (RFC 6455 §7.4.1): 1002 protocol error, 1007 invalid payload data, 1009 too
 * big, 1010/1011 for extension and server failures.
 */
export class ProtocolError extends Error {
  /** Close code to send to the peer. */
  readonly code: number;

  constructor(code: number, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

/**
 * The opening handshake (RFC 6455 §4) failed. `status` is the HTTP status a
 * server should answer with (400, 403, 426, 431 …); `reason` is a stable
 * machine-readable name of the failed rule; `message` is for people.
 */
export class HandshakeError extends Error {
  /** Stable identifier of the failed rule, e.g. `'invalid-accept'`, `'header-too-large'`. */
  readonly reason: string;
  /** HTTP status code a server answers with when it refuses for this reason. */
  readonly status: number;

  constructor(reason: string, message: string, status = 400) {
    super(message);
    this.name = 'HandshakeError';
    this.reason = reason;
    this.status = status;
  }
}
