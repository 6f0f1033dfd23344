/**
 * The extension interface (RFC 6455 §9, §5.8). An extension is negotiated in
 * the opening handshake (`Sec-WebSocket-Extensions`) and then transforms
 * frames on the connection, owning one or more RSV bits. permessage-deflate
 * (RFC 7692) is implemented against this interface.
 *
 * Negotiation is split per role, as RFC 6455 §9.1 describes it: the client
 * offers, the server accepts at most one offer of each extension and answers
 * with its parameters, and the client checks that answer.
 *
 * @module
 */
import type { Opcode } from '../constants.js';
import type { ProtocolError } from '../errors.js';

/**
 * One extension parameter (RFC 6455 §9.1 `extension-param`): a name and
 * either a value or `null` for a parameter given without `=value`.
 */
export type ExtensionParam = readonly [name: string, value: string | null];

/** One element of a `Sec-WebSocket-Extensions` header: a token and its parameters, in order. */
export interface ExtensionOffer {
  /** Extension token, e.g. `permessage-deflate`. */
  readonly name: string;
  /** Parameters in the order they appeared. */
  readonly params: readonly ExtensionParam[];
}

/** A frame as it passes through an extension (payload unmasked). */
export interface ExtensionFrame {
  opcode: Opcode;
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  payload: Uint8Array;
}

/**
 * A negotiated extension, as the connection drives it. Extensions apply in the
 * order they were negotiated when sending, and in reverse when receiving
 * (RFC 6455 §9.1).
 */
export interface Extension {
  /** The extension token. */
  readonly name: string;
  /** RSV bits this extension may set, as a mask of the first header byte (`0x40` is RSV1). */
  readonly rsvBits: number;
  /**
   * Undoes the extension on a received frame. `maxSize` bounds the output of
   * the whole message (for decompression). Throws {@link ProtocolError} with
   * the close code to send when the peer's frame is invalid (e.g. 1009 when
   * output would exceed `maxSize`, 1007 or 1002 for corrupt data).
   */
  decode(frame: ExtensionFrame, maxSize: number): ExtensionFrame;
  /** Applies the extension to a frame about to be sent. */
  encode(frame: ExtensionFrame): ExtensionFrame;
  /**
   * Optional message-level encoding. When present, the connection calls it
   * once per `sendText`/`sendBinary` call — a whole message, or one part of a
   * message sent with `fin: false` — BEFORE splitting the result into frames
   * of `fragmentSize`, and does not call {@link Extension.encode} for the
   * frames of that message. `frame.opcode` is Text or Binary for the first
   * part of a message and Continuation for later parts; `frame.fin` says
   * whether this part ends the message. RSV bits in the result are set on the
   * first frame of the part only (RFC 7692 §6: RSV1 marks a message's first
   * frame), and never on a Continuation part (they must come back clear).
   * permessage-deflate compresses here, so that a message is compressed once
   * whatever the fragmentation, and its size threshold sees the whole message.
   */
  encodeMessage?(frame: ExtensionFrame): ExtensionFrame;
  /**
   * Optional: defined when what this extension makes of a whole message
   * depends only on the message and on this key — no state carried from one
   * message to the next (for permessage-deflate: this side compresses with no
   * context takeover). Two extensions with the same key produce the same
   * bytes for the same message, so a message prepared once for broadcast may
   * be encoded once per distinct key with {@link Extension.encodeShared} and
   * the result sent on every connection whose extension has that key.
   * `undefined` when encoding depends on the connection's history (context
   * takeover): encode per connection then.
   */
  readonly sharedEncodingKey?: string;
  /**
   * Optional, present whenever {@link Extension.sharedEncodingKey} is
   * defined: encodes a whole message (`frame.fin` true, opcode Text or
   * Binary) without changing this extension's state or depending on it, so
   * the result may be cached under the key and reused on other connections.
   * The result is the whole message's payload and RSV bits, to be split into
   * frames like the result of {@link Extension.encodeMessage}.
   */
  encodeShared?(frame: ExtensionFrame): ExtensionFrame;
}

/** Server side of negotiating one extension. */
export interface ServerExtensionFactory {
  /** The extension token this factory answers to. */
  readonly name: string;
  /**
   * Considers one offer of this extension. Returns the parameters to answer
   * with and the extension to run, or `undefined` to decline this offer (the
   * server then tries the client's next offer, if any). `accepted` holds the
   * extensions accepted so far, to detect conflicts over RSV bits.
   */
  accept(
    params: readonly ExtensionParam[],
    accepted: readonly Extension[],
  ): { params: ExtensionParam[]; extension: Extension } | undefined;
}

/** Client side of negotiating one extension. */
export interface ClientExtensionFactory {
  /** The extension token this factory offers. */
  readonly name: string;
  /** Parameters of the offer to send. */
  offer(): ExtensionParam[];
  /**
   * Checks the server's answer and returns the extension to run. Throws
   * `HandshakeError` if the parameters are not acceptable (the client must
   * then fail the connection, RFC 6455 §9.1).
   */
  accept(params: readonly ExtensionParam[], accepted: readonly Extension[]): Extension;
}
