/**
 * {@link PreparedMessage}: one message encoded once and sent on many
 * connections (a broadcast) through {@link WebSocketConnection.sendPrepared}.
 *
 * @module
 */
import { Opcode } from '../constants.js';
import type { Extension, ExtensionFrame } from '../extensions/extension.js';
import { checkFrame } from '../frame/encode.js';
import { pushFrame } from './framing.js';
import { encodeUtf8 } from './utf8.js';

/**
 * A whole data message prepared once to be sent on many connections with
 * {@link WebSocketConnection.sendPrepared} — the chat room's broadcast —
 * while each connection still checks its own state and message ordering.
 *
 * What is computed once and cached in the message (a few entries: one per
 * distinct wire form among the connections it is sent on):
 * - text is encoded to UTF-8 once, when the message is made;
 * - the extensions' encoding (e.g. compression) once per distinct shared
 *   encoding key ({@link Extension.sharedEncodingKey}): connections whose
 *   extensions encode a message independently of their history (for
 *   permessage-deflate: no context takeover on the sending side) share it;
 * - for servers, which send unmasked frames (RFC 6455 §5.1), the finished
 *   frames once per encoding and `fragmentSize`: every server connection
 *   then queues the same bytes.
 *
 * What is done per connection and send:
 * - a client masks every frame with a fresh masking key (RFC 6455 §5.3
 *   requires an unpredictable key per frame), so it copies and masks the
 *   cached payload each time;
 * - when an extension's encoding depends on the connection's history
 *   (permessage-deflate with context takeover), nothing can be shared: the
 *   message is sent through the connection's ordinary path, as
 *   `sendText`/`sendBinary` would send it (the UTF-8 is still reused).
 *
 * The message keeps `data` as given, without a copy: do not modify it while
 * the message is in use or its frames are waiting to be written.
 *
 * @example
 * ```ts
 * const message = new PreparedMessage(`${name}: ${text}`);
 * for (const member of room) {
 *   member.conn.sendPrepared(message);
 *   for (const bytes of member.conn.dataToSend()) member.socket.write(bytes);
 * }
 * ```
 */
export class PreparedMessage {
  /** `'text'` for a string, `'binary'` for bytes: the message's opcode (RFC 6455 §5.6). */
  readonly type: 'text' | 'binary';
  /** The message's payload: the UTF-8 of a text message, or the bytes given. */
  readonly payload: Uint8Array;

  // Shared encoding key of the extensions ('' for none) → the encoded message.
  private readonly encodings = new Map<string, ExtensionFrame>();
  // Encoding key and fragment size → a server's finished frames, as queued chunks.
  private readonly serverFrames = new Map<string, Uint8Array[]>();

  /**
   * @param data - a string for a text message, a Uint8Array for a binary one.
   * @throws TypeError if `data` is neither.
   */
  constructor(data: string | Uint8Array) {
    if (typeof data === 'string') {
      this.type = 'text';
      this.payload = encodeUtf8(data);
    } else if (data instanceof Uint8Array) {
      this.type = 'binary';
      this.payload = data;
    } else {
      throw new TypeError('PreparedMessage: data must be a string (text message) or a Uint8Array (binary message)');
    }
  }

  /**
   * This message's frames for one connection, as chunks to queue in order,
   * or `undefined` when the extensions' encoding cannot be shared (the
   * connection then sends the payload through its ordinary path). Server
   * frames come from the cache: the caller must not modify the array or
   * its chunks. Called by the connection after its state and ordering checks.
   *
   * @internal
   */
  framesFor(mask: boolean, extensions: readonly Extension[], fragmentSize: number): readonly Uint8Array[] | undefined {
    const key = sharedEncodingKey(extensions);
    if (key === undefined) return undefined;
    // §5.3: a client masks every frame with a fresh key, so only the payload is shared.
    if (mask) return frameMessage(this.encoded(key, extensions), true, fragmentSize);
    const frameKey = `${key}\0${fragmentSize}`;
    let frames = this.serverFrames.get(frameKey);
    if (frames === undefined) {
      frames = frameMessage(this.encoded(key, extensions), false, fragmentSize);
      this.serverFrames.set(frameKey, frames);
    }
    return frames;
  }

  /** The message as the extensions encode it (§9.1: in the order negotiated), cached under their shared key. */
  private encoded(key: string, extensions: readonly Extension[]): ExtensionFrame {
    let frame = this.encodings.get(key);
    if (frame === undefined) {
      const opcode = this.type === 'text' ? Opcode.Text : Opcode.Binary;
      frame = { opcode, fin: true, rsv1: false, rsv2: false, rsv3: false, payload: this.payload };
      for (const extension of extensions) frame = extension.encodeShared!(frame);
      this.encodings.set(key, frame);
    }
    return frame;
  }
}

/**
 * The key under which a message encoded by these extensions may be shared
 * between connections: `''` without extensions, `undefined` when one of them
 * encodes depending on the connection's history.
 */
function sharedEncodingKey(extensions: readonly Extension[]): string | undefined {
  let key = '';
  for (const extension of extensions) {
    if (extension.sharedEncodingKey === undefined || extension.encodeShared === undefined) return undefined;
    key += `${extension.name}\0${extension.sharedEncodingKey}\0`;
  }
  return key;
}

/**
 * An encoded message as frames of at most `fragmentSize` payload bytes
 * (RFC 6455 §5.4): the first with its opcode and the extensions' RSV bits,
 * the rest continuation frames with none (RFC 7692 §6.1).
 */
function frameMessage(message: ExtensionFrame, mask: boolean, fragmentSize: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const payload = message.payload;
  let offset = 0;
  do {
    const end = Math.min(offset + fragmentSize, payload.length);
    const first = offset === 0;
    const fin = end === payload.length;
    const opcode = first ? message.opcode : Opcode.Continuation;
    checkFrame(opcode, fin, end - offset);
    const part = first && fin ? payload : payload.subarray(offset, end);
    pushFrame(out, opcode, part, fin, first && message.rsv1, first && message.rsv2, first && message.rsv3, mask);
    offset = end;
  } while (offset < payload.length);
  return out;
}
