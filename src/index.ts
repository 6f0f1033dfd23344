/**
 * wscodec: an isomorphic, sans-I/O WebSocket (RFC 6455) codec.
 *
 * The root re-exports every layer; each layer is also a subpath
 * (`wscodec/frame`, …) for bundles that want only part of it.
 *
 * @packageDocumentation
 */
export * from './frame/index.js';
