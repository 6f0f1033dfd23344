/**
 * The connection layer (RFC 6455 §5–§8): {@link WebSocketConnection}, the
 * sans-I/O state machine from received bytes to events and from sends to
 * bytes, {@link PreparedMessage} for a message sent on many connections, and
 * the timer-free {@link Keepalive} helper. Available as the
 * `wscodec/connection` subpath and re-exported from the root.
 *
 * @module
 */
export { WebSocketConnection, type ConnectionState, type SendOptions } from './connection.js';
export {
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_MAX_FRAGMENTS,
  type WebSocketConnectionOptions,
} from './options.js';
export type {
  WebSocketEvent,
  TextMessageEvent,
  BinaryMessageEvent,
  TextFragmentEvent,
  BinaryFragmentEvent,
  PingEvent,
  PongEvent,
  ConnectionCloseEvent,
  ConnectionErrorEvent,
} from './events.js';
export { PreparedMessage } from './prepared.js';
export { Utf8Validator } from './utf8.js';
export { Keepalive, type KeepaliveOptions } from './keepalive.js';
