/**
 * permessage-deflate in the interop tests: proof that messages really went
 * compressed on the wire (RSV1, RFC 7692 §6), and offers as header text.
 */
import type { Extension, ExtensionOffer } from 'wscodec';

/** Compressed messages one connection received and sent. */
export interface CompressionCounts {
  /** Messages the peer sent compressed (RSV1 on their first frame). */
  received: number;
  /** Messages this side sent compressed. */
  sent: number;
}

/**
 * Counts the compressed messages a negotiated extension decodes and encodes,
 * by wrapping the methods of this one instance (the connection calls them on
 * it): a message is compressed when RSV1 is set on its first frame (§6).
 */
export function countCompression(extension: Extension): CompressionCounts {
  const counts = { received: 0, sent: 0 };
  const target = extension as { -readonly [K in keyof Extension]: Extension[K] };
  const decode = extension.decode.bind(extension);
  target.decode = (frame, maxSize) => {
    if (frame.rsv1) counts.received++;
    return decode(frame, maxSize);
  };
  const encodeMessage = extension.encodeMessage?.bind(extension);
  if (encodeMessage) {
    target.encodeMessage = (frame) => {
      const out = encodeMessage(frame);
      if (out.rsv1) counts.sent++;
      return out;
    };
  }
  return counts;
}

/** A `Sec-WebSocket-Extensions` value as the client sent it (RFC 6455 §9.1 syntax), `''` for none. */
export function renderOffers(offers: readonly ExtensionOffer[]): string {
  return offers.map((o) => [o.name, ...o.params.map(([k, v]) => (v === null ? k : `${k}=${v}`))].join('; ')).join(', ');
}
