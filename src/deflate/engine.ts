/**
 * The DEFLATE engine of permessage-deflate (RFC 7692 §7.2): raw DEFLATE
 * (RFC 1951) through pako's low-level zlib port, which is synchronous and runs
 * in every runtime. Two small classes:
 * - {@link RawDeflater} compresses one message (or one part of it) with a
 *   sync flush, so that its output ends on a byte boundary with the
 *   `00 00 ff ff` of an empty stored block, which the caller removes;
 * - {@link RawInflater} inflates into a buffer that never grows past a byte
 *   budget: the moment the output would pass it, inflating stops.
 *
 * Both keep their zlib stream between calls (context takeover) until
 * {@link RawDeflater.release} / {@link RawInflater.release} drops it.
 *
 * @module
 */
import {
  ZStream,
  Z_BUF_ERROR,
  Z_DEFAULT_STRATEGY,
  Z_OK,
  Z_RLE,
  Z_STREAM_END,
  Z_SYNC_FLUSH,
  zlibDeflate,
  zlibDeflateInit2,
  zlibDeflateReset,
  zlibInflate,
  zlibInflateInit2,
  zlibInflateReset,
} from 'pako';
import { ProtocolError } from '../errors.js';

const EMPTY = new Uint8Array(0);
/** The end of a sync flush, removed from each compressed message (RFC 7692 §7.2.1). */
const TAIL = Uint8Array.of(0x00, 0x00, 0xff, 0xff);
/**
 * Size of the one scratch buffer that every inflater of this realm (module
 * instance) writes into first: 128 KiB, allocated on first use and shared by
 * all connections. A message that inflates to at most this (a 64 KiB message
 * included) comes out in one pass and one exact copy; larger ones grow into
 * buffers of their own.
 */
const SCRATCH_SIZE = 128 * 1024;
let sharedScratch: Uint8Array<ArrayBuffer> | undefined;
/**
 * Size of the scratch buffer that every compressor of this realm writes into
 * first (shared, allocated on first use): the compressed message is then
 * copied out at its exact size, so that a sent payload never holds a buffer
 * sized for its uncompressed input. Larger outputs grow into buffers of their own.
 */
const DEFLATE_SCRATCH_SIZE = 64 * 1024;
let sharedDeflateScratch: Uint8Array<ArrayBuffer> | undefined;
/** Inputs up to this size are inflated with their tail appended in one call, through a shared buffer. */
const SMALL_INPUT = 4096;
let sharedInput: Uint8Array | undefined;
const scratch = (): Uint8Array<ArrayBuffer> => (sharedScratch ??= new Uint8Array(SCRATCH_SIZE));

/**
 * Streams released after a message without context takeover, reset and kept
 * for the next one: at most one per distinct settings in the whole realm, not
 * one per connection (everything here is synchronous, so a stream is never
 * in use by two connections at once). A connection that compresses or
 * inflates without context takeover thus holds no zlib state between
 * messages, and does not pay for a new one (about 270 KiB to allocate and
 * clear for a compressor with the defaults) per message either.
 */
const idleDeflaters = new Map<string, ZStream>();
const idleInflaters = new Map<number, ZStream>();

/** `Z_DEFLATED`, the only compression method (RFC 1951). */
const DEFLATED = 8;

/** Compression settings of one direction. */
export interface DeflateSettings {
  /** zlib level 0–9. */
  readonly level: number;
  /** zlib memLevel 1–9. */
  readonly memLevel: number;
  /** LZ77 window bits 8–15 that the peer allows (RFC 7692 §7.1.2). */
  readonly windowBits: number;
}

/**
 * A raw DEFLATE compressor that keeps its window between calls.
 *
 * zlib (and pako) refuse a raw stream with an 8-bit window. A window of 8 is
 * honoured instead with the run-length strategy (`Z_RLE`): every match then
 * has distance 1, which fits any window, so the peer's inflater with a
 * 256-byte window accepts the output, at the cost of a lower ratio.
 */
export class RawDeflater {
  private stream: ZStream | undefined;

  constructor(private readonly settings: DeflateSettings) {}

