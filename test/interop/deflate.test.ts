/**
 * Interop with permessage-deflate (RFC 7692) actually negotiated, against
 * peers written by others: each test asserts the exact Sec-WebSocket-Extensions
 * offer and answer, that messages went compressed both ways (RSV1 on their
 * first frame, counted on the codec's side), and that every echo is intact.
 * Messages: text and binary of several sizes, several in a row on one
 * connection (so context takeover carries from one to the next), both
 * directions.
 *
 * Peers: `ws` (client and server), headless Chromium, Python `websockets`
 * (client and server; it compresses by default), Bun's native client (it
 * offers permessage-deflate) and Deno's (it offers no extension: checked
 * below as the evidence), and the echo programs of examples/.
 */
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import WebSocket, { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoClientHandshake } from '../../examples/echo.mjs';
import { launchChromium, type Chromium } from '../helpers/chromium.mjs';
import { openCodec } from './helpers/codec-client.js';
import { startCodecServer, type CodecServer } from './helpers/codec-server.js';
import { countCompression, type CompressionCounts } from './helpers/deflate.js';
import { BUN, DENO, NODE, PEERS, PYTHON, ROOT, expectedEchoChecks, killAll, startPeer } from './helpers/processes.js';
import { binaryOf, openWs, textOf } from './helpers/ws-client.js';

const MiB = 1 << 20;
/** What the codec answers to the default offer of ws, Chromium and Bun (`permessage-deflate; client_max_window_bits`). */
const DEFAULT_ANSWER = 'permessage-deflate';
/** Several sizes around the length encodings (RFC 6455 §5.2), a repeated JSON message, then 1 MiB. */
function messages(): (string | Uint8Array)[] {
  const json = JSON.stringify({ users: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `user ${i}`, online: i % 2 === 0 })) });
  const out: (string | Uint8Array)[] = [];
  for (const size of [0, 1, 125, 126, 1000, 65535, 65536]) out.push(textOf(size), binaryOf(size));
  out.push(json, json, json, textOf(MiB), binaryOf(MiB), json);
  return out;
}
const same = (a: string | Uint8Array, b: string | Uint8Array) =>
  typeof a === 'string' ? a === b : typeof b !== 'string' && Buffer.compare(a, b) === 0;

let server: CodecServer;
let browser: Chromium | undefined;
beforeAll(async () => {
  server = await startCodecServer({ deflate: true });
});
afterAll(async () => {
  await browser?.close();
  await killAll();
  await server?.stop();
});

