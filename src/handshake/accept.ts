/**
 * The key and accept-key pair of the opening handshake (RFC 6455 §4.1,
 * §4.2.2): the client sends a random nonce, the server proves it understood
 * the WebSocket handshake by hashing it with a fixed GUID.
 *
 * @module
 */
import { fillRandom } from '../random.js';
import { encodeBase64, isBase64Char } from './base64.js';
import { sha1 } from './sha1.js';

/** The GUID appended to the key before hashing (RFC 6455 §1.3, §4.2.2 item 5.4). */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * Computes `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key` (RFC 6455
 * §4.2.2 item 5.4): base64 of the SHA-1 of the key followed by
 * {@link WEBSOCKET_GUID}. Synchronous. The key is hashed as given (it is
 * ASCII on the wire); characters above U+00FF are refused with a `TypeError`
 * because they cannot have come from a header.
 */
export function computeAcceptKey(key: string): string {
  const text = key + WEBSOCKET_GUID;
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw new TypeError('computeAcceptKey: the key must be a header value (Latin-1 characters only)');
    bytes[i] = code;
  }
  return encodeBase64(sha1(bytes));
}

/**
 * Generates a fresh `Sec-WebSocket-Key`: 16 random bytes from
 * `crypto.getRandomValues`, base64-encoded (RFC 6455 §4.1 item 7).
 */
export function generateKey(): string {
  return encodeBase64(fillRandom(new Uint8Array(16)));
}

/**
 * Whether `key` is a valid `Sec-WebSocket-Key`: base64 that decodes to
 * exactly 16 bytes (RFC 6455 §4.1 item 7, §4.2.1 item 5), i.e. 22 alphabet
 * characters followed by `==`.
 */
export function isValidKey(key: string): boolean {
  if (key.length !== 24 || !key.endsWith('==')) return false;
  for (let i = 0; i < 22; i++) if (!isBase64Char(key[i]!)) return false;
  return true;
}
