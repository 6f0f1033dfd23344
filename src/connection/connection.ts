/**
 * {@link WebSocketConnection}: the sans-I/O state machine of one WebSocket
 * connection after the opening handshake (RFC 6455 §5–§8). The caller moves
 * bytes; the connection decides what they mean and what to answer.
 *
 * @module
 */
import { isValidCloseCode, MAX_CONTROL_PAYLOAD, Opcode } from '../constants.js';
import type { Extension, ExtensionFrame } from '../extensions/extension.js';
import { checkFrame, encodeFrame } from '../frame/encode.js';
import type { Role } from '../frame/parser.js';
import type { WebSocketEvent } from './events.js';
import { resolveOptions, type WebSocketConnectionOptions } from './options.js';
import { MessageReceiver } from './receiver.js';
import { pushFrame, pushTextFrame, SHORT_FRAME_UNITS, shortTextFrame } from './framing.js';
import { PreparedMessage } from './prepared.js';
import { encodeUtf8 } from './utf8.js';

const EMPTY = new Uint8Array(0);
// Stands in the output queue for a pong superseded by a later one; filtered out.
const DROPPED = new Uint8Array(0);
// What dataToSend() returns when nothing is queued: shared, so frozen.
const NOTHING_TO_SEND: Uint8Array[] = Object.freeze([]) as unknown as Uint8Array[];
/**
 * Automatic pongs kept queued between two {@link WebSocketConnection.dataToSend}
 * calls; beyond it the oldest is dropped (RFC 6455 §5.5.3 allows answering
 * only the latest ping), so a ping flood cannot grow the queue.
 */
const MAX_QUEUED_PONGS = 16;
/** §5.5: a control payload is at most 125 bytes; the close code takes 2. */
const MAX_REASON_BYTES = MAX_CONTROL_PAYLOAD - 2;
/** Options of {@link WebSocketConnection.sendText} and {@link WebSocketConnection.sendBinary}. */
export interface SendOptions {
  /**
   * Whether this call ends the message (default `true`). With `false`, the
   * message stays open and the next sends of the same kind continue it as
   * continuation frames (RFC 6455 §5.4) until one passes `fin: true`. Pings,
   * pongs and close may be sent in between.
   */
  fin?: boolean;
}

/** The state of a connection (RFC 6455 §4.1, §7): see {@link WebSocketConnection.state}. */
export type ConnectionState = 'open' | 'closing' | 'closed';

/**
 * One WebSocket connection, without I/O (RFC 6455). Feed it received bytes
 * with {@link WebSocketConnection.receive}, act on the events it returns, and
 * write out whatever {@link WebSocketConnection.dataToSend} returns after
 * every call.
 *
 * It answers pings and Close frames by itself (configurable), validates
 * everything the peer sends, and fails the connection with the right close
 * code on any violation (an `error` event; the peer's input never throws).
 * Misuse by the caller — sending after close, a ping over 125 bytes, a close
 * code that may not be sent — throws a `TypeError` or `RangeError` at once.
 *
 * Ordering: when one chunk carries messages and then a Close frame or a
 * violation, the events before it are delivered and the caller may still
 * answer them (an echo server echoes them); the connection's own Close frame
 * is appended at the next `dataToSend()`, after everything the caller queued.
 * Automatic pongs are queued when the ping is read.
 *
 * Memory: input chunks are never kept (only a partial frame header, at most
 * 14 bytes); at most one message is buffered, bounded by `maxMessageSize`
 * (none in `streamMessages` mode); the output queue holds what the caller
 * sent, at most 16 automatic pongs and one Close frame.
 *
 * @example
 * ```ts
 * const conn = new WebSocketConnection({ role: 'server' });
 * socket.on('data', (chunk) => {
 *   for (const event of conn.receive(chunk)) {
 *     if (event.type === 'text') conn.sendText(event.data);
 *   }
 *   for (const bytes of conn.dataToSend()) socket.write(bytes);
 *   if (conn.shouldCloseTransport) socket.end();
 * });
 * socket.on('end', () => conn.receiveEof());
 * ```
 */
