/**
 * Payload masking (RFC 6455 §5.3): octet i of the payload is XORed with octet
 * (i mod 4) of the 4-byte masking key. Masking and unmasking are the same
 * operation.
 *
 * Short payloads take a byte loop, middle ones a 32-bit word loop, and long
 * ones the WebAssembly SIMD kernel of mask-simd.ts where it is available
 * (the word loop where it is not). The thresholds are measured in Node 20
 * (bench/mask.bench.mjs).
 *
 * @module
 */
import { maskThroughKernel, simdKernel, type maskKernel } from './mask-simd.js';

// Scratch space to read the (rotated) key as one 32-bit word in the
// platform's byte order, the same order a Uint32Array over the data uses.
const keyBytes = new Uint8Array(4);
const keyWord = new Uint32Array(keyBytes.buffer);

/** Below this length the byte loop beats setting up the word loop. Internal. */
export const WORD_THRESHOLD = 32;
/** From this length on, unmasking in place goes through the SIMD kernel (copy in, XOR, copy out). Internal. */
export const KERNEL_THRESHOLD = 256;
/** From this length on, a masked copy goes through the SIMD kernel (the copy is needed anyway). Internal. */
export const KERNEL_COPY_THRESHOLD = 128;

/**
 * XORs `data` in place with the masking key `key` (RFC 6455 §5.3), starting at
 * position `offset` of the key cycle, and returns `data`.
 *
 * `offset` lets a payload that arrives in pieces be unmasked piece by piece:
 * for the piece that starts at payload position `p`, pass `offset = p`
 * (any non-negative integer; only `offset % 4` matters). The result equals the
 * byte-wise definition `data[i] ^= key[(offset + i) % 4]`.
 *
 * Long data (256 bytes and more) goes through the WebAssembly SIMD kernel
 * where it is available (see {@link maskKernel}); otherwise the aligned middle
 * of the data is processed a 32-bit word at a time.
 *
 * @param data - bytes to mask or unmask, modified in place.
 * @param key - the 4-byte masking key.
 * @param offset - position in the key cycle of `data[0]` (default 0).
 * @throws TypeError if `key` is not 4 bytes long.
 */
export function applyMask(data: Uint8Array, key: Uint8Array, offset = 0): Uint8Array {
  if (key.length !== 4) {
    throw new TypeError(`applyMask: the masking key must be 4 bytes (RFC 6455 §5.3), got ${key.length}`);
  }
  if (data.length >= KERNEL_THRESHOLD) {
    const kernel = simdKernel();
    if (kernel !== null) {
      maskThroughKernel(kernel, data, 0, data.length, data, 0, key, offset);
      return data;
    }
  }
  return maskWords(data, key, offset);
}

/** The JavaScript loop: bytes for short data, else 32-bit words over the aligned middle. */
function maskWords(data: Uint8Array, key: Uint8Array, offset: number): Uint8Array {
  const length = data.length;
  let k = offset & 3;
  if (length < WORD_THRESHOLD) {
    for (let i = 0; i < length; i++) {
      data[i] ^= key[(k + i) & 3]!;
    }
    return data;
  }

  // Head: bytes until the data is 4-byte aligned in its buffer.
  const head = (4 - (data.byteOffset & 3)) & 3;
  let i = 0;
  for (; i < head; i++) {
    data[i] ^= key[(k + i) & 3]!;
  }
  // The key as a word, rotated so that its first byte lines up with data[head].
  k = (k + head) & 3;
  keyBytes[0] = key[k]!;
  keyBytes[1] = key[(k + 1) & 3]!;
  keyBytes[2] = key[(k + 2) & 3]!;
  keyBytes[3] = key[(k + 3) & 3]!;
  const word = keyWord[0]!;

  const words = (length - head) >>> 2;
  const view = new Uint32Array(data.buffer, data.byteOffset + head, words);
  for (let w = 0; w < words; w++) {
    view[w] ^= word;
  }
  // Tail: the remaining 0–3 bytes continue the same key cycle.
  for (i = head + words * 4; i < length; i++) {
    data[i] ^= keyBytes[(i - head) & 3]!;
  }
  return data;
}

/**
 * Writes `src[from..to)` masked with `key` into `dst` from `at`, key cycle
 * starting at `offset`: one pass where it can be, for the places that copy a
 * payload anyway (a client's frame, a message assembled from pieces). `src`
 * is never modified (unless it is `dst`). Returns `true` when it knows that
 * every byte written is ASCII (the SIMD kernel tells), `false` when it does
 * not know. Internal: not exported by the frame layer.
 */
export function maskCopy(
  src: Uint8Array,
  from: number,
  to: number,
  dst: Uint8Array,
  at: number,
  key: Uint8Array,
  offset: number,
): boolean {
  const length = to - from;
  if (length < WORD_THRESHOLD) {
    for (let i = 0; i < length; i++) dst[at + i] = src[from + i]! ^ key[(offset + i) & 3]!;
    return false;
  }
  const kernel = length >= KERNEL_COPY_THRESHOLD ? simdKernel() : null;
  if (kernel !== null) return maskThroughKernel(kernel, src, from, to, dst, at, key, offset);
  dst.set(from === 0 && to === src.length ? src : src.subarray(from, to), at);
  maskWords(dst.subarray(at, at + length), key, offset);
  return false;
}

/**
 * Masks `buffer` in place from index `start` to its end with `key`, key cycle
 * starting at `start` (RFC 6455 §5.3). The encoders use it on a frame whose
 * payload follows the header: short payloads take a byte loop without
 * creating a view, longer ones go through {@link applyMask}'s word loop.
 * Internal: not exported by the frame layer.
 */
export function maskFrom(buffer: Uint8Array, start: number, key: Uint8Array): void {
  if (buffer.length - start >= WORD_THRESHOLD) {
    applyMask(buffer.subarray(start), key);
    return;
  }
  for (let i = start; i < buffer.length; i++) buffer[i] ^= key[(i - start) & 3]!;
}
