/**
 * The simulated Autobahn|Testsuite peer of test/portable/autobahn-cases.test.ts:
 * the frames it sends, the echo endpoint under test, how the peer's bytes are
 * delivered to it in chunks, and what the peer reads back. Portable: no Node
 * API, no test framework (the verdicts are the test file's).
 *
 * The peer plays Autobahn's fuzzingclient against a codec in the server role
 * and its fuzzingserver against a codec in the client role: it sends the
 * same frames, masked (RFC 6455 §5.3) when the codec is the server and
 * unmasked when the codec is the client, and reads the codec's bytes with a
 * `FrameDecoder` of its own, opposite role, which refuses frames masked the
 * wrong way (§5.1: a client masks every frame, a server none).
 */
import {
  encodeFrame,
  FrameDecoder,
  Opcode,
  WebSocketConnection,
  type Role,
  type WebSocketConnectionOptions,
  type WebSocketEvent,
} from 'wscodec';
import { ascii, concat, rawFrame, splitAt, utf8 } from './bytes.ts';

export const EMPTY = new Uint8Array(0);
export type Payload = Uint8Array | string;
export const bytesOf = (p: Payload): Uint8Array => (typeof p === 'string' ? utf8(p) : p);
/** Autobahn's text payloads: `n` asterisks. */
export const star = (n: number) => ascii('*'.repeat(n));
/** Autobahn's binary payloads: `n` bytes 0xfe. */
export const fe = (n: number) => new Uint8Array(n).fill(0xfe);
export const closePayload = (code: number, reason: Payload = EMPTY) =>
  concat([Uint8Array.of(code >> 8, code & 255), bytesOf(reason)]);

/** The role of the peer of a codec in `role`. */
export const peerOf = (role: Role): Role => (role === 'server' ? 'client' : 'server');

/**
 * The connection limits of the echo programs (examples/echo.mjs, ECHO_LIMITS),
 * which admit Autobahn's section 9 (16 MiB messages, 65,536 fragments).
 */
export const ECHO_LIMITS: Omit<WebSocketConnectionOptions, 'role'> = {
  maxMessageSize: 16 * 1024 * 1024,
  maxFrameSize: 16 * 1024 * 1024,
  maxFragments: 65_536,
};

// ---------------------------------------------------------------------------
// What the peer sends.

/**
 * A frame the peer sends, built when a case runs: `masked` is whether the
 * peer masks (it does when it plays the client, i.e. the codec is the server).
 */
export type PeerFrame = (masked: boolean) => Uint8Array;

const frame =
  (opcode: Opcode, p: Payload, fin = true): PeerFrame =>
  (masked) =>
    encodeFrame({ opcode, payload: bytesOf(p), fin, mask: masked });

export const tx = {
  text: (p: Payload, fin = true) => frame(Opcode.Text, p, fin),
  binary: (p: Payload, fin = true) => frame(Opcode.Binary, p, fin),
  cont: (p: Payload, fin = true) => frame(Opcode.Continuation, p, fin),
  ping: (p: Payload = EMPTY) => frame(Opcode.Ping, p),
  pong: (p: Payload = EMPTY) => frame(Opcode.Pong, p),
  close: (code?: number, reason?: Payload) => frame(Opcode.Close, code === undefined ? EMPTY : closePayload(code, reason)),
  /** Reserved opcodes and bits, fragmented or oversized control frames: what encodeFrame refuses to build. */
  raw:
    (opcode: number, p: Payload = EMPTY, more: { fin?: boolean; rsv?: number } = {}): PeerFrame =>
    (masked) =>
      rawFrame({ opcode, payload: bytesOf(p), mask: masked, ...more }),
  /** A frame masked the wrong way round (§5.1): unmasked from a client, masked from a server. */
  wronglyMasked:
    (opcode: number, p: Payload = EMPTY): PeerFrame =>
    (masked) =>
      rawFrame({ opcode, payload: bytesOf(p), mask: !masked }),
};

/** Autobahn closes the connection normally at the end of a case. */
export const CLOSE = () => tx.close(1000);

/** Fragments of at most `size` bytes: a text or binary message, then continuations. */
export function fragments(opcode: typeof Opcode.Text | typeof Opcode.Binary, payload: Uint8Array, size: number): PeerFrame[] {
  const out: PeerFrame[] = [];
  for (let at = 0; at < payload.length; at += size) {
    out.push(frame(at === 0 ? opcode : Opcode.Continuation, payload.subarray(at, at + size), at + size >= payload.length));
  }
  return out;
}

// ---------------------------------------------------------------------------
// What the peer reads back, as comparable strings.

const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