export class WebSocketConnection {
  /** Which end this is (RFC 6455 §5.1). */
  readonly role: Role;

  private readonly receiver: MessageReceiver;
  private readonly mask: boolean;
  private readonly autoPong: boolean;
  private readonly autoCloseReply: boolean;
  private readonly fragmentSize: number;
  private readonly extensions: readonly Extension[];

  // Empty, it is the shared frozen NOTHING_TO_SEND: taking the queue allocates no new array
  // (see writableOutput and enqueue).
  private output: Uint8Array[] = NOTHING_TO_SEND;
  // Bytes in `output` (dropped pongs subtracted); see bufferedAmount.
  private outputBytes = 0;
  private pongSlots: number[] = [];
  private droppedPongs = 0;
  // A Close frame owed to the peer, appended at the next dataToSend().
  private pendingClose: Uint8Array | undefined;
  private closeQueued = false;
  private closeTaken = false;
  private peerClosed = false;
  private failed = false;
  private transportEnded = false;
  // Opcode of an outgoing message left open with `fin: false` (0: none).
  private sendingOpcode = 0;

  /**
   * @throws TypeError for an unknown role; RangeError for a limit that is not a positive integer.
   */
  constructor(options: WebSocketConnectionOptions) {
    const resolved = resolveOptions(options);
    this.role = resolved.role;
    this.mask = resolved.role === 'client'; // §5.1, §5.3
    this.autoPong = resolved.autoPong;
    this.autoCloseReply = resolved.autoCloseReply;
    this.fragmentSize = resolved.fragmentSize;
    this.extensions = resolved.extensions;
    this.receiver = new MessageReceiver(resolved);
  }

  /**
   * `'open'` until a Close frame is sent or received or the peer violates the
   * protocol; `'closing'` while the close handshake (§7.1.2–§7.1.4) or the
   * failure's Close frame is pending; `'closed'` once both Close frames are
   * exchanged (or queued), the failure's Close frame is queued, or the
   * transport ended.
   */
  get state(): ConnectionState {
    if (this.transportEnded) return 'closed';
    if (this.closeQueued && (this.peerClosed || this.failed)) return 'closed';
    if (this.closeQueued || this.peerClosed || this.failed) return 'closing';
    return 'open';
  }

  /**
   * Whether a data frame (or ping, pong, or Close) may be queued now: `true`
   * until the connection's own Close frame is queued (by
   * {@link WebSocketConnection.close}, or by the next `dataToSend()` when it
   * owes the peer a reply or a failure's Close frame) or the transport ended.
   * After the peer's Close it stays `true` until the reply is taken, so an
   * echo server can still answer the messages that came before it (RFC 6455
   * §5.5.1: no data after sending Close). While it is `true` the send methods
   * do not throw for the connection's state; a broadcast loop asks instead of
   * catching.
   */
  get canSend(): boolean {
    return !this.closeQueued && !this.transportEnded;
  }

  /**
   * Bytes queued to send and not yet taken by `dataToSend()`: the caller's
   * frames, automatic pongs (a pong dropped under a ping flood no longer
   * counts) and a Close frame owed to the peer. Like the browser API's
   * `bufferedAmount`, it shows which peer is slow; a driver adds what its own
   * transport still holds (e.g. Node's `socket.writableLength`).
   */
  get bufferedAmount(): number {
    return this.outputBytes + (this.pendingClose?.length ?? 0);
  }

  /**
   * Whether the caller should close the transport now, after writing what
   * `dataToSend()` returned (RFC 6455 §7.1.1): on a server once the close
   * handshake is done, on either side after failing the connection (§7.1.7),
   * and after the transport ended.
   */
  get shouldCloseTransport(): boolean {
    if (this.transportEnded) return true;
    return this.closeTaken && (this.failed || (this.peerClosed && this.role === 'server'));
  }

