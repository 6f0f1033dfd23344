/**
 * What Autobahn|Testsuite's sections 12 and 13 check, sans-I/O, in both
 * roles: the peer sends compressed messages of 16 B to 128 KiB from several
 * data sets (JSON and HTML text; image-like binary, prose sent as binary),
 * unfragmented and auto-fragmented at 256 B to 32 KiB; the codec echoes each
 * one compressed; every echo is checked byte for byte. Section 12 uses the
 * default parameters; section 13 each parameter combination Autobahn offers
 * (no context takeover for the server, server window 9 and 15, several
 * offers at once), with the client accepting no context takeover itself.
 *
 * Autobahn sends 1000 messages per case. This portable run (8 runtime steps)
 * sends a few per case, delivering them in chunks of 1,000 bytes so that
 * frames straddle chunks; test/node/deflate-node.test.ts sends 1000.
 */
import { describe, expect, it } from 'vitest';
import type { Role } from 'wscodec';
import { AUTOBAHN_13, AUTOBAHN_SIZES, DATA_SETS, json, negotiate, negotiateOffers, runEchoCase } from '../helpers/deflate.ts';

/** Messages per case in this run: a few small ones, one large one. */
const countFor = (size: number) => (size <= 4096 ? 3 : 1);

for (const role of ['server', 'client'] as Role[]) {
  describe(`codec as ${role}`, () => {
    for (const [setIndex, set] of DATA_SETS.entries()) {
      it(`12.${setIndex + 1}.1–18: ${set.name}, default parameters, 16 B to 128 KiB, fragmented at 256 B to 32 KiB`, () => {
        for (const [caseIndex, [size, fragmentSize]] of AUTOBAHN_SIZES.entries()) {
          const messages = Array.from({ length: countFor(size) }, (_, i) => set.make(size, caseIndex * 1000 + i + 1));
          const verdict = runEchoCase({ role, negotiated: negotiate({ threshold: 0 }, { threshold: 0 }), messages, fragmentSize, chunkSize: 1000 });
          expect(verdict, `12.${setIndex + 1}.${caseIndex + 1}`).toBeUndefined();
        }
      });
    }
    for (const { group, offers } of AUTOBAHN_13) {
      it(`${group}.1–18: JSON text, offers ${JSON.stringify(offers)}`, () => {
        for (const [caseIndex, [size, fragmentSize]] of AUTOBAHN_SIZES.entries()) {
          // Section 13 repeats section 12.1's cases; the largest run in the Node test.
          if (size > 32768) continue;
          const messages = Array.from({ length: countFor(size) }, (_, i) => json(size, caseIndex * 1000 + i + 1));
          const verdict = runEchoCase({ role, negotiated: negotiateOffers(offers), messages, fragmentSize, chunkSize: 1000 });
          expect(verdict, `${group}.${caseIndex + 1}`).toBeUndefined();
        }
      });
    }
  });
}

describe('section 13 negotiation', () => {
  it('each group agrees on what its offers ask', () => {
    const headers = AUTOBAHN_13.map(({ offers }) => negotiateOffers(offers).header);
    expect(headers).toEqual([
      'permessage-deflate; client_no_context_takeover',
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
      'permessage-deflate; client_no_context_takeover; server_max_window_bits=9',
      'permessage-deflate; client_no_context_takeover; server_max_window_bits=15',
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9',
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15',
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9',
    ]);
  });
});
