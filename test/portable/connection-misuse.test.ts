/**
 * The caller's side of the contract: misuse throws at once, with a
 * TypeError or RangeError whose message names the method and the rule it
 * breaks (the brief's standard), and leaves the connection as it was. Also
 * the send paths that only some inputs reach (a server's long text that
 * starts outside ASCII).
 */
import { describe, expect, it } from 'vitest';
import { PreparedMessage, WebSocketConnection, type WebSocketEvent } from 'wscodec';
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
    ['sendPrepared', (conn) => conn.sendPrepared('x' as unknown as PreparedMessage), /WebSocketConnection\.sendPrepared: message must be a PreparedMessage/],
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

describe('sending after our Close frame (RFC 6455 §5.5.1) throws, naming the method and the rule', () => {
  const sends: [string, (conn: WebSocketConnection) => void][] = [
    ['sendText', (conn) => conn.sendText('x')],
    ['sendBinary', (conn) => conn.sendBinary(new Uint8Array(1))],
    ['sendPrepared', (conn) => conn.sendPrepared(new PreparedMessage('x'))],
    ['ping', (conn) => conn.ping()],
    ['pong', (conn) => conn.pong()],
  ];
  for (const [method, send] of sends) {
    it(method, () => {
      const conn = new WebSocketConnection({ role: 'server' });
      conn.close();
      expect(() => send(conn)).toThrow(TypeError);
      expect(() => send(conn)).toThrow(new RegExp(`^WebSocketConnection\\.${method}: the connection is closing; nothing may be sent after the Close frame \\(RFC 6455 §5\\.5\\.1\\)$`));
    });
  }
});

describe('control frames carry at most 125 bytes (RFC 6455 §5.5)', () => {
  for (const method of ['ping', 'pong'] as const) {
    it(`${method}: 125 bytes go out as one frame; 126 throw a RangeError naming the size and the rule`, () => {
      const conn = new WebSocketConnection({ role: 'server' });
      conn[method](new Uint8Array(125).fill(7));
      const [frame] = conn.dataToSend();
      expect(frame!.length).toBe(127);
      expect(frame![1]).toBe(125);
      expect(() => conn[method](new Uint8Array(126))).toThrow(RangeError);
      expect(() => conn[method](new Uint8Array(126))).toThrow(
        `WebSocketConnection.${method}: data is 126 bytes; a control frame carries at most 125 (RFC 6455 §5.5)`,
      );
      expect(conn.dataToSend()).toEqual([]);
    });
  }

  it('close: a reason of 123 UTF-8 bytes fits (2 bytes of code + 123); 124 throw a RangeError naming the rule', () => {
    const conn = new WebSocketConnection({ role: 'server' });
    // 'é' is 2 bytes in UTF-8: 61 of them and one ASCII byte are 123 bytes, 62 are 124.
    expect(() => conn.close(1000, 'é'.repeat(62))).toThrow(RangeError);
    expect(() => conn.close(1000, 'é'.repeat(62))).toThrow(
      'WebSocketConnection.close: reason is 124 UTF-8 bytes; at most 123 fit in a control frame (RFC 6455 §5.5)',
    );
    expect(conn.state).toBe('open');
    conn.close(1000, `${'é'.repeat(61)}!`);
    const [frame] = conn.dataToSend();
    expect(frame![1]).toBe(125);
    expect(frame!.length).toBe(127);
  });
});

describe('close() (RFC 6455 §5.5.1, §7.4)', () => {
  it('with no arguments sends code 1000 and no reason: 88 02 03 e8 from a server', () => {
    const conn = new WebSocketConnection({ role: 'server' });
    conn.close();
    expect(Array.from(concat(conn.dataToSend()))).toEqual([0x88, 0x02, 0x03, 0xe8]);
  });

  it('a code that may not be sent throws a RangeError naming the code and the ranges allowed', () => {
    for (const code of [999, 1004, 1005, 1006, 1015, 2999, 5000]) {
      const conn = new WebSocketConnection({ role: 'client' });
      expect(() => conn.close(code)).toThrow(RangeError);
      expect(() => conn.close(code)).toThrow(
        `WebSocketConnection.close: code ${code} may not be sent; use 1000-1003, 1007-1014 or 3000-4999 (RFC 6455 §7.4)`,
      );
      expect(conn.dataToSend()).toEqual([]);
    }
  });
});

