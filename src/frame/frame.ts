/**
 * The frame value (RFC 6455 §5.2) shared by the encoder and the decoders.
 *
 * @module
 */
import type { Opcode } from '../constants.js';

/** Bit of the first header byte for FIN and each RSV flag (RFC 6455 §5.2). */
export const FIN_BIT = 0x80;
/** RSV1, used by permessage-deflate (RFC 7692 §6). */
export const RSV1_BIT = 0x40;
/** RSV2, reserved for extensions. */
export const RSV2_BIT = 0x20;
/** RSV3, reserved for extensions. */
export const RSV3_BIT = 0x10;

/** The header fields of a frame, as read off the wire (RFC 6455 §5.2). */
export interface FrameHeader {
  /** Whether this is the final fragment of a message. */
  fin: boolean;
  /** RSV1 (meaningful only under a negotiated extension). */
  rsv1: boolean;
  /** RSV2 (meaningful only under a negotiated extension). */
  rsv2: boolean;
  /** RSV3 (meaningful only under a negotiated extension). */
  rsv3: boolean;
  /**
   * The opcode. A {@link FrameDecoder} refuses reserved opcodes, so every
   * decoded frame carries one of the six {@link Opcode} values.
   */
  opcode: Opcode;
  /** Whether the payload was masked on the wire (the payload handed out is always unmasked). */
  masked: boolean;
  /** Payload length in bytes. */
  length: number;
}

/**
 * A complete, unmasked frame as returned by {@link FrameDecoder.push}: the
 * header's fields (its `length` is the payload's) and the payload.
 */
export interface Frame extends Omit<FrameHeader, 'length'> {
  /** Discriminates frames from {@link FrameDecodeError}s in decoder output. */
  type: 'frame';
  /** The unmasked payload (often a view into the input chunk; see {@link FrameDecoder.push}). */
  payload: Uint8Array;
}

/**
 * A violation found while decoding, as a value: the decoder never throws for
 * bad input. `code` is the close code to send (RFC 6455 §7.4.1): 1002 for a
 * protocol error, 1009 for a frame over the size limit.
 */
export interface FrameDecodeError {
  /** Discriminates errors from {@link Frame}s in decoder output. */
  type: 'error';
  /** Close code to send to the peer: 1002 (protocol error) or 1009 (too big). */
  code: 1002 | 1009;
  /** What was wrong, for a person to read (also fit for a close reason). */
  message: string;
}

/** What {@link FrameDecoder.push} returns: frames, possibly ended by one error. */
export type FrameDecoderOutput = Frame | FrameDecodeError;

/** Whether an opcode denotes a control frame (RFC 6455 §5.5: most significant opcode bit set). */
export function isControlOpcode(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/** Whether an opcode is one of the six defined by RFC 6455 §5.2. */
export function isKnownOpcode(opcode: number): opcode is Opcode {
  return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xa);
}
