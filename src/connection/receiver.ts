/**
 * The receiving half of a connection: bytes in, events out. It drives a
 * {@link FrameParser} as that parser's {@link FrameSink} and turns frames into
 * messages (RFC 6455 §5.4), checking every rule a peer can break: fragment
 * order (§5.4), control frames (§5.5), UTF-8 text (§8.1), close payloads
 * (§5.5.1, §7.4), and the size limits (§10.4).
 *
 * Memory: the parser keeps no input (only a 14-byte header scratch), and this
 * receiver keeps at most one message buffer, plus between text messages one
 * buffer of at most 64 KiB that the next text reuses. A single-frame message
 * whose payload sits inside one input chunk is handed out as a view of that
 * chunk, without a copy (a text of at most 16 bytes is copied: cheaper).
 * Anything else is copied into one buffer, and unmasked during that copy:
 * sized to the frame's declared length for a single frame, grown by doubling
 * (capped at `maxMessageSize`) for a fragmented message. No list of pieces is
 * kept, so a flood of 1-byte frames or 1-byte chunks costs its bytes and
 * nothing more.
 *
 * @module
 */
import { isValidCloseCode, Opcode } from '../constants.js';
import { ProtocolError } from '../errors.js';
import type { Extension, ExtensionFrame } from '../extensions/extension.js';
import type { FrameDecodeError, FrameHeader } from '../frame/frame.js';
import { applyMask, maskCopy } from '../frame/mask.js';
import { FrameParser, RAW_PAYLOAD, type RawFrameSink } from '../frame/parser.js';
import type { WebSocketEvent } from './events.js';
import type { ResolvedOptions } from './options.js';
import { createStreamingDecoder, decodeShortAscii, decodeUtf8, decodeUtf8Range, SHORT_TEXT_BYTES, Utf8Validator } from './utf8.js';

const EMPTY = new Uint8Array(0);
/**
 * A text message's buffer is never handed out (the text is), so one of at
 * most this many bytes is kept for the next text message instead of
 * allocating a new one per message.
 */
const TEXT_SCRATCH_MAX = 64 * 1024;

/** Turns received bytes into {@link WebSocketEvent}s; halts for good after a Close frame or a violation. */
export class MessageReceiver implements RawFrameSink {
  private readonly parser: FrameParser;
  private readonly maxMessageSize: number;
  private readonly maxFragments: number;
  private readonly streamMessages: boolean;
  // Extensions in decoding order: the reverse of the negotiated order (RFC 6455 §9.1).
  private readonly decoders: readonly Extension[];

  private events: WebSocketEvent[] = [];
  private halted = false;

  // The frame being read.
  private frameOpcode: Opcode = Opcode.Continuation;
  private frameFin = false;
  private frameRsv1 = false;
  private frameRsv2 = false;
  private frameRsv3 = false;
  private frameLength = 0;
  private frameReceived = 0;
  // Control frames, and data frames under extensions, are gathered whole first.
  private gatherWhole = false;
  private gathered: Uint8Array = EMPTY;

  // The message being assembled (messageOpcode 0: none in progress).
  private messageOpcode = 0;
  private messageSize = 0;
  private fragments = 0;
  private whole: Uint8Array | undefined;
  // A short ASCII text message in one frame, decoded as it was unmasked.
  private shortText: string | undefined;
  private buffer: Uint8Array = EMPTY;
  private bufferUsed = 0;
  private textScratch: Uint8Array = EMPTY;
  private readonly validator = new Utf8Validator();
  private streamDecoder: TextDecoder | undefined;
  private streamFirst = true;
  private streamLastSent = false;

  constructor(options: ResolvedOptions) {
    this.maxMessageSize = options.maxMessageSize;
    this.maxFragments = options.maxFragments;
    this.streamMessages = options.streamMessages;
    this.decoders = [...options.extensions].reverse();
    let allowedRsv = 0;
    for (const extension of options.extensions) allowedRsv |= extension.rsvBits;
    this.parser = new FrameParser(this, { role: options.role, maxFrameSize: options.maxFrameSize, allowedRsv });
  }

  /** Whether input is ignored from now on (after a Close frame, a violation or {@link MessageReceiver.stop}). */
  get isHalted(): boolean {
    return this.halted;
  }

