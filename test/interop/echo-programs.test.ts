/**
 * The echo programs with a stable command line, run as processes the way a
 * conformance suite runs them: `node examples/echo-server.mjs --port N`, its
 * Deno and Bun twins, and `node examples/echo-client.mjs <ws-url>`; peers are
 * `ws` clients and servers, and raw sockets that break the protocol.
 */
import { connect, type AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { BUN, DENO, NODE, ROOT, killAll, startPeer } from './helpers/processes.js';
import { collectUntilClose, firstCloseCode, rawClient, rawFrame } from './helpers/raw.js';
import { SIZES, binaryOf, openWs, textOf } from './helpers/ws-client.js';

afterAll(killAll);

/** Starts an echo server program on a free port; resolves with its ws:// URL. */
async function startEchoServer(command: string, args: string[]) {
  const peer = startPeer(command, [...args, '--port', '0'], { cwd: ROOT });
  const line = await peer.waitFor((l) => typeof l.text === 'string' && l.text.startsWith('listening on '));
  const url = String(line.text).slice('listening on '.length);
  return { peer, url, port: Number(new URL(url).port) };
}

const servers: [string, string, string[]][] = [
  ['node examples/echo-server.mjs', NODE, ['examples/echo-server.mjs']],
  ['deno examples/deno-echo-server.mjs', DENO, ['run', '--allow-net', 'examples/deno-echo-server.mjs']],
  ['bun examples/bun-echo-server.mjs', BUN, ['examples/bun-echo-server.mjs']],
];

for (const [name, command, args] of servers) {
  describe(name, () => {
    it('echoes 0 B–16 MiB text and binary, fragments, pings and closes, at any path', async () => {
      const { url } = await startEchoServer(command, args);
      const c = await openWs(`${url}any/path?x=1`);
      for (const size of SIZES) {
        const text = textOf(size);
        c.ws.send(text);
        const echoedText = await c.next();
        expect([echoedText.isBinary, echoedText.data.toString() === text]).toEqual([false, true]);
        const binary = binaryOf(size);
        c.ws.send(binary);
        const echoedBinary = await c.next();
        expect([echoedBinary.isBinary, Buffer.compare(echoedBinary.data, binary)]).toEqual([true, 0]);
      }
      c.ws.send('frag', { fin: false });
      c.ws.ping('between fragments');
      c.ws.send('mented', { fin: true });
      expect((await c.next()).data.toString()).toBe('fragmented');
      const pong = new Promise<string>((resolve) => c.ws.once('pong', (data: Buffer) => resolve(data.toString())));
      c.ws.ping('ping data');
      expect(await pong).toBe('ping data');
      c.ws.close(4001, 'bye');
      expect(await c.closed).toEqual({ code: 4001, reason: '' });
    });

    it('fails a connection that breaks the protocol with its close code and keeps serving others', async () => {
      const { port, url, peer } = await startEchoServer(command, args);
      const good = await openWs(url);
      for (const [frame, code] of [
        [rawFrame(0x81, new Uint8Array([0x61])), 1002], // unmasked (§5.1)
        [rawFrame(0x81, new Uint8Array([0xff]), new Uint8Array([1, 2, 3, 4])), 1007], // not UTF-8 (§8.1)
      ] as const) {
        const { socket } = await rawClient(port);
        const received = collectUntilClose(socket);
        socket.write(frame);
        const { bytes, closed } = await received;
        expect([firstCloseCode(bytes), closed]).toEqual([code, true]);
      }
      // A request that is not a WebSocket handshake is refused (RFC 6455 §4.2.2: 426 names the version).
      const plain = connect({ host: '127.0.0.1', port });
      plain.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const refusal = new TextDecoder().decode((await collectUntilClose(plain)).bytes);
      expect(refusal).toMatch(/^HTTP\/1\.1 4\d\d /);
      good.ws.send('still here');
      expect((await good.next()).data.toString()).toBe('still here');
      good.ws.close(1000);
      await good.closed;
      expect(peer.child.exitCode).toBeNull();
    });
  });
}

describe('node examples/echo-server.mjs limits', () => {
  it('admits a message of 65,536 fragments (Autobahn case 9.4.1 shape) and fails 65,537 with 1009', async () => {
    const { url } = await startEchoServer(NODE, ['examples/echo-server.mjs']);
    const fragment = binaryOf(64);
    const sendInFragments = (ws: WebSocket, count: number) => {
      for (let i = 0; i < count; i++) ws.send(fragment, { binary: true, fin: i === count - 1 });
    };
    const c = await openWs(url);
    sendInFragments(c.ws, 65_536);
    const echoed = await c.next();
    expect([echoed.isBinary, echoed.data.length]).toEqual([true, 65_536 * 64]);
    sendInFragments(c.ws, 65_537);
    expect((await c.closed).code).toBe(1009);
  });
});

describe('node examples/echo-server.mjs --help', () => {
  it('states the limits it uses', async () => {
    const peer = startPeer(NODE, ['examples/echo-server.mjs', '--help'], { cwd: ROOT });
    expect(await peer.exited(20_000)).toBe(0);
    const help = peer.lines.map((l) => String(l.text)).join('\n');
    expect(help).toContain('16 MiB');
    expect(help).toContain('65,536');
  });
});

describe('node examples/echo-client.mjs <ws-url>', () => {
  it('echoes every message back unchanged until the server closes, then exits 0', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 64 << 20 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const sent: [Buffer | string, boolean][] = [
      ['héllo', false],
      [Buffer.from([0, 1, 2, 255]), true],
      ['', false],
      [Buffer.from(binaryOf(1 << 20)), true],
    ];
    const echoed = new Promise<{ data: Buffer; isBinary: boolean }[]>((resolve) => {
      wss.once('connection', (ws: WebSocket) => {
        const got: { data: Buffer; isBinary: boolean }[] = [];
        ws.on('message', (data: Buffer, isBinary: boolean) => {
          got.push({ data, isBinary });
          if (got.length === sent.length + 1) {
            ws.close(1000, 'done');
            resolve(got);
          }
        });
        for (const [data, binary] of sent) ws.send(data, { binary });
        ws.send('frag', { fin: false });
        ws.send('mented', { fin: true });
      });
    });
    const port = (wss.address() as AddressInfo).port;
    const client = startPeer(NODE, ['examples/echo-client.mjs', `ws://127.0.0.1:${port}/echo`], { cwd: ROOT });
    const got = await echoed;
    expect(await client.exited(20_000)).toBe(0);
    expect(got.map((m) => m.isBinary)).toEqual([false, true, false, true, false]);
    expect(got.slice(0, 4).map((m, i) => Buffer.compare(m.data, Buffer.from(sent[i]![0])))).toEqual([0, 0, 0, 0]);
    expect(got[4]!.data.toString()).toBe('fragmented');
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });

  it('exits 1 when the server breaks the protocol', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    wss.once('connection', (ws: WebSocket) => {
      // A masked frame from a server (RFC 6455 §5.1).
      (ws as unknown as { _socket: { write(b: Uint8Array): void } })._socket.write(
        rawFrame(0x81, new Uint8Array([0x61]), new Uint8Array([1, 2, 3, 4])),
      );
    });
    const port = (wss.address() as AddressInfo).port;
    const client = startPeer(NODE, ['examples/echo-client.mjs', `ws://127.0.0.1:${port}/`], { cwd: ROOT });
    expect(await client.exited(20_000)).toBe(1);
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
});
