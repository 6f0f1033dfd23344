/**
 * SHA-1 against the test vectors of RFC 3174 §7.3, and the accept key against
 * the example of RFC 6455 §1.3.
 */
import { describe, expect, it } from 'vitest';
import { computeAcceptKey, generateKey, isValidKey, sha1, WEBSOCKET_GUID } from 'wscodec';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();

describe('sha1 (RFC 3174 §7.3 test vectors)', () => {
  it('TEST1: "abc"', () => {
    expect(hex(sha1(ascii('abc')))).toBe('A9993E364706816ABA3E25717850C26C9CD0D89D');
  });
  it('TEST2: the 56-byte message (padding spills into a second block)', () => {
    const message = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';
    expect(hex(sha1(ascii(message)))).toBe('84983E441C3BD26EBAAE4AA1F95129E5E54670F1');
  });
  it('TEST3: one million "a"', () => {
    expect(hex(sha1(new Uint8Array(1_000_000).fill(0x61)))).toBe('34AA973CD4C4DAA4F61EEB2BDBAD27316534016F');
  });
  it('TEST4: "01234567" × 80 (640 bytes, block-aligned)', () => {
    expect(hex(sha1(ascii('01234567'.repeat(80))))).toBe('DEA356A2CDDD90C7A7ECEDC5EBB563934F460452');
  });
  it('the empty message (FIPS 180 example digest)', () => {
    expect(hex(sha1(new Uint8Array(0)))).toBe('DA39A3EE5E6B4B0D3255BFEF95601890AFD80709');
  });
});

describe('computeAcceptKey (RFC 6455 §1.3, §4.2.2)', () => {
  it('matches the RFC example', () => {
    expect(computeAcceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });
  it('uses the GUID of §1.3', () => {
    expect(WEBSOCKET_GUID).toBe('258EAFA5-E914-47DA-95CA-C5AB0DC85B11');
  });
  it('refuses characters that cannot come from a header', () => {
    expect(() => computeAcceptKey('\u20ac')).toThrow(TypeError);
  });
});

describe('generateKey (RFC 6455 §4.1 item 7)', () => {
  it('returns 16 random bytes in base64, fresh each time', () => {
    const keys = new Set(Array.from({ length: 50 }, generateKey));
    expect(keys.size).toBe(50);
    for (const key of keys) {
      expect(key).toHaveLength(24);
      expect(isValidKey(key)).toBe(true);
    }
  });
  it('isValidKey refuses keys that do not decode to exactly 16 bytes', () => {
    expect(isValidKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe(true);
    expect(isValidKey('dGhlIHNhbXBsZSBub25jZQ=')).toBe(false);
    expect(isValidKey('dGhlIHNhbXBsZSBub25jZSE=')).toBe(false); // 17 bytes
    expect(isValidKey('dGhlIHNhbXBsZSBub25j')).toBe(false); // 15 bytes
    expect(isValidKey('dGhlIHNhbXBsZSBub25jZ!==')).toBe(false);
    expect(isValidKey('')).toBe(false);
  });
});
