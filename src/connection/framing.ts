/**
 * Outgoing frames for {@link WebSocketConnection}: the mirror of receiver.ts.
 * Each function builds a frame (RFC 6455 §5.2) and pushes its bytes onto the
 * connection's output queue, with one allocation and at most one copy of the
 * payload:
 * - a client copies the payload into the frame and masks it there (§5.3:
 *   masking needs a copy, since the caller's bytes are never modified);
 * - a server copies small payloads after the header and queues large ones as
 *   header + the caller's bytes, uncopied;
 * - text is encoded straight into the frame when it is ASCII (the common
 *   case), without an intermediate byte array.
 * Checks belong to the caller (see `checkFrame` in frame/encode.ts).
 *
 * @module
 */
import type { Opcode } from '../constants.js';
import { buildFrame, frameHeaderSize, writeFrameHeader } from '../frame/encode.js';
import { FIN_BIT } from '../frame/frame.js';
import { maskFrom } from '../frame/mask.js';
import { nextMaskKey, writeMaskKey } from '../random.js';
import { encodeUtf8, encodeUtf8Into } from './utf8.js';

const EMPTY = new Uint8Array(0);
/** A server sends payloads at least this large as header + caller's bytes, without copying them. */
export const NO_COPY_THRESHOLD = 16 * 1024;
/** The header alone of an unmasked frame, for a payload queued as its own chunk. */
function unmaskedHeader(opcode: Opcode, fin: boolean, rsv1: boolean, rsv2: boolean, rsv3: boolean, length: number): Uint8Array {
  const header = new Uint8Array(frameHeaderSize(length, false));
  writeFrameHeader(header, opcode, fin, rsv1, rsv2, rsv3, length, undefined);
  return header;
}

/**
 * Pushes one frame onto `out`: a single chunk, or header + `payload` itself
 * for a large unmasked payload (the caller must then not modify it).
 */
export function pushFrame(
  out: Uint8Array[],
  opcode: Opcode,
  payload: Uint8Array,
  fin: boolean,
  rsv1: boolean,
  rsv2: boolean,
  rsv3: boolean,
  mask: boolean,
): void {
  const length = payload.length;
  if (!mask && length >= NO_COPY_THRESHOLD) {
    out.push(unmaskedHeader(opcode, fin, rsv1, rsv2, rsv3, length), payload);
    return;
  }
  out.push(buildFrame(opcode, payload, fin, rsv1, rsv2, rsv3, mask ? nextMaskKey() : undefined));
}

/**
 * Pushes `text` as one data frame (no RSV bits) and returns `true`, or
 * returns `false` having pushed nothing, when its UTF-8 would exceed
 * `maxPayload` or it is cheaper for the caller to encode the text first and
 * frame the bytes ({@link pushFrame}).
 *
 * ASCII text is encoded straight into the frame: its UTF-8 is then as long as
 * the string, so the frame's size is known without a pass over the text, and
 * both encoders say whether that guess held. For a long non-ASCII text the
 * bytes encoded so far are kept and only the rest is encoded after them.
 */
