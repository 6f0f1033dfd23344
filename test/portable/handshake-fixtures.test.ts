/**
 * Real clients' handshakes, captured from real runs (see
 * test/fixtures/handshakes.ts): the server side accepts them and answers with
 * the accept key RFC 6455 §4.2.2 prescribes, declining permessage-deflate when
 * no extension is configured.
 */
import { describe, expect, it } from 'vitest';
import { computeAcceptKey, HttpHeadParser, ServerHandshake, type ServerExtensionFactory } from 'wscodec';
import { chromiumProtocolRequest, chromiumRequest, wsClientRequest } from '../fixtures/handshakes.ts';

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const keyOf = (request: string) => /\r\nSec-WebSocket-Key: ([^\r]*)\r\n/i.exec(request)![1]!;

const answer = (request: string, options = {}) => {
  const hs = new ServerHandshake(options);
  const received = hs.receive(bytes(request));
  if (received.type !== 'request') throw new Error(`refused: ${received.type === 'error' ? received.error.reason : 'incomplete'}`);
  const accepted = hs.accept();
  const head = HttpHeadParser.response().push(accepted.response);
  if (head.type !== 'head') throw new Error('unparsable response');
  return { request: received.request, rest: received.rest, accepted, response: head.head };
};

describe('real handshakes', () => {
  const fixtures: [string, string][] = [
    ['Chromium', chromiumRequest],
    ['Chromium with subprotocols', chromiumProtocolRequest],
    ['the ws client', wsClientRequest],
  ];
  for (const [who, request] of fixtures) {
    it(`accepts ${who} and answers 101 with the right accept key, declining permessage-deflate`, () => {
      const { request: parsed, rest, accepted, response } = answer(request);
      expect(rest).toHaveLength(0);
      expect(parsed.extensions).toEqual([{ name: 'permessage-deflate', params: [['client_max_window_bits', null]] }]);
      expect(response.status).toBe(101);
      expect(response.headers.get('upgrade')).toBe('websocket');
      expect(response.headers.get('connection')).toBe('Upgrade');
      expect(response.headers.get('sec-websocket-accept')).toBe(computeAcceptKey(keyOf(request)));
      expect(response.headers.has('sec-websocket-extensions')).toBe(false);
      expect(accepted.extensions).toEqual([]);
    });

    it(`accepts ${who} split at every byte`, () => {
      const all = bytes(request);
      for (let cut = 0; cut <= all.length; cut++) {
        const hs = new ServerHandshake();
        const first = hs.receive(all.subarray(0, cut));
        const result = first.type === 'incomplete' ? hs.receive(all.subarray(cut)) : first;
        expect(result.type).toBe('request');
      }
    });
  }

  it('chooses the subprotocol Chromium offered in the server preference order', () => {
    const { request, accepted, response } = answer(chromiumProtocolRequest, { subprotocols: ['chat.v1', 'chat.v2'] });
    expect(request.subprotocols).toEqual(['chat.v2', 'chat.v1']);
    expect(accepted.subprotocol).toBe('chat.v1');
    expect(response.headers.get('sec-websocket-protocol')).toBe('chat.v1');
  });

  it("hands Chromium's permessage-deflate offer to a factory of that name", () => {
    const seen: unknown[] = [];
    const factory: ServerExtensionFactory = {
      name: 'permessage-deflate',
      accept: (params) => {
        seen.push(params);
        return { params: [], extension: { name: 'permessage-deflate', rsvBits: 0x40, decode: (f) => f, encode: (f) => f } };
      },
    };
    const { accepted, response } = answer(chromiumRequest, { extensions: [factory] });
    expect(seen).toEqual([[['client_max_window_bits', null]]]);
    expect(accepted.extensions.map((e) => e.name)).toEqual(['permessage-deflate']);
    expect(response.headers.get('sec-websocket-extensions')).toBe('permessage-deflate');
  });

  it("passes Chromium's Origin to the origin hook", () => {
    const origins: (string | undefined)[] = [];
    answer(chromiumRequest, { checkOrigin: (origin: string | undefined) => (origins.push(origin), true) });
    expect(origins).toHaveLength(1);
    expect(origins[0]).toContain('http://127.0.0.1:');
  });
});