  /** Reads one chunk and returns the events it completes, in order. */
  receive(chunk: Uint8Array): WebSocketEvent[] {
    const events: WebSocketEvent[] = [];
    this.events = events;
    this.parser.parse(chunk);
    return events;
  }

  /** Ignores all further input. */
  stop(): void {
    this.halted = true;
    this.parser.halt();
  }

  /** @internal FrameSink: a frame header was read. */
  onFrameHeader(header: FrameHeader): void {
    const opcode = header.opcode;
    this.frameOpcode = opcode;
    this.frameFin = header.fin;
    this.frameRsv1 = header.rsv1;
    this.frameRsv2 = header.rsv2;
    this.frameRsv3 = header.rsv3;
    this.frameLength = header.length;
    this.frameReceived = 0;
    this.gathered = EMPTY;
    if (opcode >= Opcode.Close) {
      // §5.2: an RSV bit means something only under an extension, and the
      // extension interface transforms data frames only (as RFC 7692 §6 does).
      if (header.rsv1 || header.rsv2 || header.rsv3) {
        return this.fail(1002, 'reserved bits set on a control frame');
      }
      this.gatherWhole = true;
      return;
    }
    if (opcode === Opcode.Continuation) {
      // §5.4: a continuation frame continues a message started by a non-final frame.
      if (this.messageOpcode === 0) return this.fail(1002, 'continuation frame with no message to continue');
    } else {
      // §5.4: the fragments of one message are not interleaved with another message.
      if (this.messageOpcode !== 0) return this.fail(1002, 'new data frame before the fragmented message ended');
      this.messageOpcode = opcode;
    }
    if (++this.fragments > this.maxFragments) {
      return this.fail(1009, `message of more than ${this.maxFragments} fragments`);
    }
    if (this.decoders.length > 0) {
      this.gatherWhole = true;
      return;
    }
    this.gatherWhole = false;
    // §10.4: refuse an oversized message before storing any of it.
    if (header.length > this.maxMessageSize - this.messageSize) return this.tooBig(header.length);
    this.messageSize += header.length;
  }

  /** @internal FrameSink: a piece of the current frame's payload. */
  onFramePayload(piece: Uint8Array): void {
    const start = this.frameReceived;
    this.frameReceived = start + piece.length;
    if (!this.gatherWhole) {
      this.dataPiece(piece, this.frameReceived === this.frameLength, start === 0);
    } else if (start === 0 && piece.length === this.frameLength) {
      this.gathered = piece;
    } else {
      if (start === 0) this.gathered = new Uint8Array(this.frameLength);
      this.gathered.set(piece, start);
    }
  }

  /**
   * @internal RawFrameSink: payload bytes as they arrived, still masked. A
   * single-frame message inside one chunk is unmasked in place and handed out
   * as a view (a short ASCII text is decoded from the chunk instead, unmasked
   * as it is read: cheaper than a view or a copy); a payload
   * that is copied into the message buffer anyway is unmasked during that
   * copy (one pass, RFC 6455 §5.3).
   */
  [RAW_PAYLOAD](chunk: Uint8Array, start: number, end: number, key: Uint8Array | undefined, keyOffset: number): void {
    const length = end - start;
    const frameStart = this.frameReceived;
    // A whole single-frame message in this chunk.
    const single = frameStart === 0 && length === this.frameLength && this.frameFin && this.fragments === 1;
    const shortText = single && this.messageOpcode === Opcode.Text && length <= SHORT_TEXT_BYTES;
    if (this.gatherWhole || this.streamMessages || (single && !shortText)) {
      const piece = chunk.subarray(start, end);
      this.onFramePayload(key === undefined ? piece : applyMask(piece, key, keyOffset));
      return;
    }
    this.frameReceived = frameStart + length;
    // A short text message: decoded straight from the chunk if it is ASCII,
    // unmasked as it is read, with no copy into the message buffer.
    if (shortText && (this.shortText = decodeShortAscii(chunk, start, end, key, keyOffset)) !== undefined) return;
    const at = this.reserve(length);
    let ascii = false;
    if (key !== undefined) ascii = maskCopy(chunk, start, end, this.buffer, at, key, keyOffset);
    else this.buffer.set(chunk.subarray(start, end), at);
    this.bufferUsed = at + length;
    // §8.1: fail as soon as the text stops being valid UTF-8, not at the end of the message
    // (a whole message in one piece is validated by its decoding, right after; ASCII
    // that the masking kernel saw leaves a validator between sequences as it is).
    const unchecked = (this.frameFin && length === this.messageSize) || (ascii && this.validator.complete);
    if (this.messageOpcode === Opcode.Text && !unchecked && !this.validator.write(this.buffer, at, at + length)) {
      this.fail(1007, 'invalid UTF-8 in a text message');
    }
  }

