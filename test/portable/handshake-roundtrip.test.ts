/**
 * Laws between the two sides: whatever request the client side builds, the
 * server side accepts, and whatever response the server side builds for it,
 * the client side accepts with the same negotiated results, under any
 * chunking (RFC 6455 §4.1, §4.2).
 */
import { fc, runs } from '../helpers/fast-check.ts';
import { describe, expect, it } from 'vitest';
import { ClientHandshake, ServerHandshake, type ClientExtensionFactory, type Extension, type ServerExtensionFactory } from 'wscodec';

const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
/** A field-value: visible ASCII with inner spaces and tabs, or empty (RFC 7230 §3.2). */
const value = fc.oneof(fc.constant(''), fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e\t]{0,30}[\x21-\x7e])?$/));
/**
 * Extra header names: any token except the fields the handshake computes
 * (refused as extras) and those that change what the server must do with the
 * request (a body, a second Origin or Host).
 */
const OWNED = ['host', 'upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'sec-websocket-accept', 'origin', 'content-length', 'transfer-encoding'];
const headerName = token.filter((n) => !OWNED.includes(n.toLowerCase()));
const headers = fc.array(fc.tuple(headerName, value), { maxLength: 6 });

/** Splits `bytes` at the given cut points. */
const chunked = (bytes: Uint8Array, cuts: number[]) => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  return [0, ...points].map((start, i) => bytes.subarray(start, [...points, bytes.length][i]));
};

const toy = (name: string): Extension => ({ name, rsvBits: 0, decode: (f) => f, encode: (f) => f });

describe('client and server handshakes agree', () => {
  it('law: the server accepts every request the client builds, and the client accepts the answer', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(token, { maxLength: 5 }),
        fc.uniqueArray(token, { maxLength: 5 }),
        fc.uniqueArray(token, { maxLength: 3 }),
        headers,
        headers,
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (clientProtocols, serverProtocols, extensionNames, requestHeaders, responseHeaders, requestCuts, responseCuts) => {
          const clientFactories: ClientExtensionFactory[] = extensionNames.map((name) => ({
            name,
            offer: () => [['n', name.length.toString()]],
            accept: () => toy(name),
          }));
          // The server supports every other extension the client offers.
          const serverFactories: ServerExtensionFactory[] = extensionNames
            .filter((_, i) => i % 2 === 0)
            .map((name) => ({ name, accept: (params) => ({ params: [...params], extension: toy(name) }) }));

          const client = new ClientHandshake({
            url: 'ws://127.0.0.1:9000/path?q=1',
            subprotocols: clientProtocols,
            extensions: clientFactories,
            headers: requestHeaders,
          });
          const server = new ServerHandshake({ subprotocols: serverProtocols, extensions: serverFactories, headers: responseHeaders });

          let received;
          for (const chunk of chunked(client.request(), requestCuts)) {
            received = server.receive(chunk);
            if (received.type !== 'incomplete') break;
          }
          expect(received?.type).toBe('request');
          if (received?.type !== 'request') return;
          expect(received.rest).toHaveLength(0);
          expect(received.request.subprotocols).toEqual(clientProtocols);
          expect(received.request.extensions.map((e) => e.name)).toEqual(extensionNames);
          for (const [name, v] of requestHeaders) expect(received.request.headers.getAll(name)).toContain(v);

          const accepted = server.accept();
          const expectedProtocol = serverProtocols.find((p) => clientProtocols.includes(p));
          expect(accepted.subprotocol).toBe(expectedProtocol);
          expect(accepted.extensions.map((e) => e.name)).toEqual(serverFactories.map((f) => f.name));

          let answer;
          for (const chunk of chunked(accepted.response, responseCuts)) {
            answer = client.receive(chunk);
            if (answer.type !== 'incomplete') break;
          }
          expect(answer?.type).toBe('accepted');
          if (answer?.type !== 'accepted') return;
          expect(answer.subprotocol).toBe(expectedProtocol);
          expect(answer.extensions.map((e) => e.name)).toEqual(accepted.extensions.map((e) => e.name));
          for (const [name, v] of responseHeaders) expect(answer.response.headers.getAll(name)).toContain(v);
          expect(answer.rest).toHaveLength(0);
        },
      ),
      { numRuns: runs(300) },
    );
  });
});
