/**
 * Options of a {@link WebSocketConnection} and their defaults.
 *
 * @module
 */
import type { Extension } from '../extensions/extension.js';
import type { Role } from '../frame/parser.js';

/**
 * Default {@link WebSocketConnectionOptions.maxMessageSize}: 16 MiB. Large
 * enough for common application messages, small enough that a server with
 * many connections is not exhausted by peers announcing huge messages.
 */
export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

/**
 * Default {@link WebSocketConnectionOptions.maxFragments}: 1024 frames per
 * message. Browsers and most libraries send each message as one frame.
 */
export const DEFAULT_MAX_FRAGMENTS = 1024;

/** Options of a {@link WebSocketConnection}. */
export interface WebSocketConnectionOptions {
  /**
   * Which end this is (RFC 6455 §5.1). A client masks every frame it sends and
   * refuses masked frames; a server never masks and refuses unmasked frames.
   */
  role: Role;
  /**
   * Largest message accepted, in bytes (default {@link DEFAULT_MAX_MESSAGE_SIZE}).
   * Checked at each frame header, before the payload is stored: a message
   * whose frames announce more fails the connection with 1009 (RFC 6455 §7.4.1).
   * With extensions, the decoded size is checked too.
   */
  maxMessageSize?: number;
  /** Largest frame payload accepted, in bytes (default: `maxMessageSize`); over it fails with 1009. */
  maxFrameSize?: number;
  /**
   * Most frames one message may consist of (default {@link DEFAULT_MAX_FRAGMENTS});
   * one more fails the connection with 1009. Bounds the work a peer can cause
   * with floods of tiny fragments.
   */
  maxFragments?: number;
  /** Answer each Ping with a Pong carrying its data (RFC 6455 §5.5.2). Default `true`. */
  autoPong?: boolean;
  /**
   * Answer a received Close frame with a Close frame echoing its status code
   * (RFC 6455 §5.5.1). Default `true`. With `false`, the caller answers with
   * {@link WebSocketConnection.close} after the `close` event.
   */
  autoCloseReply?: boolean;
  /**
   * Hand out data messages piece by piece as they arrive (`text-fragment` and
   * `binary-fragment` events) instead of whole (`text`, `binary`), so that a
   * proxy can pass on a message of any size in constant memory. Limits still
   * apply; raise `maxMessageSize` for huge messages. Default `false`.
   */
  streamMessages?: boolean;
  /**
   * Split every outgoing data message into frames of at most this many
   * payload bytes (RFC 6455 §5.4). Default: no splitting.
   */
  fragmentSize?: number;
  /**
   * Extensions negotiated in the opening handshake (RFC 6455 §9), in the
   * order they were negotiated. Their `rsvBits` are allowed on received data
   * frames; outgoing data frames pass through `encode` in order, received
   * ones through `decode` in reverse order.
   */
  extensions?: readonly Extension[];
}

/** {@link WebSocketConnectionOptions} with every default applied and checked. */
export interface ResolvedOptions {
  role: Role;
  maxMessageSize: number;
  maxFrameSize: number;
  maxFragments: number;
  autoPong: boolean;
  autoCloseReply: boolean;
  streamMessages: boolean;
  fragmentSize: number;
  extensions: readonly Extension[];
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`WebSocketConnection: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/**
 * Applies defaults and checks the caller's options.
 *
 * @throws TypeError for an unknown role; RangeError for a limit that is not a positive integer.
 */
export function resolveOptions(options: WebSocketConnectionOptions): ResolvedOptions {
  // A runtime check: JavaScript callers and casts can pass anything.
  const role: string = options.role;
  if (role !== 'client' && role !== 'server') {
    throw new TypeError(`WebSocketConnection: role must be 'client' or 'server', got ${String(role)}`);
  }
  const maxMessageSize = positiveInteger('maxMessageSize', options.maxMessageSize, DEFAULT_MAX_MESSAGE_SIZE);
  return {
    role: options.role,
    maxMessageSize,
    maxFrameSize: positiveInteger('maxFrameSize', options.maxFrameSize, maxMessageSize),
    maxFragments: positiveInteger('maxFragments', options.maxFragments, DEFAULT_MAX_FRAGMENTS),
    autoPong: options.autoPong ?? true,
    autoCloseReply: options.autoCloseReply ?? true,
    streamMessages: options.streamMessages ?? false,
    fragmentSize: positiveInteger('fragmentSize', options.fragmentSize, Number.MAX_SAFE_INTEGER),
    extensions: options.extensions ?? [],
  };
}