  /**
   * Compresses `input` with a sync flush and returns the compressed bytes; with
   * `end` (the part that ends the message), without the final `00 00 ff ff`
   * (RFC 7692 §7.2.1).
   */
  compress(input: Uint8Array, end: boolean): Uint8Array {
    const stream = (this.stream ??= this.open());
    stream.input = input;
    stream.next_in = 0;
    stream.avail_in = input.length;
    // Into the shared scratch first (all of this is synchronous: calls never
    // interleave); past it, room for stored blocks at worst (5 bytes per
    // 16 KiB block) plus the flush.
    const scratchOut = (sharedDeflateScratch ??= new Uint8Array(DEFLATE_SCRATCH_SIZE));
    let output = scratchOut;
    let used = 0;
    for (;;) {
      stream.output = output;
      stream.next_out = used;
      stream.avail_out = output.length - used;
      const status = zlibDeflate(stream, Z_SYNC_FLUSH);
      used = stream.next_out;
      if (status !== Z_OK && status !== Z_BUF_ERROR) throw new Error(`deflate failed (zlib status ${status})`);
      // A sync flush is complete once zlib returns with output space left.
      if (stream.avail_out > 0 && stream.avail_in === 0) break;
      const grown = new Uint8Array(Math.max(output.length * 2, used + stream.avail_in + (stream.avail_in >> 12) + 64));
      grown.set(output.subarray(0, used));
      output = grown;
    }
    // Drop the references so that neither buffer outlives this call.
    stream.input = EMPTY;
    stream.output = EMPTY;
    // Nothing new since the last flush: zlib emits nothing, and the message
    // is then the single 0x00 of RFC 7692 §7.2.3.6 (with the tail the
    // receiver appends, an empty stored block).
    if (end && used === 0) return Uint8Array.of(0);
    const length = end ? used - 4 : used;
    return output === scratchOut ? output.slice(0, length) : output.subarray(0, length);
  }

  /**
   * Drops the compressor and its window (no context takeover: nothing is kept
   * between messages); the stream, reset, may serve the next message of any
   * connection with the same settings.
   */
  release(): void {
    const stream = this.stream;
    this.stream = undefined;
    if (stream !== undefined && !idleDeflaters.has(this.key)) {
      zlibDeflateReset(stream);
      idleDeflaters.set(this.key, stream);
    }
  }

  private get key(): string {
    const { level, memLevel, windowBits } = this.settings;
    return `${level}/${memLevel}/${windowBits}`;
  }

  private open(): ZStream {
    const idle = idleDeflaters.get(this.key);
    if (idle !== undefined) {
      idleDeflaters.delete(this.key);
      return idle;
    }
    const { level, memLevel, windowBits } = this.settings;
    const stream = new ZStream();
    const strategy = windowBits === 8 ? Z_RLE : Z_DEFAULT_STRATEGY;
    // pako's own hash table has 2^15 entries whatever memLevel says; zlib's
    // classic one (2^(memLevel+7)) makes a lower memLevel save memory.
    const status = zlibDeflateInit2(stream, level, DEFLATED, -Math.max(windowBits, 9), memLevel, strategy, memLevel < 8);
    if (status !== Z_OK) throw new RangeError(`permessage-deflate: zlib refused level ${level}, memLevel ${memLevel}, windowBits ${windowBits}`);
    return stream;
  }
}

/**
 * A raw DEFLATE decompressor that keeps its window between calls and stops at
 * a byte budget.
 */
export class RawInflater {
  private stream: ZStream | undefined;
  // A final block ended the stream in the current message.
  private ended = false;

  /**
   * @param windowBits - the peer's window (8–15). Inflating with a window of
   * at least 9 accepts what zlib produces when asked for 8 (it uses 9).
   */
  constructor(private readonly windowBits: number) {}

