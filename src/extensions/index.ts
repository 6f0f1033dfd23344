/**
 * Extensions (RFC 6455 §9): the interface that permessage-deflate and other
 * extensions implement.
 *
 * @module
 */
export type {
  Extension,
  ExtensionFrame,
  ExtensionOffer,
  ExtensionParam,
  ServerExtensionFactory,
  ClientExtensionFactory,
} from './extension.js';