describe('an open fragmented message (RFC 6455 §5.4: fragments of two messages are not interleaved)', () => {
  it('a text message left open refuses binary, naming the open message', () => {
    const conn = new WebSocketConnection({ role: 'server' });
    conn.sendText('a', { fin: false });
    expect(() => conn.sendBinary(new Uint8Array(1))).toThrow(
      'WebSocketConnection.sendBinary: a fragmented text message is open; finish it with { fin: true } first (RFC 6455 §5.4)',
    );
    expect(() => conn.sendPrepared(new PreparedMessage('x'))).toThrow(/sendPrepared: a fragmented text message is open/);
  });

  it('a binary message left open refuses text, naming the open message', () => {
    const conn = new WebSocketConnection({ role: 'server' });
    conn.sendBinary(new Uint8Array(1), { fin: false });
    expect(() => conn.sendText('b')).toThrow(
      'WebSocketConnection.sendText: a fragmented binary message is open; finish it with { fin: true } first (RFC 6455 §5.4)',
    );
    conn.sendBinary(new Uint8Array(1));
    conn.sendText('now it may');
  });
});

describe('a ping flood (RFC 6455 §5.5.3: only the latest ping needs an answer)', () => {
  it('dataToSend returns the pongs kept, each a whole frame: no empty chunk stands in for a dropped one', () => {
    const server = new WebSocketConnection({ role: 'server' });
    const client = new WebSocketConnection({ role: 'client' });
    for (let i = 0; i < 40; i++) client.ping(Uint8Array.of(i));
    server.receive(concat(client.dataToSend()));
    const chunks = server.dataToSend();
    expect(chunks.every((chunk) => chunk.length === 3)).toBe(true);
    // The newest pings are answered, in order.
    const answered = client.receive(concat(chunks)).map((event) => (event.type === 'pong' ? event.data[0] : -1));
    expect(answered.at(-1)).toBe(39);
    expect(answered).toEqual([...answered].sort((a, b) => a - b));
    expect(answered.length).toBe(chunks.length);
    expect(answered.length).toBeLessThan(40);
  });
});

describe('dataToSend with nothing queued', () => {
  it('returns the same frozen empty array every time (no allocation per call)', () => {
    const conn = new WebSocketConnection({ role: 'client' });
    const first = conn.dataToSend();
    expect(first).toEqual([]);
    expect(Object.isFrozen(first)).toBe(true);
    conn.sendText('x');
    expect(conn.dataToSend().length).toBe(1);
    expect(conn.dataToSend()).toBe(first);
  });
});

describe('options that are not valid throw, naming the option, the rule and the value given', () => {
  it('a role other than client or server throws a TypeError', () => {
    for (const role of ['peer', undefined, 'Client']) {
      expect(() => new WebSocketConnection({ role: role as 'client' })).toThrow(TypeError);
      expect(() => new WebSocketConnection({ role: role as 'client' })).toThrow(
        `WebSocketConnection: role must be 'client' or 'server', got ${String(role)}`,
      );
    }
  });

  for (const name of ['maxMessageSize', 'maxFrameSize', 'maxFragments', 'fragmentSize'] as const) {
    it(`${name}: a limit that is not a positive integer throws a RangeError`, () => {
      for (const value of [0, -1, 1.5, Number.NaN, Infinity, 2 ** 53]) {
        const make = () => new WebSocketConnection({ role: 'server', [name]: value });
        expect(make).toThrow(RangeError);
        expect(make).toThrow(`WebSocketConnection: ${name} must be a positive integer, got ${String(value)}`);
      }
      expect(new WebSocketConnection({ role: 'server', [name]: 1 }).role).toBe('server');
    });
  }
});
