/**
 * Placeholder: filled in by the handshake layer.
 *
 * @module
 */
export {};
