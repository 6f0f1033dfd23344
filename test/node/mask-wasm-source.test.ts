/** The embedded WebAssembly masking kernel is exactly what its .wat source assembles to (wabt), and small. */
import { describe, expect, it } from 'vitest';
import { maskKernel } from 'wscodec';
// @ts-expect-error: a plain .mjs script without type declarations
import { assembleMaskKernel, embedding } from '../../scripts/build-wasm.mjs';
import { MASK_SIMD_WASM } from '../../src/frame/mask-simd-bytes.js';

describe('mask-simd.wat', () => {
  it('assembles to the bytes embedded in mask-simd-bytes.ts (regenerate with npm run build:wasm)', async () => {
    const assembled: Uint8Array = await assembleMaskKernel();
    expect(Array.from(MASK_SIMD_WASM)).toEqual(Array.from(assembled));
    expect(typeof embedding(assembled)).toBe('string');
  });

  it('stays far below the 4 KB browsers compile synchronously on the main thread', () => {
    expect(MASK_SIMD_WASM.length).toBeLessThan(1024);
  });

  it('declares one page of memory with the same minimum and maximum, so it can never grow', () => {
    const module = new WebAssembly.Module(MASK_SIMD_WASM);
    const memories = WebAssembly.Module.exports(module).filter((e) => e.kind === 'memory');
    expect(memories).toHaveLength(1);
    // Memory section (id 5): count 1, flags 1 (has maximum), min 1, max 1.
    const at = MASK_SIMD_WASM.findIndex((b, i) => b === 5 && MASK_SIMD_WASM[i + 1] === 4 && MASK_SIMD_WASM[i + 2] === 1);
    expect(Array.from(MASK_SIMD_WASM.subarray(at + 3, at + 6))).toEqual([1, 1, 1]);
  });

  it('is what Node uses (Node 20 has WebAssembly SIMD)', () => {
    expect(maskKernel()).toBe('wasm-simd');
  });
});
