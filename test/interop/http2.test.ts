/**
 * WebSockets over HTTP/2 (RFC 8441) with real peers, against
 * examples/http2-server.mjs: headless Chromium loads the demo page over
 * HTTP/2 and its native WebSocket opens /echo and /chat as extended CONNECT
 * streams on that connection; the Node HTTP/2 client driver
 * (examples/http2-adapter.mjs) does the same; `ws` reaches the same endpoints
 * by HTTP/1.1 Upgrade on the same port. The server logs how each WebSocket
 * was opened and how it closed, so the tests check the transport, not only
 * the messages.
 */
import { connect as http2Connect, constants, type ClientHttp2Session } from 'node:http2';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ClientConnectHandshake, type WebSocketEvent } from 'wscodec';
import { PerMessageDeflateClient, type PerMessageDeflate } from 'wscodec/deflate';
import { connectHttp2 } from '../../examples/http2-adapter.mjs';
import type { WebSocketSession } from '../../examples/session.mjs';
import { launchChromium, type Chromium } from '../helpers/chromium.mjs';
import { countCompression } from './helpers/deflate.js';
import { NODE, ROOT, killAll, startPeer, type Peer } from './helpers/processes.js';

let browser: Chromium | undefined;
const sessions: ClientHttp2Session[] = [];
afterAll(async () => {
  for (const session of sessions) session.destroy();
  await browser?.close();
  await killAll();
});

async function startServer(): Promise<{ server: Peer; url: URL }> {
  const server = startPeer(NODE, ['examples/http2-server.mjs', '--port', '0'], { cwd: ROOT });
  const line = await server.waitFor((l) => typeof l.text === 'string' && l.text.startsWith('listening on '));
  const url = new URL(String(line.text).slice('listening on '.length));
  expect(url.protocol).toBe('https:');
  return { server, url };
}

const logged = (server: Peer, event: string) => server.lines.filter((l) => l.event === event);

/** Waits until `count` lines of `event` were logged. */
async function waitForLogs(server: Peer, event: string, count: number) {
  for (let i = 0; i < count; i++) await server.waitFor(() => logged(server, event).length > i, 10_000);
  return logged(server, event);
}

