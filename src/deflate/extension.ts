/**
 * permessage-deflate on a connection (RFC 7692 §6, §7.2), and the two
 * factories that negotiate it in the opening handshake.
 *
 * Sending: each message (or each part sent with `fin: false`) is compressed
 * once, before the connection splits it into frames; a sync flush ends it and
 * its `00 00 ff ff` is removed (§7.2.1); RSV1 marks the first frame only
 * (§6). Messages under the threshold go out uncompressed, RSV1 clear.
 * Receiving: RSV1 on a message's first frame means compressed; every frame of
 * it is inflated as it arrives, the tail is restored at the last (§7.2.2).
 * RSV1 on a continuation frame fails with 1002 (§6.1); control frames never
 * reach an extension (the connection refuses RSV bits on them with 1002).
 *
 * Close codes: output passing what `maxMessageSize` still allows → 1009
 * (inflating stops there); data that is not valid DEFLATE → 1007 (invalid
 * payload data, RFC 6455 §7.4.1, as `ws` does); RSV1 on a continuation frame
 * → 1002.
 *
 * @module
 */
import { Opcode } from '../constants.js';
import { HandshakeError, ProtocolError } from '../errors.js';
import type {
  ClientExtensionFactory,
  Extension,
  ExtensionFrame,
  ExtensionParam,
  ServerExtensionFactory,
} from '../extensions/extension.js';
import type { Role } from '../frame/parser.js';
import { RawDeflater, RawInflater, type DeflateSettings } from './engine.js';
import {
  clientAgreement,
  clientOffer,
  EXTENSION_NAME,
  isRefusal,
  parseParams,
  resolveDeflateOptions,
  serverAnswer,
  type PerMessageDeflateOptions,
  type PerMessageDeflateParams,
  type ResolvedDeflateOptions,
} from './negotiation.js';

/** RSV1, the bit permessage-deflate owns (RFC 7692 §6). */
const RSV1 = 0x40;

/**
 * permessage-deflate as negotiated for one connection: pass it to
 * `WebSocketConnection` in `extensions`. Created by
 * {@link PerMessageDeflateServer} or {@link PerMessageDeflateClient}.
 *
 * Memory: a compressor exists only while this side compresses with context
 * takeover (kept between messages), or during one message without it; an
 * inflater likewise for the peer's direction. With no context takeover in
 * both directions an idle connection holds no zlib state at all. Measured in
 * Node per idle server connection (README, "Memory per idle connection"):
 * about 320 KB with context takeover both ways and the defaults (window 15,
 * memLevel 8: compressor ~270 KB, inflater ~45 KB), about 4 KB with none,
 * about 27 KB with windows of 9 and memLevel 1.
 */
export class PerMessageDeflate implements Extension {
  /** The extension token, `permessage-deflate`. */
  readonly name = EXTENSION_NAME;
  /** RSV1 (RFC 7692 §6). */
  readonly rsvBits = RSV1;
  /** The side this extension runs on. */
  readonly role: Role;
  /** The agreed parameters (RFC 7692 §7.1). */
  readonly params: PerMessageDeflateParams;
  /** Messages under this many bytes are sent uncompressed. */
  readonly threshold: number;
  /**
   * Defined when this side compresses without context takeover: the
   * compressed form of a message then depends only on the message and this
   * key (see {@link Extension.sharedEncodingKey}).
   */
  readonly sharedEncodingKey: string | undefined;

  private readonly settings: DeflateSettings;
  private readonly sendNoContextTakeover: boolean;
  private readonly receiveNoContextTakeover: boolean;
  private readonly deflater: RawDeflater;
  private readonly inflater: RawInflater;
  // The outgoing message in progress: 0 none, 1 compressed, 2 uncompressed.
  private sending = 0;
  // Whether the incoming message in progress is compressed.
  private inflating = false;

