/**
 * The handshake's own SHA-1 and accept key against node:crypto, on arbitrary
 * inputs (Node-only: the portable tests cannot use node:crypto).
 */
import { createHash } from 'node:crypto';
import { fc, runs } from '../helpers/fast-check.ts';
import { describe, expect, it } from 'vitest';
import { computeAcceptKey, sha1 } from 'wscodec';

const nodeSha1 = (data: Uint8Array) => new Uint8Array(createHash('sha1').update(data).digest());

describe('sha1 equals node:crypto', () => {
  it('on arbitrary byte strings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(sha1(data)).toEqual(nodeSha1(data));
      }),
      { numRuns: runs(500) },
    );
  });

  it('on every length around the padding boundaries (0–200 bytes)', () => {
    for (let n = 0; n <= 200; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      expect(sha1(data)).toEqual(nodeSha1(data));
    }
  });

  it('on a large input', () => {
    const data = Uint8Array.from({ length: 3_000_001 }, (_, i) => (i * 7) & 0xff);
    expect(sha1(data)).toEqual(nodeSha1(data));
  });
});

describe('computeAcceptKey equals the RFC 6455 §4.2.2 computation with node:crypto', () => {
  it('on arbitrary keys', () => {
    const key = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64'));
    fc.assert(
      fc.property(fc.oneof(key, fc.string({ unit: 'binary-ascii', maxLength: 80 })), (k) => {
        const expected = createHash('sha1').update(`${k}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`, 'latin1').digest('base64');
        expect(computeAcceptKey(k)).toBe(expected);
      }),
      { numRuns: runs(500) },
    );
  });
});
