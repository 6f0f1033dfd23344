/**
 * Frame serialization (RFC 6455 §5.2).
 *
 * @module
 */
import { MAX_CONTROL_PAYLOAD, MAX_SAFE_PAYLOAD, type Opcode } from '../constants.js';
import { nextMaskKey } from '../random.js';
import { FIN_BIT, RSV1_BIT, RSV2_BIT, RSV3_BIT, isControlOpcode, isKnownOpcode } from './frame.js';
import { maskCopy } from './mask.js';

const EMPTY = new Uint8Array(0);

/** Fields of a frame to encode; see {@link encodeFrame}. */
export interface EncodeFrameOptions {
  /** The opcode: one of the six {@link Opcode} values. */
  opcode: Opcode;
  /** Payload bytes (default: empty). Never modified. */
  payload?: Uint8Array;
  /** FIN flag (default `true`). Control frames must have it set (§5.5). */
  fin?: boolean;
  /** RSV1 flag (default `false`); only with an extension that defines it. */
  rsv1?: boolean;
  /** RSV2 flag (default `false`). */
  rsv2?: boolean;
  /** RSV3 flag (default `false`). */
  rsv3?: boolean;
  /**
   * Masking (§5.3): `true` for a fresh random key from `crypto.getRandomValues`,
   * a 4-byte key to use that key, absent or `false` for an unmasked frame.
   * Clients must mask every frame; servers must not mask any (§5.1).
   */
  mask?: boolean | Uint8Array;
}

/** Fields of a frame header to encode; see {@link encodeFrameHeader}. */
export interface EncodeFrameHeaderOptions extends Omit<EncodeFrameOptions, 'payload' | 'mask'> {
  /** Length of the payload that will follow the header. */
  payloadLength: number;
  /**
   * The 4-byte masking key to write into the header, or absent for an
   * unmasked frame. The caller masks the payload itself (see {@link applyMask}).
   */
  maskKey?: Uint8Array;
}

/** Size of the header for a payload length and masking (§5.2). */
export function frameHeaderSize(payloadLength: number, masked: boolean): number {
  const lengthBytes = payloadLength < 126 ? 0 : payloadLength <= 0xffff ? 2 : 8;
  return 2 + lengthBytes + (masked ? 4 : 0);
}

function resolveMaskKey(mask: boolean | Uint8Array | undefined): Uint8Array | undefined {
  if (mask === undefined || mask === false) return undefined;
  if (mask === true) return nextMaskKey(); // copied into the header before the next key is drawn
  if (!(mask instanceof Uint8Array) || mask.length !== 4) {
    throw new TypeError('encodeFrame: mask must be true, false, or a 4-byte Uint8Array key (RFC 6455 §5.3)');
  }
  return mask;
}

/**
 * Throws for a frame that may never be sent (see {@link encodeFrame}).
 * Internal: shared with the connection's send path, not exported by the frame layer.
 */
export function checkFrame(opcode: number, fin: boolean, length: number): void {
  if (!Number.isInteger(opcode) || !isKnownOpcode(opcode)) {
    throw new RangeError(
      `encodeFrame: opcode ${String(opcode)} is not one of 0x0-0x2, 0x8-0xA (RFC 6455 §5.2; the others are reserved)`,
    );
  }
  if (isControlOpcode(opcode)) {
    if (!fin) {
      throw new RangeError('encodeFrame: a control frame must not be fragmented, so FIN must be set (RFC 6455 §5.5)');
    }
    if (length > MAX_CONTROL_PAYLOAD) {
      throw new RangeError(
        `encodeFrame: a control frame payload must be at most 125 bytes (RFC 6455 §5.5), got ${length}`,
      );
    }
  }
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_SAFE_PAYLOAD) {
    throw new RangeError(`encodeFrame: invalid payload length ${length}`);
  }
}

/**
 * Writes the header into `out` at 0 and returns its size, without checks
 * ({@link checkFrame} does them). Internal: the connection's send path uses it
 * to build frames in one buffer without an options object per frame; not
 * exported by the frame layer.
 */