  /**
   * Whether a client has finished the close handshake and should now wait
   * for the server to close the transport (RFC 6455 §7.1.1), closing it
   * itself when a timer of its choice runs out. Always `false` for a server.
   */
  get shouldAwaitTransportClose(): boolean {
    return (
      this.role === 'client' && this.closeTaken && this.peerClosed && !this.failed && !this.transportEnded
    );
  }

  /**
   * Reads a chunk of bytes from the peer, of any size, and returns the events
   * it completes, in order. Never throws for bad input: a violation ends the
   * list with an `error` event and queues the Close frame. After a Close
   * frame, a violation or {@link WebSocketConnection.receiveEof}, input is
   * ignored (RFC 6455 §5.5.1).
   *
   * The chunk may be unmasked in place, and byte data in events may be views
   * of it: do not reuse its memory while you hold those events.
   *
   * @throws TypeError if `chunk` is not a Uint8Array.
   */
  receive(chunk: Uint8Array): WebSocketEvent[] {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('WebSocketConnection.receive: chunk must be a Uint8Array');
    if (this.receiver.isHalted) return [];
    const events = this.receiver.receive(chunk);
    for (const event of events) {
      if (event.type === 'ping') this.answerPing(event.data);
      else if (event.type === 'close') this.peerClose(event.code);
      else if (event.type === 'error') this.fail(event.code, event.message);
    }
    return events;
  }

  /**
   * Tells the connection the transport ended (the peer closed its side, or it
   * broke). Returns a `close` event with code 1006 if no Close frame was
   * received (RFC 6455 §7.1.5), otherwise nothing.
   */
  receiveEof(): WebSocketEvent[] {
    if (this.transportEnded) return [];
    this.transportEnded = true;
    this.receiver.stop();
    if (this.peerClosed || this.failed) return [];
    return [{ type: 'close', code: 1006, reason: '' }];
  }

  /**
   * Takes everything queued to send, in order: the caller's frames, automatic
   * pongs, and last the Close frame the connection owes the peer (a reply
   * to its Close, or the failure's). Write the chunks in this order.
   *
   * Large payloads given to `sendBinary` by a server may be returned as they
   * are, without a copy: do not modify them before they are written. When
   * nothing is queued, the (empty) array returned is shared and frozen, so
   * that the common call after every `receive` allocates nothing.
   */
  dataToSend(): Uint8Array[] {
    if (this.pendingClose !== undefined) {
      this.enqueue(this.pendingClose);
      this.pendingClose = undefined;
      this.closeQueued = true;
    }
    if (this.output.length === 0) {
      if (this.closeQueued) this.closeTaken = true;
      return NOTHING_TO_SEND;
    }
    let out = this.output;
    if (this.droppedPongs > 0) out = out.filter((bytes) => bytes !== DROPPED);
    this.output = NOTHING_TO_SEND;
    this.outputBytes = 0;
    if (this.pongSlots.length > 0) this.pongSlots = [];
    this.droppedPongs = 0;
    if (this.closeQueued) this.closeTaken = true;
    return out;
  }

  /**
   * Queues a text message (RFC 6455 §5.6), or a part of one with `fin: false`.
   *
   * @throws TypeError after the Close frame was queued, if `text` is not a
   * string, or while a fragmented binary message is open.
   */
  sendText(text: string, options?: SendOptions): void {
    if (typeof text !== 'string') throw new TypeError('WebSocketConnection.sendText: text must be a string');
    const fin = options?.fin ?? true;
    const opcode = this.startFrame(Opcode.Text, 'sendText');
    // Common case, one unfragmented frame without extensions: build it here.
    // Otherwise encode the text, then split and frame the bytes.
    const from = this.output.length;
    if (this.extensions.length === 0) {
      const frame = shortTextFrame(opcode, text, fin, this.mask, this.fragmentSize);
      if (frame !== undefined) this.enqueue(frame);
      // A short text that shortTextFrame refused is not ASCII (or over fragmentSize):
      // encoded whole below, without pushTextFrame's ASCII guess being tried again.
      else if (text.length >= SHORT_FRAME_UNITS && pushTextFrame(this.writableOutput(), opcode, text, fin, this.mask, this.fragmentSize)) {
        this.counted(from);
      }
      else return this.queueMessage(Opcode.Text, opcode, encodeUtf8(text), fin);
      this.sendingOpcode = fin ? 0 : Opcode.Text;
      return;
    }
    this.queueMessage(Opcode.Text, opcode, encodeUtf8(text), fin);
  }

