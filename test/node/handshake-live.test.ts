/**
 * Live handshakes over real sockets on 127.0.0.1 (Node-only): the server side
 * answers the `ws` client and headless Chromium, which must reach OPEN and
 * read a first frame sent right behind the 101; the client side opens a
 * connection to a `ws` server.
 */
import net from 'node:net';
import { launchChromium } from '../helpers/chromium.mjs';
import { describe, expect, it } from 'vitest';
import { ClientHandshake, encodeFrame, FrameDecoder, Opcode, ServerHandshake } from 'wscodec';
import WebSocket, { WebSocketServer } from 'ws';

/**
 * A raw TCP server that runs ServerHandshake on each connection, answers, and
 * sends a text frame `hello <subprotocol>` in the same write as the 101.
 */
async function rawServer(subprotocols: string[]) {
  const seen: { extensionsOffered: string[]; origin: string | undefined }[] = [];
  const server = net.createServer((socket) => {
    const hs = new ServerHandshake({ subprotocols });
    socket.on('error', () => {});
    socket.on('data', function onData(chunk: Buffer) {
      const r = hs.receive(chunk);
      if (r.type === 'incomplete') return;
      socket.off('data', onData);
      if (r.type === 'error') {
        socket.end(r.response);
        return;
      }
      seen.push({ extensionsOffered: r.request.extensions.map((e) => e.name), origin: r.request.origin });
      const { response, subprotocol } = hs.accept();
      const frame = encodeFrame({ opcode: Opcode.Text, payload: new TextEncoder().encode(`hello ${subprotocol ?? '-'}`) });
      socket.write(Buffer.concat([response, frame]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('ServerHandshake answers real clients', () => {
  it('the ws client reaches OPEN, with the subprotocol chosen and permessage-deflate declined', async () => {
    const server = await rawServer(['chat.v2', 'chat.v1']);
    const client = new WebSocket(`ws://127.0.0.1:${server.port}/live`, ['chat.v1', 'chat.v2']);
    const message = await new Promise<string>((resolve, reject) => {
      client.on('error', reject);
      client.on('message', (data) => resolve(String(data)));
    });
    expect(client.readyState).toBe(WebSocket.OPEN);
    expect(client.protocol).toBe('chat.v2');
    expect(client.extensions).toBe('');
    expect(message).toBe('hello chat.v2');
    expect(server.seen[0]?.extensionsOffered).toEqual(['permessage-deflate']);
    client.terminate();
    await server.close();
  });

  it('headless Chromium reaches OPEN', async () => {
    const server = await rawServer(['chat']);
    const browser = await launchChromium();
    try {
      const page = await browser.page();
      // Source text, not a function: this file's `WebSocket` is the ws import, and the
      // test transform would rewrite a reference to it inside a function.
      const result = await page.evaluate(`new Promise((resolve, reject) => {
        const socket = new WebSocket('ws://127.0.0.1:${server.port}/browser', ['chat']);
        socket.onmessage = (event) => resolve({ protocol: socket.protocol, extensions: socket.extensions, message: String(event.data) });
        socket.onerror = () => reject(new Error('WebSocket error'));
      })`);
      expect(result).toEqual({ protocol: 'chat', extensions: '', message: 'hello chat' });
      expect(server.seen[0]?.extensionsOffered).toEqual(['permessage-deflate']);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});

describe('ClientHandshake opens a connection to a ws server', () => {
  it('is accepted, learns the subprotocol, and keeps the first frame that follows the 101', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, handleProtocols: (protocols) => (protocols.has('b') ? 'b' : false) });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    wss.on('connection', (socket, request) => socket.send(`welcome ${request.headers['x-user']}`));
    const { port } = wss.address() as net.AddressInfo;

    const hs = new ClientHandshake({ url: `ws://127.0.0.1:${port}/chat`, subprotocols: ['a', 'b'], headers: { 'X-User': 'ada' } });
    const socket = net.connect(hs.endpoint.port, hs.endpoint.hostname);
    socket.write(hs.request());
    const decoder = new FrameDecoder({ role: 'client' });
    const outcome = await new Promise<{ subprotocol: string | undefined; text: string }>((resolve, reject) => {
      let subprotocol: string | undefined;
      let open = false;
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        let bytes: Uint8Array = chunk;
        if (!open) {
          const r = hs.receive(chunk);
          if (r.type === 'incomplete') return;
          if (r.type === 'error') return reject(r.error);
          open = true;
          subprotocol = r.subprotocol;
          bytes = r.rest;
        }
        for (const item of decoder.push(bytes)) {
          if (item.type === 'frame') resolve({ subprotocol, text: new TextDecoder().decode(item.payload) });
        }
      });
    });
    expect(outcome).toEqual({ subprotocol: 'b', text: 'welcome ada' });
    socket.destroy();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
});
