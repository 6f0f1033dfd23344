/**
 * The incremental frame parser (RFC 6455 §5.2): a flat loop over two named
 * states, reading a header and then streaming the payload.
 *
 * It accepts input in chunks of any size (a header split at every byte, many
 * frames in one chunk, empty chunks) and hands the payload to its sink as
 * unmasked views of the input, piece by piece, without copying. Memory held
 * between chunks is a 14-byte header scratch and the 4-byte key: a flood of
 * 1-byte chunks costs nothing to store. {@link FrameDecoder} builds complete
 * frames on top of it; the connection layer streams through it.
 *
 * @module
 */
import { MAX_CONTROL_PAYLOAD, MAX_SAFE_PAYLOAD } from '../constants.js';
import {
  FIN_BIT,
  RSV1_BIT,
  RSV2_BIT,
  RSV3_BIT,
  isControlOpcode,
  isKnownOpcode,
  type FrameDecodeError,
  type FrameHeader,
} from './frame.js';
import { applyMask } from './mask.js';

/** Which side of the connection the parser reads for (RFC 6455 §5.1). */
export type Role = 'client' | 'server';

/** Options shared by {@link FrameParser} and {@link FrameDecoder}. */
export interface FrameParserOptions {
  /**
   * The side that is reading. `'server'` requires every frame to be masked,
   * `'client'` requires no frame to be masked (RFC 6455 §5.1); a violation is
   * a protocol error (1002). Absent: either is accepted.
   */
  role?: Role;
  /**
   * Largest payload accepted for one frame, in bytes (default 16 MiB). A
   * larger declared length fails with 1009 as soon as the length field is
   * read, before any of the payload is buffered.
   */
  maxFrameSize?: number;
  /**
   * RSV bits a negotiated extension defines, as a mask of the first header
   * byte (`0x40` RSV1, `0x20` RSV2, `0x10` RSV3). Any other RSV bit set is a
   * protocol error (1002, RFC 6455 §5.2). Default 0: none allowed.
   */
  allowedRsv?: number;
}

/** Default for {@link FrameParserOptions.maxFrameSize}: 16 MiB. */
export const DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;

/** Receives what a {@link FrameParser} reads. Called synchronously from {@link FrameParser.parse}. */
export interface FrameSink {
  /** A valid header was read; payload pieces follow (none if `length` is 0). */
  onFrameHeader(header: FrameHeader): void;
  /**
   * A piece of the current frame's payload, already unmasked: a view into the
   * input chunk, valid as long as the caller keeps that chunk unmodified.
   */
  onFramePayload(piece: Uint8Array): void;
  /** The current frame's payload is complete. */
  onFrameEnd(): void;
  /** The input violates the protocol; the parser has halted and reads no more. */
  onFrameError(error: FrameDecodeError): void;
}

/**
 * Key of the method by which a sink takes payload bytes still masked (see
 * {@link RawFrameSink}). A symbol, so no user's sink has it by accident. Internal.
 */
export const RAW_PAYLOAD: unique symbol = Symbol('wscodec.rawPayload');

/**
 * A {@link FrameSink} that takes payload bytes still masked, as a range of the
 * input chunk, to unmask them where it puts them (one pass instead of
 * unmasking in place and then copying). Internal: the connection's receiver
 * and the frame decoder implement it; the parser calls it instead of
 * `onFramePayload`.
 */
export interface RawFrameSink extends FrameSink {
  /**
   * Payload bytes `chunk[start..end)` of the current frame, masked with `key`
   * (key cycle at `keyOffset`, RFC 6455 §5.3) or unmasked if `key` is absent.
   * The sink must not keep `key`, which the parser reuses; nor, past the
   * frame's end, the header object given to `onFrameHeader`, which the parser
   * refills for the next frame.
   */
  [RAW_PAYLOAD](chunk: Uint8Array, start: number, end: number, key: Uint8Array | undefined, keyOffset: number): void;
}

const enum State {
  Header,
  Payload,
}

/**
 * Streaming frame parser. Feed it chunks with {@link FrameParser.parse}; it
 * calls its {@link FrameSink} for each header, payload piece, frame end and
 * error. It never throws for bad input: it reports one error and halts.
 *
 * `parse` unmasks payload bytes in place: it modifies the chunks it is given.
 */
