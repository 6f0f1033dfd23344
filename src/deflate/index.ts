/**
 * permessage-deflate (RFC 7692), a subpath of its own: `wscodec/deflate`.
 * Users who do not import it do not load it, nor its DEFLATE engine (pako,
 * the package's only runtime dependency).
 *
 * Give {@link PerMessageDeflateServer} to `ServerHandshake` or
 * {@link PerMessageDeflateClient} to `ClientHandshake` in `extensions`, then
 * pass the handshake's accepted `extensions` to `WebSocketConnection`.
 *
 * @example
 * ```ts
 * import { ServerHandshake } from 'wscodec/handshake';
 * import { WebSocketConnection } from 'wscodec/connection';
 * import { PerMessageDeflateServer } from 'wscodec/deflate';
 *
 * const handshake = new ServerHandshake({ extensions: [new PerMessageDeflateServer({ threshold: 0 })] });
 * // ... after reading the request:
 * // const accepted = handshake.accept(request);
 * // const connection = new WebSocketConnection({ role: 'server', extensions: accepted.extensions });
 * ```
 *
 * @module
 */
export { PerMessageDeflate, PerMessageDeflateClient, PerMessageDeflateServer } from './extension.js';
export {
  DEFAULT_LEVEL,
  DEFAULT_MEM_LEVEL,
  DEFAULT_THRESHOLD,
  type PerMessageDeflateOptions,
  type PerMessageDeflateParams,
} from './negotiation.js';