/** Collects a session's events; resolves `closed` when its transport is gone. */
function recorder() {
  const events: WebSocketEvent[] = [];
  let closed = () => {};
  const done = new Promise<void>((resolve) => (closed = resolve));
  return {
    events,
    done,
    handlers: {
      onEvent: (_: WebSocketSession, event: WebSocketEvent) => void events.push(event),
      onClose: () => closed(),
    },
    async until(predicate: () => boolean) {
      for (let i = 0; i < 500 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(predicate()).toBe(true);
    },
  };
}

describe('WebSockets over HTTP/2 (RFC 8441) with examples/http2-server.mjs', () => {
  it('headless Chromium loads the page over HTTP/2; its WebSocket exchanges text, binary and close codes over extended CONNECT', async () => {
    const { server, url } = await startServer();
    browser = await launchChromium({ args: ['--ignore-certificate-errors'] });
    const page = await browser.page();
    await page.goto(url.href);
    const result = await page.evaluate(async () => {
      const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const base = `wss://${location.host}`;
      type Closed = { got: (string | number[])[]; code: number; reason: string; wasClean: boolean; extensions: string };
      type PageSocket = InstanceType<typeof globalThis.WebSocket>;
      const run = (path: string, onOpen: (ws: PageSocket) => void, onMessage: (ws: PageSocket, got: unknown[]) => void) =>
        new Promise<Closed>((resolve) => {
          // The page's own WebSocket (the name `WebSocket` in this file is the `ws` import).
          const ws = new globalThis.WebSocket(`${base}${path}`);
          ws.binaryType = 'arraybuffer';
          const got: (string | number[])[] = [];
          let extensions = '';
          ws.onopen = () => {
            extensions = ws.extensions;
            onOpen(ws);
          };
          ws.onmessage = (e) => {
            got.push(typeof e.data === 'string' ? e.data : [...new Uint8Array(e.data as ArrayBuffer)]);
            onMessage(ws, got);
          };
          ws.onclose = (e) => resolve({ got, code: e.code, reason: e.reason, wasClean: e.wasClean, extensions });
        });
      // The page closes /echo with its own code; the chat room closes a binary sender with 1003.
      const echo = await run(
        '/echo',
        (ws) => {
          ws.send('héllo, HTTP/2');
          ws.send(new Uint8Array([0, 1, 2, 254, 255]));
          ws.send(new Uint8Array(100_000).fill(7));
        },
        (ws, got) => got.length === 3 && ws.close(4001, 'done here'),
      );
      const chat = await run(
        '/chat',
        (ws) => ws.send('hi room'),
        (ws, got) => got.includes('hi room') && ws.send(new Uint8Array([1])),
      );
      return { protocol: navigation.nextHopProtocol, echo: { ...echo, got: echo.got.map((m) => (typeof m === 'string' ? m : m.length)) }, chat };
    });
    expect(result.protocol).toBe('h2');
    // The server's Close echoes the page's code (RFC 6455 §5.5.1), without a reason.
    // Both endpoints accept Chromium's permessage-deflate offer over HTTP/2 as over HTTP/1.1 (RFC 7692 §5).
    const deflate = expect.stringMatching(/^permessage-deflate(;|$)/);
    expect(result.echo).toEqual({ got: ['héllo, HTTP/2', 5, 100_000], code: 4001, reason: '', wasClean: true, extensions: deflate });
    expect(result.chat).toMatchObject({ code: 1003, reason: 'the chat room takes text only', wasClean: true, extensions: deflate });
    expect(result.chat.got).toContain('hi room');

    // The server saw every WebSocket — the page's own /chat (demo.js opens it on load) and the two
    // above — as an extended CONNECT stream of an HTTP/2 connection, not an HTTP/1.1 Upgrade.
    const opens = await waitForLogs(server, 'open', 3);
    const h2Connect = { event: 'open', via: 'h2', method: 'CONNECT', protocol: 'websocket', alpn: 'h2' };
    expect(opens.map(({ path, ...rest }) => rest)).toEqual([h2Connect, h2Connect, h2Connect]);
    expect(opens.map((l) => l.path).sort()).toEqual(['/chat', '/chat', '/echo']);
    const closes = await waitForLogs(server, 'close', 2);
    expect(closes).toEqual([
      { event: 'close', path: '/echo', via: 'h2', code: 4001 },
      { event: 'close', path: '/chat', via: 'h2', code: 1003 },
    ]);
  });

  it('the Node HTTP/2 client driver: messages both ways, two WebSockets on one connection, a refusal, and a reset stream as 1006', async () => {
    const { server, url } = await startServer();
    const h2 = http2Connect(url.origin, { rejectUnauthorized: false });
    sessions.push(h2);
    const wss = `wss://${url.host}`;

    // /echo: a text and a 512 KiB binary message, well past HTTP/2's initial 64 KiB flow-control window.
    const echo = recorder();
    const echoSession = await connectHttp2(`${wss}/echo`, { session: h2, ...echo.handlers });
    const big = new Uint8Array(1 << 19).map((_, i) => i & 0xff);
    echoSession.sendText('over HTTP/2');
    echoSession.sendBinary(big);
    // /chat on the same HTTP/2 connection, at the same time.
    const chat = recorder();
    const chatSession = await connectHttp2(`${wss}/chat`, { session: h2, ...chat.handlers });
    chatSession.sendText('hello room');
    await echo.until(() => echo.events.length >= 2);
    expect(echo.events[0]).toEqual({ type: 'text', data: 'over HTTP/2' });
    const echoed = echo.events[1]!;
    // Buffer.equals: vitest's deep equality takes seconds over 512 KiB.
    expect(echoed.type === 'binary' && Buffer.from(echoed.data).equals(big)).toBe(true);
    await chat.until(() => chat.events.some((e) => e.type === 'text' && e.data === 'hello room'));
    echoSession.close(1000, 'bye');
    chatSession.close(4000, 'leaving');
    await Promise.all([echo.done, chat.done]);
    expect(echo.events.at(-1)).toEqual({ type: 'close', code: 1000, reason: '' });
    expect(echoSession.closeCode).toBe(1000);
    expect(chatSession.closeCode).toBe(4000);

    // No endpoint: the refusal is a HandshakeError carrying the status.
    await expect(connectHttp2(`${wss}/nowhere`, { session: h2 })).rejects.toMatchObject({ name: 'HandshakeError', reason: 'unexpected-status' });

    // A stream reset with CANCEL is the transport failing: the server reports 1006 (RFC 8441 §5).
    const raw = new ClientConnectHandshake({ url: `${wss}/echo` });
    const stream = h2.request(raw.request(), { endStream: false });
    await new Promise<void>((resolve) => stream.once('response', (headers) => resolve(void expect(raw.receive(headers).type).toBe('accepted'))));
    stream.close(constants.NGHTTP2_CANCEL);

    const closes = await waitForLogs(server, 'close', 3);
    expect(closes).toEqual([
      { event: 'close', path: '/echo', via: 'h2', code: 1000 },
      { event: 'close', path: '/chat', via: 'h2', code: 4000 },
      { event: 'close', path: '/echo', via: 'h2', code: 1006 },
    ]);
    expect(logged(server, 'open').every((l) => l.via === 'h2' && l.alpn === 'h2')).toBe(true);
    // The HTTP/2 connection outlived its WebSockets.
    expect(h2.closed || h2.destroyed).toBe(false);
  });

  it('the Node HTTP/2 client driver negotiates permessage-deflate over extended CONNECT: compressed messages both ways', async () => {
    const { server, url } = await startServer();
    const h2 = http2Connect(url.origin, { rejectUnauthorized: false });
    sessions.push(h2);
    const wss = `wss://${url.host}`;

    // The server's answer to the client's offer, as a header of the 200 response (RFC 8441 §5, RFC 7692 §5).
    const raw = new ClientConnectHandshake({ url: `${wss}/echo`, extensions: [new PerMessageDeflateClient()] });
    const request = raw.request();
    expect(request['sec-websocket-extensions']).toBe('permessage-deflate; client_max_window_bits');
    const probe = h2.request(request, { endStream: false });
    const answer = await new Promise<Record<string, unknown>>((resolve) => probe.once('response', resolve));
    expect(answer['sec-websocket-extensions']).toMatch(/^permessage-deflate(;|$)/);
    const accepted = raw.receive(answer as Parameters<typeof raw.receive>[0]);
    expect(accepted.type === 'accepted' && accepted.extensions.map((e) => e.name)).toEqual(['permessage-deflate']);
    probe.close(constants.NGHTTP2_CANCEL);

    // The driver, with the deflate client in its handshake options: every message compressed (threshold 0).
    const echo = recorder();
    const session = await connectHttp2(`${wss}/echo`, {
      session: h2,
      handshake: { extensions: [new PerMessageDeflateClient({ threshold: 0 })] },
      ...echo.handlers,
    });
    expect(session.extensions.map((e) => e.name)).toEqual(['permessage-deflate']);
    const deflate = session.extensions[0] as PerMessageDeflate;
    expect(deflate.role).toBe('client');
    // Counts RSV1 on the first frame of each message as it is sent and as it arrives (RFC 7692 §6).
    const counts = countCompression(deflate);
    const text = `${'compressible over HTTP/2 '.repeat(4000)}é`;
    const binary = new Uint8Array(1 << 18).map((_, i) => (i >> 6) & 0xff);
    session.sendText(text);
    session.sendBinary(binary);
    session.sendText('');
    await echo.until(() => echo.events.length >= 3);
    expect(echo.events[0]).toEqual({ type: 'text', data: text });
    const echoed = echo.events[1]!;
    expect(echoed.type === 'binary' && Buffer.from(echoed.data).equals(binary)).toBe(true);
    expect(echo.events[2]).toEqual({ type: 'text', data: '' });
    expect(counts).toEqual({ sent: 3, received: 3 });
    session.close(1000);
    await echo.done;
    expect(session.closeCode).toBe(1000);
    const closes = await waitForLogs(server, 'close', 2);
    expect(closes.map((l) => l.code).sort()).toEqual([1000, 1006]);
    expect(logged(server, 'open').every((l) => l.via === 'h2' && l.method === 'CONNECT')).toBe(true);
  });

  it('serves the same endpoints over HTTP/1.1 Upgrade on the same port (allowHTTP1), for clients without HTTP/2', async () => {
    const { server, url } = await startServer();
    const ws = new WebSocket(`wss://${url.host}/echo`, { rejectUnauthorized: false });
    const got = await new Promise<unknown[]>((resolve, reject) => {
      const messages: unknown[] = [];
      ws.on('open', () => ws.send('over HTTP/1.1'));
      ws.on('message', (data: Buffer) => {
        messages.push(data.toString());
        ws.close(1000);
      });
      ws.on('close', () => resolve(messages));
      ws.on('error', reject);
    });
    expect(got).toEqual(['over HTTP/1.1']);
    const [open] = await waitForLogs(server, 'open', 1);
    expect(open).toEqual({ event: 'open', path: '/echo', via: 'h1', method: 'GET', protocol: 'websocket' });
  });
});
