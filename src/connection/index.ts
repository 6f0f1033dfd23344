/**
 * Placeholder: filled in by the connection layer.
 *
 * @module
 */
export {};
