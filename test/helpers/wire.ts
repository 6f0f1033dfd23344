/**
 * A reader of frames written from RFC 6455 §5.2 for the tests, independent of
 * the codec's decoder: it refuses a length not in its minimal encoding and a
 * 64-bit length with the top bit set, and unmasks payloads. Portable.
 */

/** One frame as read off the wire (payload unmasked, a copy). */
export interface WireFrame {
  fin: boolean;
  /** RSV bits as a 3-bit number (4 = RSV1, 2 = RSV2, 1 = RSV3). */
  rsv: number;
  opcode: number;
  masked: boolean;
  /** The masking key of a masked frame (§5.3), a copy. */
  key?: Uint8Array;
  payload: Uint8Array;
}

/** Parses `bytes` as whole frames after §5.2; throws on a malformed or non-minimal header or a truncated frame. */
export function parseWire(bytes: Uint8Array): WireFrame[] {
  const frames: WireFrame[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (pos + 2 > bytes.length) throw new Error(`truncated header at ${pos}`);
    const b0 = bytes[pos]!;
    const b1 = bytes[pos + 1]!;
    let length = b1 & 0x7f;
    let at = pos + 2;
    if (length === 126) {
      length = (bytes[at]! << 8) | bytes[at + 1]!;
      // §5.2: "the minimal number of bytes MUST be used to encode the length".
      if (length < 126) throw new Error(`length ${length} sent in 16 bits`);
      at += 2;
    } else if (length === 127) {
      if (bytes[at]! & 0x80) throw new Error('64-bit length with its most significant bit set');
      length = bytes.subarray(at, at + 8).reduce((n, b) => n * 256 + b, 0);
      if (length <= 0xffff) throw new Error(`length ${length} sent in 64 bits`);
      at += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const key = masked ? bytes.subarray(at, at + 4) : undefined;
    if (masked) at += 4;
    if (at + length > bytes.length) throw new Error(`payload of ${length} bytes truncated`);
    const payload = bytes.slice(at, at + length);
    if (key) for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i & 3]!;
    frames.push({ fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, ...(key ? { key: key.slice() } : {}), payload });
    pos = at + length;
  }
  return frames;
}
