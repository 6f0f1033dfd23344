/**
 * Codec client → real servers written by others: `ws` (npm, in this process)
 * and Python's `websockets` (a process), plus a raw server that breaks the
 * protocol. The client is examples/node-adapter.mjs's `connect`, on the built
 * package. Both servers obey the `cmd:` commands of peers/websockets_server.py.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { computeAcceptKey } from 'wscodec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCodec } from './helpers/codec-client.js';
import { PYTHON, killAll, startPeer, type Peer } from './helpers/processes.js';
import { collectUntilClose, concat, firstCloseCode, rawFrame } from './helpers/raw.js';
import { SIZES, binaryOf, textOf } from './helpers/ws-client.js';

const MiB = 1 << 20;
const encoder = new TextEncoder();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/**
 * The same scenario against any server obeying the `cmd:` commands;
 * `serverSawClose()` resolves with the code and reason the server received.
 */
function clientScenario(serverUrl: () => string, serverCloses: () => { code: number; reason: string }[]) {
  /** Resolves with the first close with `code` the server reports from now on. */
  const serverSawClose = async (code: number) => {
    const start = serverCloses().length;
    for (let waited = 0; waited < 10_000; waited += 20) {
      const found = serverCloses().slice(start).find((close) => close.code === code);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`the server reported no close with code ${code}: ${JSON.stringify(serverCloses().slice(start))}`);
  };

  it('sends and receives text and binary of 0 B to 16 MiB', async () => {
    const c = await openCodec(serverUrl());
    for (const size of SIZES) {
      const text = textOf(size);
      c.session.sendText(text);
      const echoedText = await c.next('text', 'binary');
      expect(echoedText.type === 'text' && echoedText.data === text).toBe(true);
      const binary = binaryOf(size);
      c.session.sendBinary(binary);
      const echoedBinary = await c.next('text', 'binary');
      expect(echoedBinary.type === 'binary' && sameBytes(echoedBinary.data, binary)).toBe(true);
    }
    c.session.close(1000);
    await c.closed;
  });

  it('sends fragmented messages and receives a fragmented one', async () => {
    const c = await openCodec(serverUrl());
    c.session.sendText('frag', { fin: false });
    c.session.sendText('ménted', { fin: false });
    c.session.ping(encoder.encode('between fragments'));
    c.session.sendText(' tèxt', { fin: true });
    expect(await c.next('text')).toEqual({ type: 'text', data: 'fragménted tèxt' });
    c.session.sendBinary(new Uint8Array([1, 2]), { fin: false });
    c.session.sendBinary(new Uint8Array([3]), { fin: true });
    expect(await c.next('binary')).toEqual({ type: 'binary', data: new Uint8Array([1, 2, 3]) });
    c.session.sendText('cmd:fragments:4');
    expect(await c.next('text')).toEqual({ type: 'text', data: 'part0;part1;part2;part3;' });
    c.session.close(1000);
    await c.closed;
  });

  it('gets its ping answered with the same data and answers the server ping', async () => {
    const c = await openCodec(serverUrl());
    c.session.ping(encoder.encode('are you there'));
    expect(await c.next('pong')).toEqual({ type: 'pong', data: encoder.encode('are you there') });
    c.session.sendText('cmd:ping:hello');
    expect(await c.next('ping')).toEqual({ type: 'ping', data: encoder.encode('hello') });
    expect(await c.next('text')).toEqual({ type: 'text', data: 'pong:hello' });
    c.session.close(1000);
    await c.closed;
  });

  it('closes with a code and reason in both directions', async () => {
    const mine = await openCodec(serverUrl());
    const seen = serverSawClose(4001);
    mine.session.close(4001, 'bye from client');
    expect(await mine.next('close')).toMatchObject({ type: 'close', code: 4001 });
    await mine.closed;
    expect(await seen).toEqual({ code: 4001, reason: 'bye from client' });

    const theirs = await openCodec(serverUrl());
    theirs.session.sendText('cmd:close:4002:bye from server');
    expect(await theirs.next('close')).toEqual({ type: 'close', code: 4002, reason: 'bye from server' });
    await theirs.closed;
    expect(theirs.session.closeCode).toBe(4002);
  });

  it('fails with 1002 when the server sends a masked frame', async () => {
    const c = await openCodec(serverUrl());
    const seen = serverSawClose(1002);
    c.session.sendText('cmd:violate');
    expect(await c.next('error')).toMatchObject({ type: 'error', code: 1002 });
    await c.closed;
    expect((await seen).code).toBe(1002);
  });
}

