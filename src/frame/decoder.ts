/**
 * Complete-frame decoding on top of {@link FrameParser}.
 *
 * @module
 */
import type { Frame, FrameDecodeError, FrameDecoderOutput, FrameHeader } from './frame.js';
import { applyMask, maskCopy } from './mask.js';
import { FrameParser, RAW_PAYLOAD, type FrameParserOptions, type RawFrameSink } from './parser.js';

/** Options of {@link FrameDecoder}; see {@link FrameParserOptions}. */
export type FrameDecoderOptions = FrameParserOptions;

/**
 * Incremental decoder of whole frames (RFC 6455 §5.2). Push chunks of any
 * size; each {@link FrameDecoder.push} returns the frames that chunk
 * completed. A violation is returned as one final {@link FrameDecodeError}
 * carrying the close code to send, after which the decoder ignores all input.
 *
 * It checks what a single frame can violate: reserved opcodes and RSV bits,
 * control frame rules, masking direction, the 64-bit length's top bit and the
 * size limit. Rules across frames (continuations, interleaving) belong to the
 * connection.
 */
export class FrameDecoder {
  private readonly parser: FrameParser;
  private readonly collector: FrameCollector;

  constructor(options: FrameDecoderOptions = {}) {
    this.collector = new FrameCollector();
    this.parser = new FrameParser(this.collector, options);
  }

  /** The error that halted the decoder, if any. */
  get error(): FrameDecodeError | undefined {
    return this.collector.error;
  }

  /**
   * Decodes `chunk` and returns the frames it completed, in order, ended by a
   * {@link FrameDecodeError} if the input violates the protocol.
   *
   * Ownership: `push` may unmask payloads in place, so it may modify `chunk`;
   * and when a frame's payload lies wholly inside one chunk, the returned
   * `payload` is a view of that chunk (no copy). Do not reuse or modify a chunk
   * while you still use frames decoded from it. Payloads spanning chunks are
   * copied into a buffer of their exact size, unmasked during the copy.
   */
  push(chunk: Uint8Array): FrameDecoderOutput[] {
    const out: FrameDecoderOutput[] = [];
    this.collector.out = out;
    this.parser.parse(chunk);
    return out;
  }
}

/** Turns the parser's stream of header/payload/end into whole frames. */
class FrameCollector implements RawFrameSink {
  out: FrameDecoderOutput[] = [];
  error: FrameDecodeError | undefined;
  private header: FrameHeader | undefined;
  private payload: Uint8Array | undefined;
  private filled = 0;

  onFrameHeader(header: FrameHeader): void {
    this.header = header;
    this.payload = undefined;
    this.filled = 0;
  }

  onFramePayload(piece: Uint8Array): void {
    this[RAW_PAYLOAD](piece, 0, piece.length, undefined, 0);
  }

  /** Payload bytes as the parser read them: a payload spanning chunks is unmasked while it is copied. */
  [RAW_PAYLOAD](chunk: Uint8Array, start: number, end: number, key: Uint8Array | undefined, keyOffset: number): void {
    const length = this.header!.length;
    if (this.filled === 0 && end - start === length) {
      const piece = chunk.subarray(start, end);
      this.payload = key === undefined ? piece : applyMask(piece, key, keyOffset);
    } else {
      if (this.filled === 0) this.payload = new Uint8Array(length);
      if (key === undefined) this.payload!.set(chunk.subarray(start, end), this.filled);
      else maskCopy(chunk, start, end, this.payload!, this.filled, key, keyOffset);
    }
    this.filled += end - start;
  }

  onFrameEnd(): void {
    const h = this.header!;
    const frame: Frame = {
      type: 'frame',
      fin: h.fin,
      rsv1: h.rsv1,
      rsv2: h.rsv2,
      rsv3: h.rsv3,
      opcode: h.opcode,
      masked: h.masked,
      payload: this.payload ?? new Uint8Array(0),
    };
    this.header = undefined;
    this.payload = undefined;
    this.out.push(frame);
  }

  onFrameError(error: FrameDecodeError): void {
    this.error = error;
    this.out.push(error);
  }
}
