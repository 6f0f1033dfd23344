/** applyMask against the byte-wise definition of RFC 6455 §5.3. */
import { fc } from '../helpers/fast-check.ts';
import { describe, expect, it } from 'vitest';
import { applyMask } from 'wscodec';

const reference = (data: Uint8Array, key: Uint8Array, offset: number) =>
  data.map((b, i) => b ^ key[(offset + i) % 4]!);

describe('applyMask', () => {
  it('equals data[i] ^= key[(offset + i) % 4] at every offset, length and alignment', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600, size: 'max' }),
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
          expect(data).toEqual(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('applied twice is the identity; pieces with running offsets equal the whole', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300, size: 'max' }), fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.nat({ max: 300 }), (bytes, key, cut) => {
        const data = bytes.slice();
        applyMask(applyMask(data, key), key);
        expect(data).toEqual(bytes);
        const at = Math.min(cut, bytes.length);
        const pieces = bytes.slice();
        applyMask(pieces.subarray(0, at), key, 0);
        applyMask(pieces.subarray(at), key, at);
        expect(pieces).toEqual(applyMask(bytes.slice(), key));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a key that is not 4 bytes', () => {
    expect(() => applyMask(new Uint8Array(8), new Uint8Array(3))).toThrow(TypeError);
  });
});