describe('codec client → ws server', () => {
  let wss: WebSocketServer;
  let url = '';
  const closes: { code: number; reason: string }[] = [];
  beforeAll(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * MiB, perMessageDeflate: false });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`;
    wss.on('connection', (ws: WebSocket) => {
      ws.on('close', (code: number, reason: Buffer) => closes.push({ code, reason: reason.toString() }));
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        const text = isBinary ? '' : data.toString();
        if (!text.startsWith('cmd:')) return ws.send(data, { binary: isBinary });
        const [, name, arg = '', ...rest] = text.split(':');
        if (name === 'close') ws.close(Number(arg), rest.join(':'));
        else if (name === 'ping') {
          ws.once('pong', (payload: Buffer) => ws.send(`pong:${payload.toString()}`));
          ws.ping(arg);
        } else if (name === 'fragments') {
          const count = Number(arg);
          for (let i = 0; i < count; i++) ws.send(`part${i};`, { fin: i === count - 1 });
        } else if (name === 'violate') {
          // A masked frame from a server (RFC 6455 §5.1), written under ws.
          (ws as unknown as { _socket: { write(b: Uint8Array): void } })._socket.write(
            rawFrame(0x81, encoder.encode('x'), new Uint8Array([1, 2, 3, 4])),
          );
        }
      });
    });
  });
  afterAll(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  clientScenario(
    () => url,
    () => closes,
  );
});

describe('codec client → Python websockets server', () => {
  let peer: Peer;
  let url = '';
  beforeAll(async () => {
    peer = startPeer(PYTHON, ['websockets_server.py']);
    const listening = await peer.waitFor((line) => line.event === 'listening');
    url = `ws://127.0.0.1:${String(listening.port)}/python`;
  });
  afterAll(killAll);
  clientScenario(
    () => url,
    () =>
      peer.lines
        .filter((line) => line.event === 'close')
        .map((line) => ({ code: line.code as number, reason: line.reason as string })),
  );
});

describe('codec client → raw server breaking the protocol', () => {
  let server: Server;
  let port = 0;
  let misbehaviour: Uint8Array = new Uint8Array(0);
  let received: Promise<{ bytes: Uint8Array; closed: boolean }> = Promise.resolve({ bytes: new Uint8Array(0), closed: true });
  beforeAll(async () => {
    // Answers any handshake correctly, then writes `misbehaviour`.
    server = createServer((socket) => {
      let head = '';
      const onData = (chunk: Buffer) => {
        head += chunk.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        socket.off('data', onData);
        const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? '';
        received = collectUntilClose(socket);
        socket.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAcceptKey(key)}\r\n\r\n`,
        );
        socket.write(misbehaviour);
      };
      socket.on('data', onData);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const cases: [string, Uint8Array, number][] = [
    ['a masked frame (§5.1)', rawFrame(0x81, encoder.encode('x'), new Uint8Array([9, 9, 9, 9])), 1002],
    ['a reserved opcode (§5.2)', rawFrame(0x8b, new Uint8Array(0)), 1002],
    ['invalid UTF-8 in a text message (§8.1)', rawFrame(0x81, new Uint8Array([0xed, 0xa0, 0x80])), 1007],
    ['a control frame over 125 bytes (§5.5)', rawFrame(0x89, new Uint8Array(126)), 1002],
    ['a close code that may not be sent (§7.4.1)', rawFrame(0x88, new Uint8Array([0x03, 0xed])), 1002],
  ];
  for (const [name, frame, code] of cases) {
    it(`fails ${name} with ${code}, sends that code and closes`, async () => {
      misbehaviour = frame;
      const c = await openCodec(`ws://127.0.0.1:${port}/`);
      expect(await c.next('error')).toMatchObject({ type: 'error', code });
      await c.closed;
      const { bytes } = await received;
      // The client's Close frame is masked (§5.3) and carries the code.
      expect(bytes[1]! & 0x80).toBe(0x80);
      expect(firstCloseCode(concat([bytes]))).toBe(code);
    });
  }
});
