/**
 * Edges of the handshake's grammar that Stryker's survivors showed no test
 * stated: the exact shape of a Sec-WebSocket-Key (RFC 6455 §4.1 item 7:
 * base64 of 16 bytes, so 24 characters ending in "=="), and the list syntax
 * of Sec-WebSocket-Extensions (RFC 6455 §9.1 with RFC 7230 §7: empty list
 * elements are ignored; OWS — spaces and tabs — may surround ";" and "=").
 */
import { describe, expect, it } from 'vitest';
import { isValidKey, ServerHandshake } from 'wscodec';
import { PerMessageDeflateServer } from 'wscodec/deflate';
import { ascii } from '../helpers/bytes.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const head = (key: string, extensions?: string) =>
  ascii(
    `GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
      (extensions === undefined ? '' : `Sec-WebSocket-Extensions: ${extensions}\r\n`) +
      '\r\n',
  );

describe('Sec-WebSocket-Key is base64 of exactly 16 bytes (RFC 6455 §4.1 item 7, §4.2.1 item 5)', () => {
  const wrong = [
    ['24 characters without the "==" padding (18 bytes)', 'A'.repeat(24)],
    ['23 characters ending in "="', `${'A'.repeat(22)}=`],
    ['25 characters ending in "=="', `${'A'.repeat(23)}==`],
    ['20 characters ending in "==" (14 bytes)', `${'A'.repeat(18)}==`],
    ['one "=" in the middle', `${'A'.repeat(21)}===`],
  ] as const;
  for (const [name, key] of wrong) {
    it(`refuses ${name}: isValidKey is false and the server answers 400`, () => {
      expect(isValidKey(key)).toBe(false);
      const result = new ServerHandshake().receive(head(key));
      expect(result.type).toBe('error');
      if (result.type === 'error') expect(new TextDecoder().decode(result.response)).toContain('HTTP/1.1 400 ');
    });
  }

  it('accepts the RFC\'s sample key', () => {
    expect(isValidKey(KEY)).toBe(true);
    expect(new ServerHandshake().receive(head(KEY)).type).toBe('request');
  });
});

describe('Sec-WebSocket-Extensions list syntax (RFC 7230 §7, §3.2.3)', () => {
  const acceptsDeflate = (value: string) => {
    const handshake = new ServerHandshake({ extensions: [new PerMessageDeflateServer()] });
    expect(handshake.receive(head(KEY, value)).type).toBe('request');
    return handshake.accept().extensions.map((extension) => extension.name);
  };

  it('empty list elements are ignored, before, between and after offers', () => {
    expect(acceptsDeflate(', permessage-deflate')).toEqual(['permessage-deflate']);
    expect(acceptsDeflate(',,permessage-deflate ,')).toEqual(['permessage-deflate']);
  });

  it('tabs are whitespace around ";" and "=" as spaces are', () => {
    expect(acceptsDeflate('permessage-deflate;\tclient_max_window_bits')).toEqual(['permessage-deflate']);
    expect(acceptsDeflate('permessage-deflate\t;\tserver_max_window_bits\t=\t10')).toEqual(['permessage-deflate']);
  });
});