export function pushTextFrame(
  out: Uint8Array[],
  opcode: Opcode,
  text: string,
  fin: boolean,
  mask: boolean,
  maxPayload: number,
): boolean {
  const units = text.length;
  // UTF-8 takes at least a byte per UTF-16 unit: too many units, too many bytes.
  if (units > maxPayload) return false;
  // A server sends a large payload uncopied, as header + payload (see pushFrame).
  const split = !mask && units >= NO_COPY_THRESHOLD;
  let read = 0;
  let written = 0;
  let guess = EMPTY;
  // Text that starts with a non-ASCII unit (most non-Latin script) skips
  // the guess: it would only cost an allocation and a TextEncoder call.
  if (!(text.charCodeAt(0) >= 0x80)) {
    guess = new Uint8Array((split ? 0 : frameHeaderSize(units, mask)) + units);
    const start = guess.length - units;
    ({ read, written } = encodeUtf8Into(text, guess.subarray(start)));
    if (read === units) {
      if (split) pushFrame(out, opcode, guess, fin, false, false, false, false);
      else finishFrame(out, guess, opcode, fin, units, mask);
      return true;
    }
  }
  // Not ASCII. The caller encodes it whole if it is large for a server with
  // nothing encoded yet (to queue it uncopied).
  if (split && read === 0) return false;
  const rest = encodeUtf8(text.slice(read));
  const length = written + rest.length;
  if (length > maxPayload) return false;
  if (split) {
    // Header, the bytes encoded so far, and the rest: three chunks, no copy.
    out.push(unmaskedHeader(opcode, fin, false, false, false, length), guess.subarray(0, written), rest);
    return true;
  }
  // Copy the bytes encoded so far and the rest into a frame of the right size.
  const frame = new Uint8Array(frameHeaderSize(length, mask) + length);
  frame.set(guess.subarray(guess.length - units, guess.length - units + written), frame.length - length);
  frame.set(rest, frame.length - rest.length);
  finishFrame(out, frame, opcode, fin, length, mask);
  return true;
}

/**
 * Writes the header of a data frame whose `length` payload bytes end `frame`
 * (unmasked, with room left for the header before them), masks the payload
 * for a client, and pushes the frame.
 */
function finishFrame(out: Uint8Array[], frame: Uint8Array, opcode: Opcode, fin: boolean, length: number, mask: boolean): void {
  const key = mask ? nextMaskKey() : undefined;
  writeFrameHeader(frame, opcode, fin, false, false, false, length, key);
  if (key !== undefined) maskFrom(frame, frame.length - length, key);
  out.push(frame);
}

/** Texts shorter than this many UTF-16 units fit the 7-bit length field (RFC 6455 §5.2) and may take {@link shortTextFrame}. */
export const SHORT_FRAME_UNITS = 126;

/**
 * The frame of a short ASCII text, or `undefined` for the caller to use
 * {@link pushTextFrame}: when `text` has 126 UTF-16 units or more (a longer
 * length field, §5.2), more than `maxPayload`, or a unit that is not ASCII.
 * Header, the key for a client, and the text — masked as it is written
 * (§5.3) — go into one new array in a single pass. The caller queues it (as
 * the only chunk of a fresh queue when it can: an array literal of one is
 * cheaper than a push into an empty array).
 */
export function shortTextFrame(opcode: Opcode, text: string, fin: boolean, mask: boolean, maxPayload: number): Uint8Array | undefined {
  const units = text.length;
  // (charCodeAt(0) of an empty text is NaN: not refused.)
  if (units >= SHORT_FRAME_UNITS || units > maxPayload || text.charCodeAt(0) >= 0x80) return undefined;
  const start = mask ? 6 : 2;
  const frame = new Uint8Array(start + units);
  // The key as one integer, byte j of the key in bits 8j..8j+7 (0 for a
  // server: XOR with 0 leaves the text as it is); storing into the frame keeps
  // the low byte, so unit i is XORed with key byte (i mod 4).
  let key = 0;
  if (mask) {
    writeMaskKey(frame, 2);
    key = frame[2]! | (frame[3]! << 8) | (frame[4]! << 16) | (frame[5]! << 24);
  }
  // Every unit is written, then one test of all of them OR-ed together says
  // whether they were all ASCII (cheaper than a test per unit).
  let seen = 0;
  for (let i = 0; i < units; i++) {
    const unit = text.charCodeAt(i);
    seen |= unit;
    frame[start + i] = unit ^ (key >>> ((i & 3) << 3));
  }
  if (seen >= 0x80) return undefined;
  frame[0] = (fin ? FIN_BIT : 0) | opcode;
  frame[1] = (mask ? 0x80 : 0) | units;
  return frame;
}