  /** @internal FrameSink: the current frame is complete. */
  onFrameEnd(): void {
    const opcode = this.frameOpcode;
    if (opcode === Opcode.Ping) {
      this.events.push({ type: 'ping', data: this.gathered });
    } else if (opcode === Opcode.Pong) {
      this.events.push({ type: 'pong', data: this.gathered });
    } else if (opcode === Opcode.Close) {
      this.closeFrame(this.gathered);
    } else if (this.gatherWhole) {
      this.extensionFrame();
    } else if (this.frameFin) {
      this.endMessage();
    }
  }

  /** @internal FrameSink: the parser found a violation and halted. */
  onFrameError(error: FrameDecodeError): void {
    this.halted = true;
    this.events.push({ type: 'error', code: error.code, message: error.message });
  }

  private fail(code: number, message: string): void {
    this.events.push({ type: 'error', code, message });
    this.stop();
  }

  private tooBig(adding: number): void {
    this.fail(1009, `message of over ${this.maxMessageSize} bytes (${this.messageSize} + ${adding})`);
  }

  /** A complete Close frame (RFC 6455 §5.5.1): report it, then read nothing more. */
  private closeFrame(payload: Uint8Array): void {
    if (payload.length === 0) {
      // §7.1.5, §7.4.1: a Close frame without a status code is reported as 1005.
      this.events.push({ type: 'close', code: 1005, reason: '' });
    } else if (payload.length === 1) {
      // §5.5.1: a body starts with a 2-byte status code.
      return this.fail(1002, 'close frame with a 1-byte payload');
    } else {
      const code = (payload[0]! << 8) | payload[1]!;
      // §7.4.1, §7.4.2: only some codes may appear on the wire.
      if (!isValidCloseCode(code)) return this.fail(1002, `close code ${code} may not be sent`);
      // §5.5.1: the reason is UTF-8 text.
      const reason = decodeUtf8(payload.subarray(2));
      if (reason === undefined) return this.fail(1007, 'close reason is not valid UTF-8');
      this.events.push({ type: 'close', code, reason });
    }
    // §5.5.1: nothing the peer sends after its Close frame is processed.
    this.stop();
  }