  /**
   * Queues a binary message (RFC 6455 §5.6), or a part of one with `fin: false`.
   * A server may queue large `data` without copying it (see {@link WebSocketConnection.dataToSend}).
   *
   * @throws TypeError after the Close frame was queued, if `data` is not a
   * Uint8Array, or while a fragmented text message is open.
   */
  sendBinary(data: Uint8Array, options?: SendOptions): void {
    if (!(data instanceof Uint8Array)) throw new TypeError('WebSocketConnection.sendBinary: data must be a Uint8Array');
    const fin = options?.fin ?? true;
    this.queueMessage(Opcode.Binary, this.startFrame(Opcode.Binary, 'sendBinary'), data, fin);
  }

  /**
   * Queues a whole message prepared once for many connections (a
   * broadcast): see {@link PreparedMessage} for what is encoded once and
   * what per connection. The same rules as `sendText` and `sendBinary`
   * apply, and `fragmentSize` and the negotiated extensions are honoured.
   *
   * @throws TypeError after the Close frame was queued, if `message` is not
   * a PreparedMessage, or while a fragmented message is open (a prepared
   * message is whole, so it cannot continue one).
   */
  sendPrepared(message: PreparedMessage): void {
    if (!(message instanceof PreparedMessage)) {
      throw new TypeError('WebSocketConnection.sendPrepared: message must be a PreparedMessage');
    }
    // Continuation matches no open message: this refuses any one open (§5.4).
    this.startFrame(Opcode.Continuation, 'sendPrepared');
    this.queuePrepared(message);
  }

  /** Queues a prepared message's shared frames, or sends its payload through the ordinary path when they cannot be shared. */
  private queuePrepared(message: PreparedMessage): void {
    const frames = message.framesFor(this.mask, this.extensions, this.fragmentSize);
    if (frames === undefined) {
      const opcode = message.type === 'text' ? Opcode.Text : Opcode.Binary;
      return this.queueMessage(opcode, opcode, message.payload, true);
    }
    for (const chunk of frames) this.enqueue(chunk);
  }

  /**
   * Queues a Ping (RFC 6455 §5.5.2); see also the keepalive helper.
   *
   * @throws TypeError after the Close frame was queued; RangeError for data over 125 bytes (§5.5).
   */
  ping(data: Uint8Array = EMPTY): void {
    this.sendControl(Opcode.Ping, data, 'ping');
  }

  /**
   * Queues a Pong (RFC 6455 §5.5.3). Pings are answered automatically unless
   * `autoPong` is off; an unsolicited pong serves as a one-way heartbeat.
   *
   * @throws TypeError after the Close frame was queued; RangeError for data over 125 bytes (§5.5).
   */
  pong(data: Uint8Array = EMPTY): void {
    this.sendControl(Opcode.Pong, data, 'pong');
  }