/** Short payloads in hex; long ones by length and FNV-1a hash. */
export function digest(b: Uint8Array): string {
  if (b.length === 0) return '(empty)';
  if (b.length <= 48) return toHex(b);
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return `${b.length} bytes, fnv1a ${(h >>> 0).toString(16)}`;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
function showClose(payload: Uint8Array): string {
  if (payload.length === 0) return 'close (no code)';
  if (payload.length === 1) return 'close (1-byte payload)';
  try {
    strictUtf8.decode(payload.subarray(2));
  } catch {
    return `close ${(payload[0]! << 8) | payload[1]!} (invalid UTF-8 reason)`;
  }
  return `close ${(payload[0]! << 8) | payload[1]!}`;
}

export const rx = {
  text: (p: Payload) => `text ${digest(bytesOf(p))}`,
  binary: (p: Uint8Array) => `binary ${digest(p)}`,
  pong: (p: Payload = EMPTY) => `pong ${digest(bytesOf(p))}`,
  close: (code?: number) => (code === undefined ? 'close (no code)' : `close ${code}`),
};

// ---------------------------------------------------------------------------
// The echo endpoint, driven chunk by chunk as a real driver would.

export interface Run {
  /** What the peer read, in order. */
  out: string[];
  /** Index of the chunk after which the codec's Close frame went out (-1: never). */
  closeAfter: number;
  events: WebSocketEvent[];
  codec: WebSocketConnection;
}

/**
 * A codec in `role`, wired as the echo programs wire it (examples/echo.mjs):
 * after each received chunk it echoes text and binary messages as the same
 * type, then writes `dataToSend()` (pongs, Close replies and failure Close
 * frames are the codec's own). The peer decodes every byte it writes.
 */
export function runEcho(
  role: Role,
  chunks: readonly Uint8Array[],
  options: Omit<WebSocketConnectionOptions, 'role'> = ECHO_LIMITS,
): Run {
  const codec = new WebSocketConnection({ ...options, role });
  // Refuses RSV bits, and frames masked the wrong way: a server's masked, a client's unmasked.
  const peer = new FrameDecoder({ role: peerOf(role) });
  const run: Run = { out: [], closeAfter: -1, events: [], codec };
  let message: { opcode: Opcode; parts: Uint8Array[] } | undefined;
  chunks.forEach((chunk, index) => {
    const events = codec.receive(chunk);
    run.events.push(...events);
    for (const e of events) {
      if (e.type === 'text') codec.sendText(e.data);
      else if (e.type === 'binary') codec.sendBinary(e.data);
    }
    for (const bytes of codec.dataToSend()) {
      for (const item of peer.push(bytes.slice())) {
        if (item.type === 'error') {
          run.out.push(`invalid frame from the ${role}: ${item.message}`);
        } else if (item.opcode === Opcode.Close) {
          if (run.closeAfter === -1) run.closeAfter = index;
          run.out.push(showClose(item.payload));
        } else if (item.opcode === Opcode.Ping || item.opcode === Opcode.Pong) {
          run.out.push(`${item.opcode === Opcode.Ping ? 'ping' : 'pong'} ${digest(item.payload)}`);
        } else {
          if ((item.opcode === Opcode.Continuation) !== (message !== undefined)) run.out.push('bad fragment order');
          message ??= { opcode: item.opcode, parts: [] };
          message.parts.push(item.payload.slice());
          if (item.fin) {
            run.out.push(`${message.opcode === Opcode.Text ? 'text' : 'binary'} ${digest(concat(message.parts))}`);
            message = undefined;
          }
        }
      }
    }
  });
  return run;
}

// ---------------------------------------------------------------------------
// Deliveries: how the peer's bytes are cut into the chunks the codec reads.

export interface Delivery {
  name: string;
  /** The chunks, as copies (the codec unmasks its input in place). */
  split(frames: readonly Uint8Array[]): Uint8Array[];
}

export const ALL_AT_ONCE: Delivery = { name: 'all at once', split: (frames) => [concat(frames)] };
export const FRAME_BY_FRAME: Delivery = { name: 'frame by frame', split: (frames) => frames.map((f) => f.slice()) };
export const chops = (size: number): Delivery => ({
  name: `${size}-byte chops`,
  split: (frames) => {
    const wire = concat(frames);
    return Array.from({ length: Math.ceil(wire.length / size) }, (_, i) => wire.slice(i * size, (i + 1) * size));
  },
});
export const OCTETWISE = chops(1);
/** Chunks cut at wire offsets computed from the frames (whose headers differ with masking). */
export const cutAt = (name: string, cuts: (frames: readonly Uint8Array[]) => number[]): Delivery => ({
  name,
  split: (frames) => splitAt(concat(frames), cuts(frames)),
});

/** Wire offset of the first byte of frame `frameIndex`. */
export function frameStart(frames: readonly Uint8Array[], frameIndex: number): number {
  let offset = 0;
  for (let i = 0; i < frameIndex; i++) offset += frames[i]!.length;
  return offset;
}

/** Wire offset of byte `payloadIndex` of the payload (of `payloadLength` bytes) of frame `frameIndex`. */
export const wireOffset = (frames: readonly Uint8Array[], frameIndex: number, payloadIndex: number, payloadLength: number) =>
  frameStart(frames, frameIndex + 1) - payloadLength + payloadIndex;

/** Index of the chunk that holds wire offset `offset` (-1: none). */
export function chunkHolding(chunks: readonly Uint8Array[], offset: number): number {
  let end = 0;
  for (let i = 0; i < chunks.length; i++) {
    end += chunks[i]!.length;
    if (offset < end) return i;
  }
  return -1;
}
