/**
 * What {@link WebSocketConnection.receive} hands out: a discriminated union
 * on `type`.
 *
 * Byte data (`binary`, `ping`, `pong`, fragments) may be a view into the
 * chunk given to `receive` (unmasked in place) rather than a copy: it stays
 * valid as long as the caller does not reuse that chunk's memory. Copy it
 * (`data.slice()`) before recycling input buffers.
 *
 * @module
 */

/** A complete text message (RFC 6455 §5.6), validated as UTF-8 (§8.1). */
export interface TextMessageEvent {
  type: 'text';
  /** The message text. */
  data: string;
}

/** A complete binary message (RFC 6455 §5.6). */
export interface BinaryMessageEvent {
  type: 'binary';
  /** The message bytes. */
  data: Uint8Array;
}

/**
 * A piece of a text message, emitted only with the `streamMessages` option,
 * as soon as it arrives. The pieces of one message, concatenated, are the
 * message text; a UTF-8 sequence split between pieces is carried over, so each
 * piece is whole characters.
 */
export interface TextFragmentEvent {
  type: 'text-fragment';
  /** This piece of the text (possibly empty). */
  data: string;
  /** Whether this is the first piece of a message. */
  first: boolean;
  /** Whether this is the last piece of the message. */
  last: boolean;
}

/** A piece of a binary message, emitted only with the `streamMessages` option. */
export interface BinaryFragmentEvent {
  type: 'binary-fragment';
  /** This piece of the message (possibly empty). */
  data: Uint8Array;
  /** Whether this is the first piece of a message. */
  first: boolean;
  /** Whether this is the last piece of the message. */
  last: boolean;
}

/** A Ping frame arrived (RFC 6455 §5.5.2); by default it is answered with a Pong. */
export interface PingEvent {
  type: 'ping';
  /** Application data of the ping (0–125 bytes). */
  data: Uint8Array;
}

/** A Pong frame arrived (RFC 6455 §5.5.3), solicited or not. */
export interface PongEvent {
  type: 'pong';
  /** Application data of the pong (0–125 bytes). */
  data: Uint8Array;
}

/**
 * The connection closed: the peer sent a Close frame (RFC 6455 §5.5.1), or the
 * transport ended without one (code 1006, reported by
 * {@link WebSocketConnection.receiveEof}).
 */
export interface ConnectionCloseEvent {
  type: 'close';
  /** The peer's status code; 1005 if its Close frame had none, 1006 if no Close frame came (§7.1.5). */
  code: number;
  /** The peer's reason (UTF-8 validated), or `''`. */
  reason: string;
}

/**
 * The peer violated the protocol: the connection failed (RFC 6455 §7.1.7) and
 * a Close frame with `code` is queued for the caller to send. Nothing follows
 * this event.
 */
export interface ConnectionErrorEvent {
  type: 'error';
  /** The close code sent to the peer: 1002, 1007, 1009, or an extension's code (§7.4.1). */
  code: number;
  /**
   * What the peer did wrong, for a person to read. It is also the reason of
   * the Close frame sent (§7.1.7) when its UTF-8 fits the 123 bytes a
   * control frame leaves (§5.5); a longer one is sent as its first 123
   * characters with each character outside printable ASCII shown as `?`.
   */
  message: string;
}

/** Every event a {@link WebSocketConnection} reports. */
export type WebSocketEvent =
  | TextMessageEvent
  | BinaryMessageEvent
  | TextFragmentEvent
  | BinaryFragmentEvent
  | PingEvent
  | PongEvent
  | ConnectionCloseEvent
  | ConnectionErrorEvent;