  /**
   * Starts the close handshake (RFC 6455 §7.1.2), or answers the peer's Close
   * when `autoCloseReply` is off (replacing an automatic reply not yet taken).
   * Nothing may be sent afterwards. Calling it again, or after a failure, does
   * nothing: the first Close frame stands.
   *
   * @param code - status code, default 1000; must be one that may be sent (§7.4.1).
   * @param reason - text of at most 123 UTF-8 bytes (§5.5).
   * @throws RangeError for a code that may not be sent or a reason that is too long.
   */
  close(code = 1000, reason = ''): void {
    if (!isValidCloseCode(code)) {
      throw new RangeError(
        `WebSocketConnection.close: code ${String(code)} may not be sent; use 1000-1003, 1007-1014 or 3000-4999 (RFC 6455 §7.4)`,
      );
    }
    if (typeof reason !== 'string') throw new TypeError('WebSocketConnection.close: reason must be a string');
    const reasonBytes = encodeUtf8(reason);
    if (reasonBytes.length > MAX_REASON_BYTES) {
      throw new RangeError(
        `WebSocketConnection.close: reason is ${reasonBytes.length} UTF-8 bytes; at most 123 fit in a control frame (RFC 6455 §5.5)`,
      );
    }
    if (this.closeQueued || this.transportEnded || this.failed) return;
    this.pendingClose = undefined;
    this.enqueue(this.encodeClose(code, reasonBytes));
    this.closeQueued = true;
  }

  /** The output queue, to push onto: a new array in place of the shared empty one. */
  private writableOutput(): Uint8Array[] {
    if (this.output === NOTHING_TO_SEND) this.output = [];
    return this.output;
  }

  /** Queues one chunk to send, counted for bufferedAmount. */
  private enqueue(chunk: Uint8Array): void {
    // Into an empty queue (NOTHING_TO_SEND, or an array left empty) as an array
    // literal: cheaper than a first push, which gives the array room for 17.
    if (this.output.length === 0) this.output = [chunk];
    else this.output.push(chunk);
    this.outputBytes += chunk.length;
  }

  /**
   * Counts for bufferedAmount the chunks queued since the queue was `from`
   * long: every way into the output queue (enqueue, the framing functions
   * pushing onto it) ends here.
   */
  private counted(from: number): void {
    const output = this.output;
    for (let i = from; i < output.length; i++) this.outputBytes += output[i]!.length;
  }

  private assertCanSend(method: string): void {
    if (this.closeQueued || this.transportEnded) {
      throw new TypeError(
        `WebSocketConnection.${method}: the connection is ${this.state}; nothing may be sent after the Close frame (RFC 6455 §5.5.1)`,
      );
    }
  }

  /** Checks that a `type` message may be sent now and returns the opcode of its next frame. */
  private startFrame(type: Opcode, method: string): Opcode {
    this.assertCanSend(method);
    if (this.sendingOpcode !== 0 && this.sendingOpcode !== type) {
      const open = this.sendingOpcode === Opcode.Text ? 'text' : 'binary';
      throw new TypeError(
        `WebSocketConnection.${method}: a fragmented ${open} message is open; finish it with { fin: true } first (RFC 6455 §5.4)`,
      );
    }
    return this.sendingOpcode === 0 ? type : Opcode.Continuation;
  }

  /** Queues `payload` as frames of at most `fragmentSize` bytes, the first with `opcode`. */
  private queueMessage(type: Opcode, opcode: Opcode, payload: Uint8Array, fin: boolean): void {
    // Message-level extensions (permessage-deflate) see the message whole, before it is split;
    // their RSV bits go on its first frame (RFC 7692 §6).
    let rsv: ExtensionFrame | undefined;
    if (this.extensions.length > 0) {
      let whole: ExtensionFrame = { opcode, fin, rsv1: false, rsv2: false, rsv3: false, payload };
      for (const extension of this.extensions) if (extension.encodeMessage) whole = extension.encodeMessage(whole);
      payload = whole.payload;
      rsv = whole;
    }
    let offset = 0;
    do {
      const end = Math.min(offset + this.fragmentSize, payload.length);
      const isLast = end === payload.length;
      this.queueDataFrame(opcode, offset === 0 && isLast ? payload : payload.subarray(offset, end), fin && isLast, offset === 0 ? rsv : undefined);
      opcode = Opcode.Continuation;
      offset = end;
    } while (offset < payload.length);
    this.sendingOpcode = fin ? 0 : type;
  }

