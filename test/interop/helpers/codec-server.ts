/**
 * The codec's side of the "codec server ← peer client" tests: an echo server
 * on examples/node-adapter.mjs (so on the built package) that also obeys the
 * `cmd:` text commands of the interop peers (see peers/websockets_server.py)
 * and records how each connection closed.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { acceptSocket } from '../../../examples/node-adapter.mjs';
import { ECHO_LIMITS, echoServerHandshake } from '../../../examples/echo.mjs';
import { countCompression, renderOffers, type CompressionCounts } from './deflate.js';

export interface ClosedConnection {
  code: number | undefined;
  reason: string;
}

/** What one connection negotiated (servers started with `deflate`). */
export interface OpenedConnection {
  /** The client's Sec-WebSocket-Extensions offer, rendered (`''` for none). */
  offer: string;
  /** The extensions accepted, by name. */
  extensions: string[];
  /** Compressed messages received and sent so far on it (permessage-deflate). */
  compression: CompressionCounts | undefined;
}

export interface CodecServer {
  url: string;
  port: number;
  /** How each connection ended, in order: the peer's close code, or the code the server failed it with. */
  closes: ClosedConnection[];
  /** What each connection negotiated, in the order they opened. */
  opens: OpenedConnection[];
  /** Resolves when `count` connections have closed. */
  closedCount(count: number, timeoutMs?: number): Promise<ClosedConnection[]>;
  /** Resolves with the first close at index `from` or later that equals `expected`. */
  sawClose(expected: ClosedConnection, from: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Close timeout of the test server: short, so a test can see a silent peer dropped. */
export const TEST_CLOSE_TIMEOUT_MS = 1_000;

/**
 * @param options.deflate - accept permessage-deflate offers as examples/echo-server.mjs does
 * (compressing every message); by default the server declines every extension.
 */
export async function startCodecServer(options: { deflate?: boolean } = {}): Promise<CodecServer> {
  const closes: ClosedConnection[] = [];
  const opens: OpenedConnection[] = [];
  const sockets = new Set<Socket>();
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let pingPayload: string | undefined;
    acceptSocket(socket, {
      server: echoServerHandshake(options.deflate === true),
      connection: ECHO_LIMITS,
      onOpen(session) {
        const deflate = session.extensions.find((e) => e.name === 'permessage-deflate');
        opens.push({
          offer: renderOffers(session.request?.extensions ?? []),
          extensions: session.extensions.map((e) => e.name),
          compression: deflate && countCompression(deflate),
        });
      },
      closeTimeoutMs: TEST_CLOSE_TIMEOUT_MS,
      onEvent(session, event) {
        if (event.type === 'binary') session.sendBinary(event.data);
        else if (event.type === 'pong' && pingPayload !== undefined && decoder.decode(event.data) === pingPayload) {
          session.sendText(`pong:${pingPayload}`);
          pingPayload = undefined;
        } else if (event.type === 'text') {
          if (!event.data.startsWith('cmd:')) {
            session.sendText(event.data);
            return;
          }
          const [, name, arg1 = '', ...rest] = event.data.split(':');
          if (name === 'close') session.close(Number(arg1), rest.join(':'));
          else if (name === 'ping') {
            pingPayload = arg1;
            session.ping(encoder.encode(arg1));
          } else if (name === 'fragments') {
            const count = Number(arg1);
            for (let i = 0; i < count; i++) session.sendText(`part${i};`, { fin: i === count - 1 });
          }
        }
      },
      onClose(session) {
        closes.push({ code: session.closeCode, reason: session.closeReason });
        notify();
      },
    });
  });
  const waitUntil = (condition: () => boolean, failure: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const listener = () => {
        if (!condition()) return;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve();
      };
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(failure));
      }, timeoutMs);
      listeners.add(listener);
      listener();
    });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/interop`,
    port,
    closes,
    opens,
    closedCount(count, timeoutMs = 20_000) {
      return waitUntil(() => closes.length >= count, `only ${closes.length} of ${count} connections closed`, timeoutMs).then(
        () => closes,
      );
    },
    sawClose(expected, from, timeoutMs = 20_000) {
      const matches = () => closes.slice(from).some((c) => c.code === expected.code && c.reason === expected.reason);
      return waitUntil(matches, `no close ${JSON.stringify(expected)} among ${JSON.stringify(closes.slice(from))}`, timeoutMs);
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