  /** @internal Use {@link PerMessageDeflateServer} or {@link PerMessageDeflateClient}. */
  constructor(role: Role, params: PerMessageDeflateParams, options: ResolvedDeflateOptions) {
    this.role = role;
    this.params = params;
    this.threshold = options.threshold;
    const server = role === 'server';
    const windowBits = server ? params.serverMaxWindowBits : params.clientMaxWindowBits;
    this.settings = { level: options.level, memLevel: options.memLevel, windowBits };
    this.sendNoContextTakeover = server ? params.serverNoContextTakeover : params.clientNoContextTakeover;
    this.receiveNoContextTakeover = server ? params.clientNoContextTakeover : params.serverNoContextTakeover;
    this.deflater = new RawDeflater(this.settings);
    this.inflater = new RawInflater(server ? params.clientMaxWindowBits : params.serverMaxWindowBits);
    this.sharedEncodingKey = this.sendNoContextTakeover
      ? `${EXTENSION_NAME};level=${options.level};memLevel=${options.memLevel};windowBits=${windowBits};threshold=${this.threshold}`
      : undefined;
  }

  /**
   * Compresses a message, or one part of it (see {@link Extension.encodeMessage}):
   * the first part decides, by the threshold, whether the message is
   * compressed; the result carries RSV1 on the first part of a compressed
   * message.
   */
  encodeMessage(frame: ExtensionFrame): ExtensionFrame {
    if (frame.opcode >= Opcode.Close) return frame; // §6.1: control frames are never compressed.
    if (frame.opcode !== Opcode.Continuation || this.sending === 0) {
      this.sending = frame.payload.length >= this.threshold ? 1 : 2;
    }
    const compressed = this.sending === 1;
    const first = frame.opcode !== Opcode.Continuation;
    if (frame.fin) this.sending = 0;
    if (!compressed) return frame;
    const payload = this.deflater.compress(frame.payload, frame.fin);
    if (frame.fin && this.sendNoContextTakeover) this.deflater.release();
    return { ...frame, rsv1: first, payload };
  }

  /** Per-frame form of {@link PerMessageDeflate.encodeMessage}, for drivers that frame messages themselves. */
  encode(frame: ExtensionFrame): ExtensionFrame {
    return this.encodeMessage(frame);
  }

  /**
   * Compresses a whole message without touching this connection's state, for
   * sharing across connections with the same {@link PerMessageDeflate.sharedEncodingKey}.
   *
   * @throws TypeError when this side uses context takeover (the key is undefined),
   * or for a frame that is not a whole data message.
   */
  encodeShared(frame: ExtensionFrame): ExtensionFrame {
    if (this.sharedEncodingKey === undefined) {
      throw new TypeError('PerMessageDeflate.encodeShared: this side compresses with context takeover; a message cannot be shared (RFC 7692 §7.1.1)');
    }
    if (!frame.fin || (frame.opcode !== Opcode.Text && frame.opcode !== Opcode.Binary)) {
      throw new TypeError('PerMessageDeflate.encodeShared: only a whole text or binary message can be shared');
    }
    if (frame.payload.length < this.threshold) return frame;
    // A compressor of its own, fresh or reset: the result depends on nothing but the message and the key.
    const deflater = new RawDeflater(this.settings);
    const payload = deflater.compress(frame.payload, true);
    deflater.release();
    return { ...frame, rsv1: true, payload };
  }

  /**
   * Inflates a received frame of a compressed message. `maxSize` is what the
   * message may still grow by: inflating stops past it (1009).
   */
  decode(frame: ExtensionFrame, maxSize: number): ExtensionFrame {
    if (frame.opcode === Opcode.Continuation) {
      // §6.1: RSV1 is set on the first frame of a message only.
      if (frame.rsv1) throw new ProtocolError(1002, 'RSV1 set on a continuation frame (RFC 7692 §6.1)');
      if (!this.inflating) return frame;
    } else {
      this.inflating = frame.rsv1;
      if (!frame.rsv1) return frame;
    }
    const payload = this.inflater.inflate(frame.payload, maxSize, frame.fin);
    if (frame.fin) {
      this.inflating = false;
      // §7.2.2 with no context takeover: the next message starts a new stream.
      if (this.receiveNoContextTakeover) this.inflater.release();
    }
    return { ...frame, rsv1: false, payload };
  }
}

function refuse(reason: string, message: string): HandshakeError {
  return new HandshakeError(reason, message);
}