/** The connection the codec server opened last, once it has. */
async function lastOpen(before: number) {
  for (let waited = 0; server.opens.length <= before && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  const open = server.opens[before];
  if (open === undefined) throw new Error('the codec server saw no connection');
  return open;
}

describe('codec server (permessage-deflate) ← ws client', () => {
  // ws's options → the offer it sends → the codec's answer.
  const cases: [string, WebSocket.PerMessageDeflateOptions, string, string][] = [
    ['the default offer', {}, 'permessage-deflate; client_max_window_bits', DEFAULT_ANSWER],
    [
      'no context takeover both ways, window bits 10 and 9',
      { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 9 },
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9',
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9',
    ],
    [
      'window bits 8 both ways (the smallest, RFC 7692 §7.1.2)',
      { serverMaxWindowBits: 8, clientMaxWindowBits: 8 },
      'permessage-deflate; server_max_window_bits=8; client_max_window_bits=8',
      'permessage-deflate; server_max_window_bits=8; client_max_window_bits=8',
    ],
  ];
  for (const [name, options, offer, answer] of cases) {
    it(`negotiates ${name} and echoes text and binary compressed both ways`, async () => {
      const before = server.opens.length;
      const c = await openWs(server.url, { perMessageDeflate: { threshold: 0, ...options } });
      const opened = await lastOpen(before);
      expect([opened.offer, c.extensionsHeader]).toEqual([offer, answer]);
      const sent = messages();
      for (const message of sent) {
        c.ws.send(message, { binary: typeof message !== 'string' });
        const echoed = await c.next();
        expect(echoed.isBinary).toBe(typeof message !== 'string');
        expect(same(message, echoed.isBinary ? echoed.data : echoed.data.toString())).toBe(true);
      }
      // ws compresses every message at threshold 0, and so does the codec.
      expect(opened.compression).toEqual({ received: sent.length, sent: sent.length });
      c.ws.close(1000);
      await c.closed;
    });
  }
});

describe('codec server (permessage-deflate) ← headless Chromium', () => {
  it("negotiates the browser's offer (WebSocket.extensions) and echoes 0 B–1 MiB compressed", async () => {
    browser = await launchChromium();
    const page = await browser.context.newPage();
    await page.addScriptTag({ content: readFileSync(`${PEERS}native-client.js`, 'utf8') });
    const before = server.opens.length;
    const results = (await page.evaluate(
      ([url]) => (globalThis as unknown as { runNativeScenarios(u: string, max: number): Promise<unknown> }).runNativeScenarios(url!, 1 << 20),
      [server.url],
    )) as { check: string; ok: boolean; detail: unknown }[];
    expect(results.filter((r) => !r.ok)).toEqual([]);
    for (const check of expectedEchoChecks(MiB)) expect(results.find((r) => r.check === check)?.ok).toBe(true);
    expect(results.find((r) => r.check === 'extensions')?.detail).toBe(DEFAULT_ANSWER);
    const opened = await lastOpen(before);
    expect(opened.offer).toBe('permessage-deflate; client_max_window_bits');
    expectCompressedBothWays(opened.compression);
  });
});

/** Both sides compressed messages (every echo of the codec; at least some of the peer's). */
function expectCompressedBothWays(compression: CompressionCounts | undefined) {
  expect(compression?.received).toBeGreaterThan(0);
  expect(compression?.sent).toBeGreaterThan(0);
}

/** Runs a client peer that prints checks; asserts all passed; returns its output lines. */
async function runClientPeer(command: string, args: string[]) {
  const peer = startPeer(command, args);
  const code = await peer.exited(120_000);
  const failed = peer.lines.filter((l) => typeof l.check === 'string' && l.ok !== true);
  expect(failed, peer.stderr()).toEqual([]);
  expect(code).toBe(0);
  return peer.lines;
}

describe('codec server (permessage-deflate) ← Python websockets client', () => {
  it('negotiates its default offer and echoes 0 B–1 MiB, fragments and pings compressed', async () => {
    const before = server.opens.length;
    const lines = await runClientPeer(PYTHON, ['websockets_client.py', server.url, '--max-size', String(MiB), '--compression']);
    for (const check of expectedEchoChecks(MiB)) expect(lines.find((l) => l.check === check)?.ok).toBe(true);
    expect(lines.find((l) => l.event === 'negotiated')?.extensions).toBe(DEFAULT_ANSWER);
    const opened = await lastOpen(before);
    expect(opened.offer).toBe('permessage-deflate; client_max_window_bits');
    expectCompressedBothWays(opened.compression);
  });
});

describe('codec server (permessage-deflate) ← Bun and Deno native WebSocket', () => {
  it('negotiates the offer Bun makes and echoes 0 B–1 MiB', async () => {
    const before = server.opens.length;
    const lines = await runClientPeer(BUN, ['native-client-cli.mjs', server.url, '--max-size', String(MiB)]);
    expect(lines.find((l) => l.check === 'extensions')?.detail).toBe(DEFAULT_ANSWER);
    const opened = await lastOpen(before);
    expect(opened.offer).toBe('permessage-deflate; client_max_window_bits');
    expectCompressedBothWays(opened.compression);
  });

  it('Deno offers no extension, so nothing is negotiated (and the echo still works)', async () => {
    const before = server.opens.length;
    const lines = await runClientPeer(DENO, ['run', '--allow-net', 'native-client-cli.mjs', server.url, '--max-size', '65536']);
    expect(lines.find((l) => l.check === 'extensions')?.detail).toBe('');
    const opened = await lastOpen(before);
    expect([opened.offer, opened.extensions]).toEqual(['', []]);
  });
});

/** A codec client offering permessage-deflate as examples/echo-client.mjs does, counting compressed messages. */
async function openDeflateClient(url: string) {
  const { session, next } = await openCodec(url, echoClientHandshake(true));
  const deflate = session.extensions.find((e) => e.name === 'permessage-deflate');
  const compression = deflate && countCompression(deflate);
  /** Sends every message and checks each echo. */
  const echoAll = async () => {
    const sent = messages();
    for (const message of sent) {
      if (typeof message === 'string') session.sendText(message);
      else session.sendBinary(message);
      const echoed = await next('text', 'binary');
      expect(echoed.type).toBe(typeof message === 'string' ? 'text' : 'binary');
      expect(same(message, (echoed as { data: string | Uint8Array }).data)).toBe(true);
    }
    return sent.length;
  };
  return { session, compression, echoAll };
}

describe('codec client (permessage-deflate) → ws server', () => {
  let wss: WebSocketServer;
  const handshakes: { offer: string | undefined; answer: string | undefined }[] = [];
  beforeAll(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * MiB, perMessageDeflate: { threshold: 0 } });
    wss.on('headers', (headers: string[], request) => {
      const answer = headers.find((h) => /^sec-websocket-extensions:/i.test(h))?.replace(/^[^:]*:\s*/, '');
      handshakes.push({ offer: request.headers['sec-websocket-extensions'], answer });
    });
    wss.on('connection', (ws: WebSocket) => ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary })));
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  });
  afterAll(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });

  it('offers permessage-deflate; client_max_window_bits, takes the answer and echoes compressed both ways', async () => {
    const c = await openDeflateClient(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);
    expect(handshakes.at(-1)).toEqual({
      offer: 'permessage-deflate; client_max_window_bits',
      answer: 'permessage-deflate',
    });
    const count = await c.echoAll();
    expect(c.compression).toEqual({ received: count, sent: count });
    c.session.close(1000);
  });
});

