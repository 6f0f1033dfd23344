/**
 * SHA-1 (FIPS 180-4, RFC 3174), synchronous and dependency-free.
 *
 * The opening handshake needs SHA-1 for `Sec-WebSocket-Accept` (RFC 6455
 * §4.2.2). WebCrypto's `crypto.subtle.digest` is asynchronous, which would
 * force every handshake step to be async; this small implementation keeps the
 * handshake synchronous in every runtime. SHA-1 is used here only as the RFC's
 * fixed key-derivation step, not for security.
 *
 * @module
 */

/**
 * Computes the 20-byte SHA-1 digest of `data` (RFC 3174 §6). Inputs up to
 * 2^53 − 1 bytes are supported; the handshake hashes about 60.
 */
export function sha1(data: Uint8Array): Uint8Array {
  const length = data.length;
  // Padding (RFC 3174 §4): a 1 bit, zeros, then the 64-bit big-endian bit length,
  // so that the total is a multiple of 64 bytes.
  const blockCount = Math.floor((length + 8) / 64) + 1;
  const padded = new Uint8Array(blockCount * 64);
  padded.set(data);
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  const bitLength = length * 8;
  view.setUint32(padded.length - 8, Math.floor(bitLength / 0x1_0000_0000));
  view.setUint32(padded.length - 4, bitLength >>> 0);

  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;
  const w = schedule;

  for (let block = 0; block < padded.length; block += 64) {
    // Message schedule (RFC 3174 §6.1 steps a, b).
    for (let t = 0, i = block; t < 16; t++, i += 4) {
      w[t] = (padded[i]! << 24) | (padded[i + 1]! << 16) | (padded[i + 2]! << 8) | padded[i + 3]!;
    }
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    // 80 rounds in four groups of 20, each with its own function f and constant K (§5, §6.1 d).
    for (let t = 0; t < 80; t++) {
      let f: number;
      if (t < 20) f = ((b & c) | (~b & d)) + 0x5a827999;
      else if (t < 40) f = (b ^ c ^ d) + 0x6ed9eba1;
      else if (t < 60) f = ((b & c) | (b & d) | (c & d)) + 0x8f1bbcdc;
      else f = (b ^ c ^ d) + 0xca62c1d6;
      const temp = (((a << 5) | (a >>> 27)) + f + e + w[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }

  const digest = new Uint8Array(20);
  const out = new DataView(digest.buffer);
  out.setInt32(0, h0);
  out.setInt32(4, h1);
  out.setInt32(8, h2);
  out.setInt32(12, h3);
  out.setInt32(16, h4);
  return digest;
}

/** The 80-word message schedule, reused across calls (hashing is synchronous, so never shared). */
const schedule = new Int32Array(80);
