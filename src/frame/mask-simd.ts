/**
 * The WebAssembly SIMD masking kernel (RFC 6455 §5.3) and the choice between
 * it and the JavaScript word loop of mask.ts.
 *
 * The module (mask-simd.wat, a few hundred bytes, embedded in mask-simd-bytes.ts)
 * is compiled and instantiated synchronously on first use, far below the
 * 4 KB browsers allow for synchronous compilation on the main thread. Its
 * memory is one fixed 64 KiB page, allocated once and never grown (growing
 * detaches the old ArrayBuffer, and in V8 one detached buffer slows every
 * typed-array loop in the process for good); long payloads go through it in
 * 64 KiB slices. Where WebAssembly or its SIMD proposal is missing, or a
 * Content-Security-Policy forbids compiling WebAssembly (the constructor
 * throws), the JavaScript word loop is used instead, silently.
 *
 * @module
 */
import { MASK_SIMD_WASM } from './mask-simd-bytes.js';

/**
 * Which code masks long payloads: `'wasm-simd'`, the WebAssembly kernel
 * (128 bits at a time), or `'js'`, the JavaScript loop (32 bits at a time).
 */
export type MaskKernel = 'wasm-simd' | 'js';

/** Bytes per slice (measured: 16 KiB slices stay in L1 and beat 4-64 KiB ones). */
export const SLICE = 16384;

/**
 * The instantiated kernel: its memory as bytes, and the function XORing its
 * first `length` bytes, which returns 1 if all the results are ASCII.
 */
export interface SimdKernel {
  readonly memory: Uint8Array;
  readonly mask: (length: number, key: number) => number;
}

// The parts of the WebAssembly JS API used here (not every runtime has them).
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

let loaded: SimdKernel | null | undefined; // undefined: not tried yet; null: unavailable
let forceJs = false;

function load(): SimdKernel | null {
  try {
    const wasm = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (wasm === undefined) return null;
    const { exports } = new wasm.Instance(new wasm.Module(MASK_SIMD_WASM));
    const memory = exports['memory'] as { buffer: ArrayBuffer };
    const mask = exports['mask'] as (length: number, key: number) => number;
    return { memory: new Uint8Array(memory.buffer), mask };
  } catch {
    // No SIMD, or compiling WebAssembly is forbidden (CSP): the JS loop serves.
    return null;
  }
}

/** The kernel to use, or `null` for the JavaScript loop. Internal. */
export function simdKernel(): SimdKernel | null {
  if (forceJs) return null;
  if (loaded === undefined) loaded = load();
  return loaded;
}

/**
 * Which code masks and unmasks long payloads in this runtime: the
 * WebAssembly SIMD kernel when WebAssembly with SIMD is available and allowed,
 * else the JavaScript loop. Both give the same bytes (RFC 6455 §5.3). The
 * first call compiles the kernel (synchronously, a few hundred bytes).
 */
export function maskKernel(): MaskKernel {
  return simdKernel() === null ? 'js' : 'wasm-simd';
}

/**
 * Chooses the masking code: `'auto'` (the default) uses the WebAssembly SIMD
 * kernel where available, `'js'` always uses the JavaScript loop (for tests
 * of the fallback, or to keep WebAssembly out of a process). Returns the
 * kernel now in use, as {@link maskKernel} does.
 *
 * @throws TypeError for any other value.
 */
export function useMaskKernel(choice: 'auto' | 'js'): MaskKernel {
  if (choice !== 'auto' && choice !== 'js') {
    throw new TypeError(`useMaskKernel: choice must be 'auto' or 'js', got ${String(choice)}`);
  }
  forceJs = choice === 'js';
  return maskKernel();
}

/**
 * Writes `src[from..to)` XORed with `key` (key cycle starting at position
 * `offset`) into `dst` from `at`, through the kernel's memory, a slice at a
 * time. `src` and `dst` may be the same bytes (in place). Returns whether
 * every byte written is ASCII. Internal.
 */
export function maskThroughKernel(kernel: SimdKernel, src: Uint8Array, from: number, to: number, dst: Uint8Array, at: number, key: Uint8Array, offset: number): boolean {
  const memory = kernel.memory;
  let ascii = 1;
  while (from < to) {
    const n = Math.min(SLICE, to - from);
    // The key as the little-endian word WebAssembly loads, rotated so that
    // its first byte lines up with src[from] (slices start at memory 0).
    const k = offset & 3;
    const word = key[k]! | (key[(k + 1) & 3]! << 8) | (key[(k + 2) & 3]! << 16) | (key[(k + 3) & 3]! << 24);
    memory.set(from === 0 && n === src.length ? src : src.subarray(from, from + n));
    ascii &= kernel.mask(n, word);
    dst.set(memory.subarray(0, n), at);
    from += n;
    at += n;
    offset += n;
  }
  return ascii === 1;
}
