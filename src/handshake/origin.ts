/**
 * The same-origin check for browser handshakes. Browsers send `Origin` with
 * every WebSocket request (RFC 6455 §4.1 item 8, §10.2) and do not apply the
 * same-origin policy to WebSockets, so a page on any site can open a socket to
 * your server with the user's cookies (cross-site WebSocket hijacking) unless
 * the server checks `Origin`.
 *
 * @module
 */

/** The parts of a request {@link isSameOrigin} looks at. */
export interface OriginCheckRequest {
  /** The `Host` header of the request. */
  readonly host: string;
}

/**
 * Whether a request comes from the server's own origin: true when `Origin` is
 * absent (non-browser clients do not send it) or when its host and port equal
 * the request's `Host`, compared case-insensitively; false for any other
 * origin, including the opaque origin `null`. Pass it as `checkOrigin` to
 * refuse cross-origin browser requests with 403 (RFC 6455 §4.2.2, §10.2).
 */
export function isSameOrigin(origin: string | undefined, request: OriginCheckRequest): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return url.host.toLowerCase() === hostWithoutDefaultPort(request.host.toLowerCase(), url.protocol);
}

/** `Host` without an explicit default port, the way the URL parser writes an origin's host. */
function hostWithoutDefaultPort(host: string, protocol: string): string {
  const defaultPort = protocol === 'https:' ? ':443' : ':80';
  return host.endsWith(defaultPort) ? host.slice(0, -defaultPort.length) : host;
}
