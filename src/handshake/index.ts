/**
 * The opening handshake (RFC 6455 §4) without I/O: an incremental HTTP/1.1
 * head parser, the client and server sides, the accept key, and the header
 * grammars; and the extended CONNECT handshake of WebSockets over HTTP/2
 * (RFC 8441) and HTTP/3 (RFC 9220). Available as the `wscodec/handshake`
 * subpath and re-exported from the root.
 *
 * Conventions: bad input from the peer is returned as a value carrying a
 * {@link HandshakeError} (stable `reason`, HTTP `status`), never thrown;
 * caller mistakes throw a `TypeError` or `RangeError` at once.
 *
 * @module
 */
export { HandshakeError } from '../errors.js';
// The negotiation hook's types, so that `wscodec/handshake` alone can type a factory
// (the same declarations the root exports; no new names).
export type {
  ClientExtensionFactory,
  Extension,
  ExtensionOffer,
  ExtensionParam,
  ServerExtensionFactory,
} from '../extensions/extension.js';
export { computeAcceptKey, generateKey, isValidKey, WEBSOCKET_GUID } from './accept.js';
export { sha1 } from './sha1.js';
export {
  HttpHeaders,
  formatExtensions,
  parseExtensions,
  parseTokenList,
  type HttpHeadersInit,
  type ParsedHeaders,
  type HeadersLike,
} from './headers.js';
export {
  HttpHeadParser,
  DEFAULT_HTTP_HEAD_LIMITS,
  type HttpHeadLimits,
  type HttpHeadResult,
  type HttpRequestHead,
  type HttpResponseHead,
} from './http11.js';
export {
  ServerHandshake,
  buildRejection,
  type ServerHandshakeOptions,
  type ServerReceiveResult,
  type ServerAcceptance,
  type SubprotocolSelector,
  type UpgradeRequest,
  type ParsedRequest,
  type ServerRequestResult,
} from './server.js';
export type { WebSocketOfferFields } from './negotiation.js';
export {
  ClientHandshake,
  type ClientHandshakeOptions,
  type ClientReceiveResult,
  type ClientEndpoint,
  type ClientTarget,
  type ParsedResponse,
  type ClientResponseResult,
} from './client.js';
export { isSameOrigin, type OriginCheckRequest } from './origin.js';
export {
  ServerConnectHandshake,
  ClientConnectHandshake,
  buildConnectRejection,
  type ConnectHeaders,
  type ConnectRequest,
  type ConnectRejection,
  type ConnectSubprotocolSelector,
  type ServerConnectHandshakeOptions,
  type ServerConnectResult,
  type ServerConnectAcceptance,
  type ClientConnectHandshakeOptions,
  type ClientConnectResult,
} from './connect.js';
