/**
 * The frame layer (RFC 6455 §5): encoding, incremental decoding and masking.
 * Available as the `wscodec/frame` subpath and re-exported from the root.
 *
 * @module
 */
export { Opcode, CloseCode, isValidCloseCode, MAX_CONTROL_PAYLOAD } from '../constants.js';
export type { Frame, FrameHeader, FrameDecodeError, FrameDecoderOutput } from './frame.js';
export { FIN_BIT, RSV1_BIT, RSV2_BIT, RSV3_BIT, isControlOpcode, isKnownOpcode } from './frame.js';
export { applyMask } from './mask.js';
export { maskKernel, useMaskKernel, type MaskKernel } from './mask-simd.js';
export {
  encodeFrame,
  encodeFrameHeader,
  frameHeaderSize,
  type EncodeFrameOptions,
  type EncodeFrameHeaderOptions,
} from './encode.js';
export {
  FrameParser,
  DEFAULT_MAX_FRAME_SIZE,
  type FrameParserOptions,
  type FrameSink,
  type Role,
} from './parser.js';
export { FrameDecoder, type FrameDecoderOptions } from './decoder.js';
