/**
 * A `ws` (npm) client whose messages and close are awaited in order, and the
 * payloads the Node-side interop tests send.
 */
import WebSocket from 'ws';

const MiB = 1 << 20;

/** Message sizes: the boundaries of the 7-, 16- and 64-bit lengths (RFC 6455 §5.2), then 1 and 16 MiB. */
export const SIZES = [0, 1, 125, 126, 65535, 65536, MiB, 16 * MiB];

/** A string of exactly `size` UTF-8 bytes, with 2- and 3-byte characters. */
export function textOf(size: number): string {
  return 'é€x'.repeat(Math.floor(size / 6)) + 'x'.repeat(size % 6);
}

/** `size` bytes of a fixed, non-repeating-looking pattern. */
export function binaryOf(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + (i >> 8)) & 0xff;
  return out;
}

/** Opens a `ws` client; without `options`, it offers no extension. */
export async function openWs(url: string, options: WebSocket.ClientOptions = {}) {
  const ws = new WebSocket(url, { maxPayload: 64 * MiB, perMessageDeflate: false, ...options });
  // The server's Sec-WebSocket-Extensions answer, as sent (ws.extensions only names the extensions).
  let extensionsHeader: string | undefined;
  ws.once('upgrade', (response) => (extensionsHeader = response.headers['sec-websocket-extensions']));
  const queue: { data: Buffer; isBinary: boolean }[] = [];
  let wake = () => {};
  let isClosed = false;
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    queue.push({ data, isBinary });
    wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code: number, reason: Buffer) => {
      isClosed = true;
      wake();
      resolve({ code, reason: reason.toString() });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = async () => {
    while (queue.length === 0) {
      if (isClosed) throw new Error(`closed while waiting for a message: ${JSON.stringify(await closed)}`);
      await new Promise<void>((resolve) => (wake = resolve));
    }
    return queue.shift()!;
  };
  return { ws, next, closed, extensionsHeader };
}