export class FrameParser {
  private readonly sink: FrameSink;
  private readonly rawSink: RawFrameSink | undefined;
  private readonly role: Role | undefined;
  private readonly maxFrameSize: number;
  private readonly allowedRsv: number;

  private state = State.Header;
  private halted = false;
  // Header bytes collected across chunks (at most 2 + 8 + 4).
  private readonly headerBytes = new Uint8Array(14);
  private headerHave = 0;
  // Current frame's payload progress.
  private readonly maskKey = new Uint8Array(4);
  private masked = false;
  private remaining = 0;
  private payloadOffset = 0;
  // For a RawFrameSink: the header object handed to onFrameHeader, refilled for every frame.
  private readonly reusedHeader: FrameHeader | undefined;

  constructor(sink: FrameSink, options: FrameParserOptions = {}) {
    this.sink = sink;
    this.rawSink = typeof (sink as Partial<RawFrameSink>)[RAW_PAYLOAD] === 'function' ? (sink as RawFrameSink) : undefined;
    if (this.rawSink !== undefined) {
      this.reusedHeader = { fin: false, rsv1: false, rsv2: false, rsv3: false, opcode: 0, masked: false, length: 0 };
    }
    this.role = options.role;
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    this.allowedRsv = options.allowedRsv ?? 0;
  }

  /** Whether the parser has stopped (after an error, or {@link FrameParser.halt}). */
  get isHalted(): boolean {
    return this.halted;
  }

  /** Whether the parser sits between frames (no partial header or payload buffered). */
  get atFrameBoundary(): boolean {
    return this.state === State.Header && this.headerHave === 0;
  }

  /** Stops the parser: the rest of the current chunk and all later input are ignored. */
  halt(): void {
    this.halted = true;
  }

  /** Reads one chunk, calling the sink for everything it completes. */
  parse(chunk: Uint8Array): void {
    const end = chunk.length;
    let pos = 0;
    while (pos < end && !this.halted) {
      if (this.state === State.Payload) {
        const n = Math.min(this.remaining, end - pos);
        const offset = this.payloadOffset;
        this.payloadOffset = offset + n;
        this.remaining -= n;
        if (this.rawSink !== undefined) {
          this.rawSink[RAW_PAYLOAD](chunk, pos, pos + n, this.masked ? this.maskKey : undefined, offset);
        } else {
          const piece = chunk.subarray(pos, pos + n);
          if (this.masked) applyMask(piece, this.maskKey, offset);
          this.sink.onFramePayload(piece);
        }
        pos += n;
        if (this.remaining === 0 && !this.halted) {
          this.state = State.Header;
          this.sink.onFrameEnd();
        }
        continue;
      }
      // Fast path: a whole header inside this chunk, read in place.
      if (this.headerHave === 0 && end - pos >= 2) {
        const size = headerSize(chunk[pos + 1]!);
        if (end - pos >= size) {
          this.readHeader(chunk, pos);
          pos += size;
          continue;
        }
      }
      // Slow path: collect header bytes across chunks. The first two bytes
      // are checked as soon as they are in, so a bad frame fails before its
      // extended length and key arrive (or never do).
      this.headerBytes[this.headerHave++] = chunk[pos++]!;
      if (this.headerHave < 2) continue;
      if (this.headerHave === 2 && !this.checkFirstBytes(this.headerBytes[0]!, this.headerBytes[1]!)) return;
      if (this.headerHave === headerSize(this.headerBytes[1]!)) {
        this.headerHave = 0;
        this.readHeader(this.headerBytes, 0);
      }
    }
  }

  private fail(code: 1002 | 1009, message: string): void {
    this.halted = true;
    this.sink.onFrameError({ type: 'error', code, message });
  }