describe('codec client (permessage-deflate) → Python websockets server', () => {
  it('offers permessage-deflate, takes its answer (window bits 12 both ways) and echoes compressed both ways', async () => {
    const peer = startPeer(PYTHON, ['websockets_server.py', '--compression']);
    const listening = await peer.waitFor((line) => line.event === 'listening');
    const c = await openDeflateClient(`ws://127.0.0.1:${String(listening.port)}/python`);
    const opened = await peer.waitFor((line) => line.event === 'open');
    expect([opened.offer, opened.answer]).toEqual([
      'permessage-deflate; client_max_window_bits',
      'permessage-deflate; server_max_window_bits=12; client_max_window_bits=12',
    ]);
    const count = await c.echoAll();
    expect(c.compression).toEqual({ received: count, sent: count });
    c.session.close(1000);
  });
});

describe('the echo programs negotiate permessage-deflate unless --no-deflate', () => {
  const servers: [string, string, string[]][] = [
    ['node examples/echo-server.mjs', NODE, ['examples/echo-server.mjs']],
    ['deno examples/deno-echo-server.mjs', DENO, ['run', '--allow-net', 'examples/deno-echo-server.mjs']],
    ['bun examples/bun-echo-server.mjs', BUN, ['examples/bun-echo-server.mjs']],
  ];
  for (const [name, command, args] of servers) {
    it(`${name}: accepts the offer of a ws client and echoes compressed; declines with --no-deflate`, async () => {
      for (const flags of [[], ['--no-deflate']]) {
        const peer = startPeer(command, [...args, '--port', '0', ...flags], { cwd: ROOT });
        const line = await peer.waitFor((l) => typeof l.text === 'string' && l.text.startsWith('listening on '));
        const c = await openWs(String(line.text).slice('listening on '.length), { perMessageDeflate: { threshold: 0 } });
        expect(c.extensionsHeader).toBe(flags.length === 0 ? DEFAULT_ANSWER : undefined);
        for (const message of messages().slice(0, 8)) {
          c.ws.send(message, { binary: typeof message !== 'string' });
          const echoed = await c.next();
          expect(same(message, echoed.isBinary ? echoed.data : echoed.data.toString())).toBe(true);
        }
        c.ws.close(1000);
        await c.closed;
        peer.child.kill();
      }
    });
  }

  it('examples/echo-client.mjs offers permessage-deflate; client_max_window_bits, or nothing with --no-deflate', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: { threshold: 0 } });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const port = (wss.address() as AddressInfo).port;
    for (const flags of [[], ['--no-deflate']]) {
      const result = new Promise<{ offer: string | undefined; echoed: string[] }>((resolve) => {
        wss.once('connection', (ws: WebSocket, request) => {
          const echoed: string[] = [];
          ws.on('message', (data: Buffer) => {
            echoed.push(data.toString());
            if (echoed.length === 3) {
              ws.close(1000);
              resolve({ offer: request.headers['sec-websocket-extensions'], echoed });
            }
          });
          for (const text of ['', 'hello', textOf(70_000)]) ws.send(text);
        });
      });
      const client = startPeer(NODE, ['examples/echo-client.mjs', ...flags, `ws://127.0.0.1:${port}/`], { cwd: ROOT });
      const { offer, echoed } = await result;
      expect(offer).toBe(flags.length === 0 ? 'permessage-deflate; client_max_window_bits' : undefined);
      expect(echoed).toEqual(['', 'hello', textOf(70_000)]);
      expect(await client.exited(20_000)).toBe(0);
    }
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
});