/**
 * The server side of negotiating permessage-deflate: pass it to
 * `ServerHandshake` in `extensions`. Each offer is considered in the client's
 * order of preference (RFC 7692 §5): one with an unknown, repeated or invalid
 * parameter is declined (§7), and so is one this server's options cannot
 * meet; the first acceptable one is answered.
 *
 * @example
 * ```ts
 * const handshake = new ServerHandshake({ extensions: [new PerMessageDeflateServer()] });
 * const accepted = handshake.accept(request);
 * const connection = new WebSocketConnection({ role: 'server', extensions: accepted.extensions });
 * ```
 */
export class PerMessageDeflateServer implements ServerExtensionFactory {
  /** `permessage-deflate`. */
  readonly name = EXTENSION_NAME;
  private readonly options: ResolvedDeflateOptions;

  /** @throws RangeError or TypeError for an option out of range. */
  constructor(options?: PerMessageDeflateOptions) {
    this.options = resolveDeflateOptions(options);
  }

  /** Answers one offer, or declines it (`undefined`). */
  accept(
    params: readonly ExtensionParam[],
    accepted: readonly Extension[],
  ): { params: ExtensionParam[]; extension: Extension } | undefined {
    // RSV1 can belong to one extension only.
    if (accepted.some((extension) => (extension.rsvBits & RSV1) !== 0)) return undefined;
    const offer = parseParams(params, false);
    if (isRefusal(offer)) return undefined;
    const answer = serverAnswer(this.options, offer);
    if (isRefusal(answer)) return undefined;
    return { params: answer.response, extension: new PerMessageDeflate('server', answer.params, this.options) };
  }

  /**
   * Why this server would decline an offer with `params`, or `undefined` if it
   * would accept it: for logs and tests (the handshake itself only declines).
   */
  refusalOf(params: readonly ExtensionParam[]): HandshakeError | undefined {
    const offer = parseParams(params, false);
    if (isRefusal(offer)) return refuse(offer.reason, offer.message);
    const answer = serverAnswer(this.options, offer);
    return isRefusal(answer) ? refuse(answer.reason, answer.message) : undefined;
  }
}

/**
 * The client side of negotiating permessage-deflate: pass it to
 * `ClientHandshake` in `extensions`. By default it offers
 * `permessage-deflate; client_max_window_bits`, as browsers do. A response
 * with an unknown, repeated or invalid parameter, or one that breaks a rule
 * of RFC 7692 §7.1, fails the handshake with a `HandshakeError` whose
 * `reason` names the rule (`deflate-unknown-parameter`,
 * `deflate-duplicate-parameter`, `deflate-invalid-parameter`,
 * `deflate-missing-parameter`, `deflate-unexpected-parameter`,
 * `deflate-window-too-large`).
 */
export class PerMessageDeflateClient implements ClientExtensionFactory {
  /** `permessage-deflate`. */
  readonly name = EXTENSION_NAME;
  private readonly options: ResolvedDeflateOptions;

  /** @throws RangeError or TypeError for an option out of range. */
  constructor(options?: PerMessageDeflateOptions) {
    this.options = resolveDeflateOptions(options);
  }

  /** The offer's parameters (RFC 7692 §7.1). */
  offer(): ExtensionParam[] {
    return clientOffer(this.options);
  }

  /**
   * Checks the server's response and returns the extension to run.
   *
   * @throws HandshakeError when the response breaks RFC 7692 §7 (§7: the client must fail the connection).
   */
  accept(params: readonly ExtensionParam[], accepted: readonly Extension[]): Extension {
    if (accepted.some((extension) => (extension.rsvBits & RSV1) !== 0)) {
      throw refuse('deflate-rsv-conflict', 'The server accepted permessage-deflate beside another extension using RSV1 (RFC 6455 §9.1)');
    }
    const response = parseParams(params, true);
    if (isRefusal(response)) throw refuse(response.reason, response.message);
    const agreed = clientAgreement(this.options, response);
    if (isRefusal(agreed)) throw refuse(agreed.reason, agreed.message);
    return new PerMessageDeflate('client', agreed, this.options);
  }
}
