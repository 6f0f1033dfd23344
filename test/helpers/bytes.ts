/**
 * Byte helpers shared by the tests. Portable: no Node API, so test/portable
 * files may import it (the runtime harness bundles or maps it like any
 * relative import).
 */

/** Bytes from hex digits; whitespace is ignored (`'81 05 48'`). */
export const hex = (s: string): Uint8Array =>
  Uint8Array.from(s.replace(/\s+/g, '').match(/../g) ?? [], (b) => parseInt(b, 16));

/** Bytes of a string whose characters are all below U+0100 (one byte each). */
export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** UTF-8 bytes of a string. */
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

const strictDecoder = new TextDecoder('utf-8', { fatal: true });
/** Whether the bytes are valid UTF-8 (the WHATWG decoder's verdict, RFC 3629). */
export const isValidUtf8 = (bytes: Uint8Array): boolean => {
  try {
    strictDecoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
};

/** The parts joined into one new array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Splits bytes at the given cut points (any non-negative numbers, taken
 * modulo length + 1, duplicates ignored) into copies, so that a test's chunks
 * never share memory with each other or with `bytes`.
 */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    out.push(bytes.slice(start, point));
    start = point;
  }
  return out;
}

/** Options of {@link rawFrame}. */
export interface RawFrame {
  /** Any 4-bit value, reserved ones included. */
  opcode: number;
  payload?: Uint8Array;
  /** Default true. */
  fin?: boolean;
  /** RSV bits as a 3-bit number (4 = RSV1, 2 = RSV2, 1 = RSV3). Default 0. */
  rsv?: number;
  /** `true` for a fixed test key, a 4-byte key, or `false` for none. Default false. */
  mask?: boolean | Uint8Array;
  /** Declared payload length, when it should differ from the payload's. */
  length?: number;
}

const TEST_KEY = Uint8Array.of(0x12, 0x34, 0x56, 0x78);

/**
 * A frame built byte by byte after RFC 6455 §5.2, so that tests can send what
 * `encodeFrame` refuses to build (reserved opcodes and bits, oversized or
 * fragmented control frames, lying lengths).
 */
export function rawFrame(frame: RawFrame): Uint8Array {
  const payload = frame.payload ?? new Uint8Array(0);
  const length = frame.length ?? payload.length;
  const key = frame.mask === true ? TEST_KEY : frame.mask instanceof Uint8Array ? frame.mask : undefined;
  const maskBit = key === undefined ? 0 : 0x80;
  const header: number[] = [((frame.fin ?? true) ? 0x80 : 0) | ((frame.rsv ?? 0) << 4) | frame.opcode];
  if (length < 126) header.push(maskBit | length);
  else if (length < 65536) header.push(maskBit | 126, length >> 8, length & 255);
  else {
    const hi = Math.floor(length / 2 ** 32);
    const lo = length >>> 0;
    header.push(maskBit | 127, hi >>> 24, (hi >> 16) & 255, (hi >> 8) & 255, hi & 255);
    header.push(lo >>> 24, (lo >> 16) & 255, (lo >> 8) & 255, lo & 255);
  }
  if (key !== undefined) header.push(...key);
  const body = key === undefined ? payload : payload.map((b, i) => b ^ key[i % 4]!);
  return concat([Uint8Array.from(header), body]);
}

/** Index of the first byte where `a` and `b` differ, -1 if equal (fast on long arrays, unlike deep equality). */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