export function writeFrameHeader(
  out: Uint8Array,
  opcode: number,
  fin: boolean,
  rsv1: boolean,
  rsv2: boolean,
  rsv3: boolean,
  length: number,
  maskKey: Uint8Array | undefined,
): number {
  out[0] = (fin ? FIN_BIT : 0) | (rsv1 ? RSV1_BIT : 0) | (rsv2 ? RSV2_BIT : 0) | (rsv3 ? RSV3_BIT : 0) | opcode;
  const maskBit = maskKey === undefined ? 0 : 0x80;
  let pos: number;
  if (length < 126) {
    out[1] = maskBit | length;
    pos = 2;
  } else if (length <= 0xffff) {
    // §5.2: 126 means the next 2 bytes are the length (network byte order).
    out[1] = maskBit | 126;
    out[2] = length >>> 8;
    out[3] = length & 0xff;
    pos = 4;
  } else {
    // §5.2: 127 means the next 8 bytes are the length, most significant bit 0.
    out[1] = maskBit | 127;
    const high = Math.floor(length / 0x1_0000_0000);
    const low = length >>> 0;
    out[2] = 0;
    out[3] = (high >>> 16) & 0xff;
    out[4] = (high >>> 8) & 0xff;
    out[5] = high & 0xff;
    out[6] = low >>> 24;
    out[7] = (low >>> 16) & 0xff;
    out[8] = (low >>> 8) & 0xff;
    out[9] = low & 0xff;
    pos = 10;
  }
  if (maskKey !== undefined) {
    out[pos] = maskKey[0]!;
    out[pos + 1] = maskKey[1]!;
    out[pos + 2] = maskKey[2]!;
    out[pos + 3] = maskKey[3]!;
    pos += 4;
  }
  return pos;
}

/**
 * Serializes one frame (RFC 6455 §5.2) into a single new `Uint8Array` holding
 * header and payload. The caller's payload is copied, never modified; with a
 * mask, the copy is masked.
 *
 * @throws RangeError for what may never be sent: a reserved or out-of-range
 * opcode, a control frame with FIN clear or a payload over 125 bytes (§5.5).
 * @throws TypeError for a masking key that is not 4 bytes.
 */
export function encodeFrame(options: EncodeFrameOptions): Uint8Array {
  const { opcode, payload = EMPTY, fin = true, rsv1 = false, rsv2 = false, rsv3 = false } = options;
  checkFrame(opcode, fin, payload.length);
  return buildFrame(opcode, payload, fin, rsv1, rsv2, rsv3, resolveMaskKey(options.mask));
}

/**
 * Builds header + a copy of `payload` in one new array, the copy masked with
 * `key` when given. No checks ({@link checkFrame} does them). Internal:
 * shared by {@link encodeFrame} and the connection's send path, which calls it
 * without an options object per frame; not exported by the frame layer.
 */
export function buildFrame(
  opcode: number,
  payload: Uint8Array,
  fin: boolean,
  rsv1: boolean,
  rsv2: boolean,
  rsv3: boolean,
  key: Uint8Array | undefined,
): Uint8Array {
  const length = payload.length;
  const frame = new Uint8Array(frameHeaderSize(length, key !== undefined) + length);
  const start = writeFrameHeader(frame, opcode, fin, rsv1, rsv2, rsv3, length, key);
  // Masked: copy and mask in one pass (§5.3; the caller's payload is never modified).
  if (key === undefined) frame.set(payload, start);
  else maskCopy(payload, 0, length, frame, start, key, 0);
  return frame;
}

/**
 * Serializes only the header of a frame, for callers that write header and
 * payload as two chunks instead of copying a large payload (compare `ws`'s
 * `Sender.frame`). With `maskKey`, the caller must write the payload masked
 * with that key ({@link applyMask}).
 *
 * @throws RangeError / TypeError under the same rules as {@link encodeFrame}.
 */
export function encodeFrameHeader(options: EncodeFrameHeaderOptions): Uint8Array {
  const { opcode, payloadLength, fin = true, rsv1 = false, rsv2 = false, rsv3 = false, maskKey } = options;
  checkFrame(opcode, fin, payloadLength);
  if (maskKey !== undefined && (!(maskKey instanceof Uint8Array) || maskKey.length !== 4)) {
    throw new TypeError('encodeFrameHeader: maskKey must be a 4-byte Uint8Array (RFC 6455 §5.3)');
  }
  const out = new Uint8Array(frameHeaderSize(payloadLength, maskKey !== undefined));
  writeFrameHeader(out, opcode, fin, rsv1, rsv2, rsv3, payloadLength, maskKey);
  return out;
}
