/**
 * The caller's side of the contract: misuse throws at once, with a
 * TypeError or RangeError whose message names the method and the rule it
 * breaks (the brief's standard), and leaves the connection as it was. Also
 * the send paths that only some inputs reach (a server's long text that
 * starts outside ASCII).
 */
import { describe, expect, it } from 'vitest';
import { WebSocketConnection, type WebSocketEvent } from 'wscodec';
import { concat } from '../helpers/bytes.ts';

/** What `receiver` makes of everything `sender` queued. */
function transfer(sender: WebSocketConnection, receiver: WebSocketConnection): WebSocketEvent[] {
  return receiver.receive(concat(sender.dataToSend()));
}

describe('wrong argument types throw a TypeError naming the method and what it takes', () => {
  const cases: [string, (conn: WebSocketConnection) => unknown, RegExp][] = [
    ['receive', (conn) => conn.receive('bytes' as unknown as Uint8Array), /WebSocketConnection\.receive: chunk must be a Uint8Array/],
    ['receive (an ArrayBuffer)', (conn) => conn.receive(new ArrayBuffer(2) as unknown as Uint8Array), /receive: chunk must be a Uint8Array/],
    ['sendText', (conn) => conn.sendText(42 as unknown as string), /WebSocketConnection\.sendText: text must be a string/],
    ['sendBinary', (conn) => conn.sendBinary('x' as unknown as Uint8Array), /WebSocketConnection\.sendBinary: data must be a Uint8Array/],
    ['ping', (conn) => conn.ping('x' as unknown as Uint8Array), /WebSocketConnection\.ping: data must be a Uint8Array/],
    ['pong', (conn) => conn.pong([1] as unknown as Uint8Array), /WebSocketConnection\.pong: data must be a Uint8Array/],
    ['close', (conn) => conn.close(1000, 7 as unknown as string), /WebSocketConnection\.close: reason must be a string/],
  ];
  for (const [name, misuse, message] of cases) {
    it(`${name}`, () => {
      for (const role of ['client', 'server'] as const) {
        const conn = new WebSocketConnection({ role });
        expect(() => misuse(conn)).toThrow(TypeError);
        expect(() => misuse(conn)).toThrow(message);
        // Nothing was queued and the connection still works.
        expect(conn.dataToSend()).toEqual([]);
        expect(conn.state).toBe('open');
        conn.sendText('still open');
        expect(conn.bufferedAmount).toBeGreaterThan(0);
      }
    });
  }
});

describe('a server sends a long text that starts outside ASCII (RFC 6455 §5.2, §5.6)', () => {
  // Long enough that a server queues the encoded text uncopied (16 KiB and more).
  for (const [name, text] of [
    ['Greek, 16,384 units', 'κ'.repeat(16_384)],
    ['CJK then ASCII, 40,000 units', `${'漢'.repeat(20_000)}${'a'.repeat(20_000)}`],
    ['an emoji first, then ASCII', `😀${'b'.repeat(70_000)}`],
  ] as const) {
    it(`${name}: one frame with a minimal 64-bit or 16-bit length, the text intact`, () => {
      const server = new WebSocketConnection({ role: 'server' });
      const client = new WebSocketConnection({ role: 'client', maxMessageSize: 1 << 20 });
      server.sendText(text);
      const wire = concat(server.dataToSend());
      const bytes = new TextEncoder().encode(text).length;
      // §5.2: 126 and a 16-bit length up to 65,535 bytes, 127 and a 64-bit length above.
      const header = bytes <= 0xffff ? 4 : 10;
      expect(wire.length).toBe(header + bytes);
      expect(wire[0]).toBe(0x81);
      expect(wire[1]).toBe(bytes <= 0xffff ? 126 : 127);
      expect(client.receive(wire)).toEqual([{ type: 'text', data: text }]);
    });
  }

  it('with fragmentSize, the same text arrives in frames of at most that size', () => {
    const text = 'ж'.repeat(20_000);
    const server = new WebSocketConnection({ role: 'server', fragmentSize: 8192 });
    const client = new WebSocketConnection({ role: 'client' });
    server.sendText(text);
    expect(transfer(server, client)).toEqual([{ type: 'text', data: text }]);
  });
});