  /**
   * Checks what the first two header bytes alone can violate; on a violation
   * reports it, halts, and returns false.
   */
  private checkFirstBytes(b0: number, b1: number): boolean {
    const opcode = b0 & 0x0f;
    const rsv = b0 & (RSV1_BIT | RSV2_BIT | RSV3_BIT);
    const masked = (b1 & 0x80) !== 0;
    let problem: string | undefined;
    if ((rsv & ~this.allowedRsv) !== 0) {
      // §5.2: RSV bits must be 0 unless a negotiated extension defines them.
      problem = `reserved bits set without a negotiated extension (RSV=${rsv >> 4})`;
    } else if (!isKnownOpcode(opcode)) {
      // §5.2: opcodes 0x3-0x7 and 0xB-0xF are reserved.
      problem = `reserved opcode ${opcode}`;
    } else if (isControlOpcode(opcode) && (b0 & FIN_BIT) === 0) {
      // §5.5: control frames are never fragmented...
      problem = 'fragmented control frame';
    } else if (isControlOpcode(opcode) && (b1 & 0x7f) > MAX_CONTROL_PAYLOAD) {
      // ...and carry at most 125 bytes.
      problem = 'control frame payload over 125 bytes';
    } else if (this.role === 'server' && !masked) {
      // §5.1: clients mask every frame, servers never do.
      problem = 'unmasked frame from client';
    } else if (this.role === 'client' && masked) {
      problem = 'masked frame from server';
    }
    if (problem === undefined) return true;
    this.fail(1002, problem);
    return false;
  }

  /** Validates and starts the frame whose complete header is `buf[at..]`. */
  private readHeader(buf: Uint8Array, at: number): void {
    const b0 = buf[at]!;
    const b1 = buf[at + 1]!;
    const opcode = b0 & 0x0f;
    // (checkFirstBytes refused reserved opcodes; isKnownOpcode narrows the type.)
    if (!this.checkFirstBytes(b0, b1) || !isKnownOpcode(opcode)) return;
    const fin = (b0 & FIN_BIT) !== 0;
    const masked = (b1 & 0x80) !== 0;
    let length = b1 & 0x7f;

    let pos = at + 2;
    if (length === 126) {
      length = (buf[pos]! << 8) | buf[pos + 1]!;
      pos += 2;
    } else if (length === 127) {
      const high = ((buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!) >>> 0;
      const low = ((buf[pos + 4]! << 24) | (buf[pos + 5]! << 16) | (buf[pos + 6]! << 8) | buf[pos + 7]!) >>> 0;
      pos += 8;
      // §5.2: the most significant bit of a 64-bit length must be 0.
      if (high >= 0x8000_0000) return this.fail(1002, '64-bit payload length with the most significant bit set');
      // Lengths beyond 2^53 - 1 are not representable; refuse before buffering.
      if (high > 0x1f_ffff) return this.fail(1009, 'frame too big');
      length = high * 0x1_0000_0000 + low;
    }
    if (length > this.maxFrameSize || length > MAX_SAFE_PAYLOAD) {
      return this.fail(1009, `frame of ${length} bytes exceeds the limit of ${this.maxFrameSize}`);
    }
    if (masked) {
      this.maskKey[0] = buf[pos]!;
      this.maskKey[1] = buf[pos + 1]!;
      this.maskKey[2] = buf[pos + 2]!;
      this.maskKey[3] = buf[pos + 3]!;
    }
    this.masked = masked;
    this.remaining = length;
    this.payloadOffset = 0;
    const rsv1 = (b0 & RSV1_BIT) !== 0;
    const rsv2 = (b0 & RSV2_BIT) !== 0;
    const rsv3 = (b0 & RSV3_BIT) !== 0;
    const reused = this.reusedHeader;
    if (reused === undefined) {
      this.sink.onFrameHeader({ fin, rsv1, rsv2, rsv3, opcode, masked, length });
    } else {
      // An internal sink: one header object, refilled per frame instead of allocated.
      reused.fin = fin;
      reused.rsv1 = rsv1;
      reused.rsv2 = rsv2;
      reused.rsv3 = rsv3;
      reused.opcode = opcode;
      reused.masked = masked;
      reused.length = length;
      this.sink.onFrameHeader(reused);
    }
    if (this.halted) return;
    if (length === 0) {
      this.sink.onFrameEnd();
    } else {
      this.state = State.Payload;
    }
  }
}

/** Total header size implied by the second header byte (RFC 6455 §5.2). */
function headerSize(b1: number): number {
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + ((b1 & 0x80) !== 0 ? 4 : 0);
}