  private queueDataFrame(opcode: Opcode, payload: Uint8Array, fin: boolean, rsv?: ExtensionFrame): void {
    const from = this.output.length;
    if (this.extensions.length === 0) {
      pushFrame(this.writableOutput(), opcode, payload, fin, false, false, false, this.mask);
      return this.counted(from);
    }
    // §9.1: extensions apply in the order they were negotiated (message-level ones did already).
    let frame: ExtensionFrame = { opcode, fin, rsv1: rsv?.rsv1 ?? false, rsv2: rsv?.rsv2 ?? false, rsv3: rsv?.rsv3 ?? false, payload };
    for (const extension of this.extensions) if (!extension.encodeMessage) frame = extension.encode(frame);
    // What an extension returns is checked as encodeFrame checks any frame.
    checkFrame(frame.opcode, frame.fin, frame.payload.length);
    pushFrame(this.writableOutput(), frame.opcode, frame.payload, frame.fin, frame.rsv1, frame.rsv2, frame.rsv3, this.mask);
    this.counted(from);
  }

  private sendControl(opcode: Opcode, data: Uint8Array, method: string): void {
    this.assertCanSend(method);
    if (!(data instanceof Uint8Array)) throw new TypeError(`WebSocketConnection.${method}: data must be a Uint8Array`);
    if (data.length > MAX_CONTROL_PAYLOAD) {
      throw new RangeError(
        `WebSocketConnection.${method}: data is ${data.length} bytes; a control frame carries at most 125 (RFC 6455 §5.5)`,
      );
    }
    const from = this.output.length;
    pushFrame(this.writableOutput(), opcode, data, true, false, false, false, this.mask);
    this.counted(from);
  }

  private encodeClose(code: number | undefined, reason: Uint8Array): Uint8Array {
    if (code === undefined) return encodeFrame({ opcode: Opcode.Close, mask: this.mask });
    const payload = new Uint8Array(2 + reason.length);
    payload[0] = code >>> 8;
    payload[1] = code & 0xff;
    payload.set(reason, 2);
    return encodeFrame({ opcode: Opcode.Close, payload, mask: this.mask });
  }

  /** §5.5.2: answer a ping with a pong carrying the same data, keeping the queue bounded (§5.5.3). */
  private answerPing(data: Uint8Array): void {
    if (!this.autoPong || this.closeQueued) return;
    if (this.pongSlots.length === MAX_QUEUED_PONGS) {
      const slot = this.pongSlots.shift()!;
      this.outputBytes -= this.output[slot]!.length;
      this.output[slot] = DROPPED;
      this.droppedPongs++;
    }
    const from = this.output.length;
    this.pongSlots.push(from);
    pushFrame(this.writableOutput(), Opcode.Pong, data, true, false, false, false, this.mask); // one chunk: at most 125 bytes
    this.counted(from);
  }

  /** §5.5.1: a Close frame is answered with a Close frame, by default echoing the code (none if none came). */
  private peerClose(code: number): void {
    this.peerClosed = true;
    if (this.closeQueued || !this.autoCloseReply) return;
    this.pendingClose = this.encodeClose(code === 1005 ? undefined : code, EMPTY);
  }

  /** §7.1.7: fail the connection: send a Close frame with the code, then close the transport. */
  private fail(code: number, message: string): void {
    this.failed = true;
    if (this.closeQueued) return;
    // The reason must fit a control frame (§5.5); fall back to printable ASCII to cut it safely.
    let reason = encodeUtf8(message);
    if (reason.length > MAX_REASON_BYTES) {
      reason = encodeUtf8(message.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_REASON_BYTES));
    }
    this.pendingClose = this.encodeClose(code, reason);
  }
}