  /**
   * Inflates `input`, then with `end` (the frame that ends the message) the
   * `00 00 ff ff` that the sender removed (RFC 7692 §7.2.2), and returns what
   * they yield. Throws {@link ProtocolError} 1009 as soon as the output would
   * pass `budget` bytes (having inflated at most `budget + 1` bytes), and 1007
   * for data that is not valid DEFLATE.
   */
  inflate(input: Uint8Array, budget: number, end: boolean): Uint8Array {
    if (this.ended) return this.skip(end);
    const stream = (this.stream ??= this.open());
    let tailPending = end;
    if (end && input.length <= SMALL_INPUT) {
      // One pass for a small message: it and its tail, copied side by side.
      const joined = (sharedInput ??= new Uint8Array(SMALL_INPUT + TAIL.length));
      joined.set(input);
      joined.set(TAIL, input.length);
      input = joined.subarray(0, input.length + TAIL.length);
      tailPending = false;
    }
    stream.input = input;
    stream.next_in = 0;
    stream.avail_in = input.length;
    // Never more than budget + 1: one byte past the budget proves the message too big.
    const limit = Math.min(budget, Number.MAX_SAFE_INTEGER - 1) + 1;
    // Inflate into the shared scratch first (calls never interleave: all of
    // this is synchronous), then copy out exactly what came out.
    let output = limit < SCRATCH_SIZE ? scratch().subarray(0, limit) : scratch();
    let used = 0;
    try {
      for (;;) {
        stream.output = output;
        stream.next_out = used;
        stream.avail_out = output.length - used;
        const inBefore = stream.avail_in;
        const outBefore = used;
        const status = zlibInflate(stream, Z_SYNC_FLUSH);
        used = stream.next_out;
        if (used > budget) throw new ProtocolError(1009, `decompressed message of over ${budget} more bytes`);
        if (status === Z_STREAM_END) {
          // A block with BFINAL set ended the stream (RFC 7692 §7.2.3.4): the
          // rest of the message, the tail included, is not DEFLATE data.
          this.ended = true;
          break;
        } else if (status !== Z_OK && status !== Z_BUF_ERROR) {
          throw new ProtocolError(1007, `invalid compressed data: ${stream.msg || `zlib status ${status}`}`);
        }
        if (stream.avail_out === 0) {
          const grown = new Uint8Array(Math.min(limit, Math.max(output.length * 2, used + stream.avail_in * 4)));
          grown.set(output);
          output = grown;
        } else if (stream.avail_in === 0) {
          if (!tailPending) break;
          tailPending = false;
          stream.input = TAIL;
          stream.next_in = 0;
          stream.avail_in = TAIL.length;
        } else if (stream.avail_in === inBefore && used === outBefore) {
          // Input left, room left, nothing consumed or produced: zlib is stuck.
          throw new ProtocolError(1007, 'invalid compressed data');
        }
      }
    } catch (error) {
      // After a failure the stream is in no state to continue (nor to be reused).
      this.stream = undefined;
      this.ended = false;
      throw error;
    } finally {
      stream.input = EMPTY;
      stream.output = EMPTY;
    }
    if (this.ended) this.skip(end);
    // Nothing out (common for a small fragment): the shared empty array, no allocation.
    if (used === 0) return EMPTY;
    return output.buffer === sharedScratch?.buffer ? output.slice(0, used) : output.subarray(0, used);
  }

  /**
   * After a final block: ignores the rest of the message; at its end, starts
   * a new stream for the next message (the old window cannot be kept).
   */
  private skip(end: boolean): Uint8Array {
    if (end) this.release();
    return EMPTY;
  }

  /** Drops the decompressor and its window; the stream, reset, may serve the next message of any connection. */
  release(): void {
    const stream = this.stream;
    this.stream = undefined;
    this.ended = false;
    const bits = Math.max(this.windowBits, 9);
    if (stream !== undefined && !idleInflaters.has(bits)) {
      zlibInflateReset(stream);
      idleInflaters.set(bits, stream);
    }
  }

  private open(): ZStream {
    const bits = Math.max(this.windowBits, 9);
    const idle = idleInflaters.get(bits);
    if (idle !== undefined) {
      idleInflaters.delete(bits);
      return idle;
    }
    const stream = new ZStream();
    zlibInflateInit2(stream, -Math.max(this.windowBits, 9));
    return stream;
  }
}
