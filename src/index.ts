/**
 * wscodec: an isomorphic, sans-I/O WebSocket (RFC 6455) codec.
 *
 * The root re-exports every layer; each layer is also a subpath
 * (`wscodec/frame`, `wscodec/connection`, `wscodec/handshake`) for bundles
 * that want only part of it.
 *
 * @packageDocumentation
 */
export * from './frame/index.js';
export * from './connection/index.js';
export * from './handshake/index.js';
export * from './extensions/index.js';
export { ProtocolError, HandshakeError } from './errors.js';
