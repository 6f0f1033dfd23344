/** applyMask and the frame encoder against the byte-wise definition of RFC 6455 §5.3, with each masking kernel. */
import { fc, runs } from '../helpers/fast-check.ts';
import { describe, expect, it } from 'vitest';
import { applyMask, encodeFrame, FrameDecoder, maskKernel, Opcode, useMaskKernel } from 'wscodec';
import { firstDifference } from '../helpers/bytes.ts';

const reference = (data: Uint8Array, key: Uint8Array, offset: number) => {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! ^ key[(offset + i) % 4]!;
  return out;
};

// Lengths around the loops' thresholds and the SIMD kernel's 64 KiB slices.
const EDGE_LENGTHS = [0, 1, 31, 32, 33, 127, 128, 129, 255, 256, 257, 1023, 1024, 1025, 65535, 65536, 65537, 131072 + 13];

// Which code the runtime masks long payloads with (printed, so every runtime's log shows the path it took).
const available = useMaskKernel('auto');
console.log(`masking kernel in this runtime: ${available}`);

describe('the kernel chosen (maskKernel: the SIMD kernel whenever WebAssembly with SIMD is available and allowed)', () => {
  it('is the WebAssembly kernel exactly when this runtime validates a module that uses SIMD (no CSP forbids it in the test pages)', () => {
    // The smallest module with a v128 instruction: (func (result v128) v128.const i32x4 0 0 0 0).
    const simdModule = Uint8Array.of(
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b],
      ...[0x03, 0x02, 0x01, 0x00],
      ...[0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x0b],
    );
    const wasm = (globalThis as { WebAssembly?: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
    const simd = wasm !== undefined && wasm.validate(simdModule);
    expect(useMaskKernel('auto')).toBe(simd ? 'wasm-simd' : 'js');
    expect(maskKernel()).toBe(available);
  });
});

for (const kernel of ['auto', 'js'] as const) {
  describe(`applyMask (kernel: ${kernel})`, () => {
    it(`uses the ${kernel === 'js' ? 'JavaScript loop' : 'best kernel available'}`, () => {
      expect(useMaskKernel(kernel)).toBe(kernel === 'js' ? 'js' : available);
      expect(maskKernel()).toBe(kernel === 'js' ? 'js' : available);
    });

    it('equals data[i] ^= key[(offset + i) % 4] at every offset, length and alignment', () => {
      useMaskKernel(kernel);
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 2000, size: 'max' }),
          fc.uint8Array({ minLength: 4, maxLength: 4 }),
          fc.nat({ max: 1000 }),
          fc.nat({ max: 7 }),
          (bytes, key, offset, shift) => {
            // Place the data at an arbitrary byte offset in its buffer to exercise every alignment.
            const backing = new Uint8Array(bytes.length + shift);
            const data = backing.subarray(shift);
            data.set(bytes);
            const expected = reference(bytes, key, offset);
            expect(applyMask(data, key, offset)).toBe(data);
            expect(firstDifference(data, expected)).toBe(-1);
          },
        ),
        { numRuns: runs(500) },
      );
    });

    it('equals the definition at the thresholds and slice boundaries, leaving the bytes around untouched', () => {
      useMaskKernel(kernel);
      const key = Uint8Array.of(0x9d, 0x01, 0xe7, 0x42);
      for (const length of EDGE_LENGTHS) {
        for (const shift of [0, 1, 3]) {
          for (const offset of [0, 1, 2, 3]) {
            const backing = new Uint8Array(length + shift + 2).map((_, i) => (i * 167 + 11) & 0xff);
            const before = backing.slice();
            const data = backing.subarray(shift, shift + length);
            const expected = reference(data.slice(), key, offset);
            applyMask(data, key, offset);
            expect(firstDifference(data, expected)).toBe(-1);
            expect(firstDifference(backing.subarray(0, shift), before.subarray(0, shift))).toBe(-1);
            expect(firstDifference(backing.subarray(shift + length), before.subarray(shift + length))).toBe(-1);
          }
        }
      }
    });

    it('every length 0–70 and 120–136 (the word and kernel thresholds), at every byteOffset 0–7 and key offset 0–3, as applyMask and as a masked frame', () => {
      useMaskKernel(kernel);
      const key = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
      const lengths = [...Array.from({ length: 71 }, (_, i) => i), ...Array.from({ length: 17 }, (_, i) => 120 + i)];
      for (const length of lengths) {
        for (let shift = 0; shift < 8; shift++) {
          const backing = new Uint8Array(length + shift).map((_, i) => (i * 151 + 7) & 0xff);
          const payload = backing.subarray(shift);
          const bytes = payload.slice();
          // encodeFrame copies and masks in one pass, from a payload at any byteOffset into the frame after its header.
          const frame = encodeFrame({ opcode: Opcode.Binary, payload, mask: key });
          expect({ length, shift, at: firstDifference(frame.subarray(frame.length - length), reference(bytes, key, 0)) }).toEqual({ length, shift, at: -1 });
          for (let offset = 0; offset < 4; offset++) {
            const data = backing.slice().subarray(shift);
            applyMask(data, key, offset);
            expect({ length, shift, offset, at: firstDifference(data, reference(bytes, key, offset)) }).toEqual({ length, shift, offset, at: -1 });
          }
        }
      }
    });

    it('applied twice is the identity; pieces with running offsets equal the whole', () => {
      useMaskKernel(kernel);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 3000, size: 'max' }), fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.nat({ max: 3000 }), (bytes, key, cut) => {
          const data = bytes.slice();
          applyMask(applyMask(data, key), key);
          expect(firstDifference(data, bytes)).toBe(-1);
          const at = Math.min(cut, bytes.length);
          const pieces = bytes.slice();
          applyMask(pieces.subarray(0, at), key, 0);
          applyMask(pieces.subarray(at), key, at);
          expect(firstDifference(pieces, applyMask(bytes.slice(), key))).toBe(-1);
        }),
        { numRuns: runs(200) },
      );
    });

    it('a masked frame carries the definition, the caller\'s payload stays unmodified, and it decodes back', () => {
      useMaskKernel(kernel);
      const key = Uint8Array.of(1, 0x80, 0xff, 0x3c);
      for (const length of EDGE_LENGTHS) {
        const payload = new Uint8Array(length).map((_, i) => (i * 29) & 0xff);
        const copy = payload.slice();
        const frame = encodeFrame({ opcode: Opcode.Binary, payload, mask: key });
        expect(firstDifference(payload, copy)).toBe(-1);
        expect(firstDifference(frame.subarray(frame.length - length), reference(payload, key, 0))).toBe(-1);
        // Re-chunked at 1000 bytes, the payload spans chunks and is unmasked while it is copied.
        const decoder = new FrameDecoder({ role: 'server' });
        const out = [];
        for (let at = 0; at < frame.length; at += 1000) out.push(...decoder.push(frame.slice(at, at + 1000)));
        if (frame.length === 0) out.push(...decoder.push(frame));
        expect(out).toHaveLength(1);
        expect(out[0]!.type).toBe('frame');
        if (out[0]!.type === 'frame') expect(firstDifference(out[0]!.payload, payload)).toBe(-1);
      }
    });
  });
}

describe('applyMask arguments', () => {
  it('refuses a key that is not 4 bytes', () => {
    expect(() => applyMask(new Uint8Array(8), new Uint8Array(3))).toThrow(TypeError);
    expect(() => applyMask(new Uint8Array(8), new Uint8Array(3))).toThrow(/4 bytes \(RFC 6455 §5\.3\), got 3/);
  });

  it('useMaskKernel refuses anything but auto and js', () => {
    expect(() => useMaskKernel('wasm' as 'auto')).toThrow(TypeError);
    expect(() => useMaskKernel('wasm' as 'auto')).toThrow(/'auto' or 'js', got wasm/);
    expect(useMaskKernel('auto')).toBe(available);
  });
});