  /** A whole data frame under extensions: undo them in reverse order (RFC 6455 §9.1), then use the result. */
  private extensionFrame(): void {
    let frame: ExtensionFrame = {
      opcode: this.frameOpcode,
      fin: this.frameFin,
      rsv1: this.frameRsv1,
      rsv2: this.frameRsv2,
      rsv3: this.frameRsv3,
      payload: this.gathered,
    };
    try {
      for (const extension of this.decoders) frame = extension.decode(frame, this.maxMessageSize - this.messageSize);
    } catch (error) {
      // Bad input from the peer arrives as ProtocolError; anything else is a fault of the extension (1011),
      // as is a ProtocolError whose code may not be sent (1005, 1006, …: §7.4.1).
      if (error instanceof ProtocolError && isValidCloseCode(error.code)) return this.fail(error.code, error.message);
      return this.fail(1011, `extension failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    // §5.2: an RSV bit that no negotiated extension consumed has no meaning.
    if (frame.rsv1 || frame.rsv2 || frame.rsv3) {
      return this.fail(1002, 'reserved bit not defined by any negotiated extension');
    }
    const payload = frame.payload;
    if (payload.length > this.maxMessageSize - this.messageSize) return this.tooBig(payload.length);
    this.messageSize += payload.length;
    this.dataPiece(payload, true, true);
    if (!this.halted && this.frameFin) this.endMessage();
  }

  /** A piece of a data frame's payload: keep it (or hand it out in streaming mode), validating text as it comes. */
  private dataPiece(piece: Uint8Array, endsFrame: boolean, startsFrame: boolean): void {
    const last = endsFrame && this.frameFin;
    if (last && startsFrame && this.fragments === 1 && !this.streamMessages) {
      // A single-frame message inside one chunk: hand out a view (validated when decoded).
      this.whole = piece;
      return;
    }
    // §8.1: fail as soon as the text stops being valid UTF-8, not at the end of the message.
    if (this.messageOpcode === Opcode.Text && !this.validator.write(piece)) {
      return this.fail(1007, 'invalid UTF-8 in a text message');
    }
    if (this.streamMessages) return this.emitFragment(piece, last);
    const at = this.reserve(piece.length);
    this.buffer.set(piece, at);
    this.bufferUsed = at + piece.length;
  }

  /** Makes room for `length` more bytes of the message (after frameReceived counts them) and returns where they go. */
  private reserve(length: number): number {
    const used = this.bufferUsed;
    const needed = used + length;
    if (needed > this.buffer.length) {
      if (used === 0 && this.messageOpcode === Opcode.Text && needed <= this.textScratch.length) {
        this.buffer = this.textScratch;
        return 0;
      }
      // Room for the rest of this frame at once; for fragmented messages, at least double.
      const frameRest = this.gatherWhole ? length : this.frameLength - this.frameReceived + length;
      const grown = new Uint8Array(Math.max(used + frameRest, Math.min(this.buffer.length * 2, this.maxMessageSize)));
      grown.set(this.buffer.subarray(0, used));
      this.buffer = grown;
    }
    return used;
  }

  /** Streaming mode: hands out one piece of the message. */
  private emitFragment(piece: Uint8Array, last: boolean): void {
    const first = this.streamFirst;
    this.streamFirst = false;
    if (this.messageOpcode === Opcode.Text) {
      if (last && !this.validator.complete) return this.fail(1007, 'text message ends inside a UTF-8 sequence');
      const decoder = (this.streamDecoder ??= createStreamingDecoder());
      this.events.push({ type: 'text-fragment', data: decoder.decode(piece, { stream: !last }), first, last });
    } else {
      this.events.push({ type: 'binary-fragment', data: piece, first, last });
    }
    if (last) this.streamLastSent = true;
  }

  /** The final frame of a message has ended: report the message and start over. */
  private endMessage(): void {
    if (this.streamMessages) {
      if (!this.streamLastSent) this.emitFragment(EMPTY, true);
    } else if (this.messageOpcode === Opcode.Text) {
      const whole = this.whole;
      // §8.1: the text must not end inside a UTF-8 sequence.
      if (whole === undefined && !this.validator.complete) {
        return this.fail(1007, 'text message ends inside a UTF-8 sequence');
      }
      const text = this.shortText ?? (whole === undefined ? decodeUtf8Range(this.buffer, 0, this.bufferUsed) : decodeUtf8(whole));
      if (text === undefined) {
        // The same reason as above for a text cut short, whichever path decoded it (only on failure: a second pass).
        this.validator.reset();
        const cutShort = this.validator.write(whole ?? this.buffer, 0, whole?.length ?? this.bufferUsed) && !this.validator.complete;
        return this.fail(1007, cutShort ? 'text message ends inside a UTF-8 sequence' : 'invalid UTF-8 in a text message');
      }
      this.events.push({ type: 'text', data: text });
      // The text was handed out, not its bytes: keep a small buffer for the next text.
      if (this.buffer.length <= TEXT_SCRATCH_MAX && this.buffer.length > this.textScratch.length) this.textScratch = this.buffer;
    } else {
      this.events.push({ type: 'binary', data: this.whole ?? this.buffer.subarray(0, this.bufferUsed) });
    }
    if (this.halted) return;
    this.messageOpcode = 0;
    this.messageSize = 0;
    this.fragments = 0;
    this.whole = undefined;
    this.shortText = undefined;
    this.buffer = EMPTY;
    this.bufferUsed = 0;
    this.validator.reset();
    this.streamFirst = true;
    this.streamLastSent = false;
  }
}
