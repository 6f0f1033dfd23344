/**
 * Codec server ← `ws` (npm) and headless Chromium's native WebSocket, and
 * raw sockets that break the protocol on purpose. The server is the echo
 * server of helpers/codec-server.ts, on the built package.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Chromium } from '../helpers/chromium.mjs';
import { TEST_CLOSE_TIMEOUT_MS, startCodecServer, type CodecServer } from './helpers/codec-server.js';
import { PEERS, expectedEchoChecks } from './helpers/processes.js';
import { collectUntilClose, concat, firstCloseCode, rawClient, rawFrame } from './helpers/raw.js';
import { SIZES, binaryOf, openWs, textOf } from './helpers/ws-client.js';

const MiB = 1 << 20;

let server: CodecServer;
let browser: Chromium | undefined;
beforeAll(async () => {
  server = await startCodecServer();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('codec server ← ws client', () => {
  it('echoes text and binary of 0 B to 16 MiB as the same type', async () => {
    const c = await openWs(server.url);
    for (const size of SIZES) {
      const text = textOf(size);
      c.ws.send(text);
      const echoedText = await c.next();
      expect(echoedText.isBinary).toBe(false);
      expect(echoedText.data.toString() === text).toBe(true);
      const binary = binaryOf(size);
      c.ws.send(binary);
      const echoedBinary = await c.next();
      expect(echoedBinary.isBinary).toBe(true);
      expect(Buffer.compare(echoedBinary.data, binary)).toBe(0);
    }
    c.ws.close(1000);
    await c.closed;
  });

  it('reassembles fragmented messages and sends fragmented ones', async () => {
    const c = await openWs(server.url);
    c.ws.send('frag', { fin: false });
    c.ws.send('ménted', { fin: false });
    c.ws.ping('between fragments'); // control frames may come between fragments (RFC 6455 §5.4)
    c.ws.send(' tèxt', { fin: true });
    expect((await c.next()).data.toString()).toBe('fragménted tèxt');
    c.ws.send(new Uint8Array([1, 2]), { fin: false, binary: true });
    c.ws.send(new Uint8Array([3]), { fin: true, binary: true });
    const binary = await c.next();
    expect([binary.isBinary, [...binary.data]]).toEqual([true, [1, 2, 3]]);
    c.ws.send('cmd:fragments:4');
    expect((await c.next()).data.toString()).toBe('part0;part1;part2;part3;');
    c.ws.close(1000);
    await c.closed;
  });

  it('answers a ping with the same data and gets its own ping answered', async () => {
    const c = await openWs(server.url);
    const pong = new Promise<string>((resolve) => c.ws.once('pong', (data: Buffer) => resolve(data.toString())));
    c.ws.ping('are you there');
    expect(await pong).toBe('are you there');
    c.ws.send('cmd:ping:hello'); // ws answers the server's ping; the server reports the pong
    expect((await c.next()).data.toString()).toBe('pong:hello');
    c.ws.close(1000);
    await c.closed;
  });

  it('closes with a code and reason in both directions', async () => {
    const before = server.closes.length;
    const client = await openWs(server.url);
    client.ws.close(4001, 'bye from client');
    expect(await client.closed).toEqual({ code: 4001, reason: '' }); // the server echoes the code (§5.5.1)
    await server.sawClose({ code: 4001, reason: 'bye from client' }, before);

    const serverSide = await openWs(server.url);
    serverSide.ws.send('cmd:close:4002:bye from server');
    expect(await serverSide.closed).toEqual({ code: 4002, reason: 'bye from server' });
  });
});

describe('codec server ← raw sockets breaking the protocol', () => {
  const key = new Uint8Array([1, 2, 3, 4]);
  const violations: [string, Uint8Array, number][] = [
    ['an unmasked frame (§5.1)', rawFrame(0x81, new TextEncoder().encode('hi')), 1002],
    ['a reserved opcode (§5.2)', rawFrame(0x83, new Uint8Array(0), key), 1002],
    ['RSV1 without an extension (§5.2)', rawFrame(0xc1, new Uint8Array([0x61]), key), 1002],
    ['a fragmented ping (§5.5)', rawFrame(0x09, new Uint8Array(0), key), 1002],
    ['a continuation with no message (§5.4)', rawFrame(0x80, new Uint8Array([0x61]), key), 1002],
    ['invalid UTF-8 in a text message (§8.1)', rawFrame(0x81, new Uint8Array([0xc3, 0x28]), key), 1007],
    ['a frame over 16 MiB (§7.4.1)', rawFrame(0x82, new Uint8Array(0), key, 16 * MiB + 1), 1009],
    ['a 1-byte close payload (§5.5.1)', rawFrame(0x88, new Uint8Array([3]), key), 1002],
  ];
  for (const [name, frame, code] of violations) {
    it(`fails ${name} with ${code} and closes the socket`, async () => {
      const { socket, rest } = await rawClient(server.port);
      const received = collectUntilClose(socket);
      socket.write(frame);
      const { bytes, closed } = await received;
      expect(firstCloseCode(concat([rest, bytes]))).toBe(code);
      expect(closed).toBe(true);
    });
  }

  it('echoes a message that came in the same chunk before the violation, then closes with 1002', async () => {
    const { socket, rest } = await rawClient(server.port);
    const received = collectUntilClose(socket);
    socket.write(concat([rawFrame(0x81, new TextEncoder().encode('first'), key), rawFrame(0x81, new Uint8Array([0x61]))]));
    const bytes = concat([rest, (await received).bytes]);
    // The echo is an unmasked text frame "first" (§5.1), followed by Close 1002.
    expect([...bytes.subarray(0, 7)]).toEqual([0x81, 5, ...new TextEncoder().encode('first')]);
    expect(firstCloseCode(bytes)).toBe(1002);
  });

  it('drops a peer that never answers its Close frame once the close timeout passes', async () => {
    const { socket, rest } = await rawClient(server.port);
    const received = collectUntilClose(socket, 10 * TEST_CLOSE_TIMEOUT_MS);
    socket.write(rawFrame(0x81, new TextEncoder().encode('cmd:close:4003:answer me'), key));
    const { bytes, closed } = await received; // the raw client never sends its Close
    expect([firstCloseCode(concat([rest, bytes])), closed]).toEqual([4003, true]);
  });

  it('keeps serving other connections while one fails', async () => {
    const good = await openWs(server.url);
    const { socket } = await rawClient(server.port);
    const received = collectUntilClose(socket);
    socket.write(rawFrame(0x81, new Uint8Array([0x61])));
    expect(firstCloseCode((await received).bytes)).toBe(1002);
    good.ws.send('still here');
    expect((await good.next()).data.toString()).toBe('still here');
    good.ws.close(1000);
    await good.closed;
  });
});

describe('codec server ← headless Chromium native WebSocket', () => {
  it('echoes 0 B–16 MiB, answers server pings, closes both ways', async () => {
    browser = await launchChromium();
    const page = await browser.context.newPage();
    await page.addScriptTag({ content: readFileSync(`${PEERS}native-client.js`, 'utf8') });
    const before = server.closes.length;
    const results = (await page.evaluate(
      ([url]) => (globalThis as unknown as { runNativeScenarios(u: string): Promise<unknown> }).runNativeScenarios(url!),
      [server.url],
    )) as { check: string; ok: boolean; detail: unknown }[];
    const expected = [...expectedEchoChecks(16 * MiB), 'receive-fragmented', 'server-ping', 'client-close', 'server-close'];
    for (const name of expected) {
      const result = results.find((r) => r.check === name);
      expect({ name, ok: result?.ok }, JSON.stringify(result?.detail)).toEqual({ name, ok: true });
    }
    expect(results.filter((r) => !r.ok)).toEqual([]);
    await server.sawClose({ code: 4001, reason: 'bye from client' }, before);
  });
});
