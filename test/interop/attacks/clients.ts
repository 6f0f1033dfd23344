/**
 * Hostile clients: raw TCP sockets that write what an attacker writes, as
 * fast or as slowly as it likes, and record what the server answers and when
 * it closes. Only 127.0.0.1; every loop is bounded in bytes and time.
 */
import { connect, type Socket } from 'node:net';
import { constants as zlib, deflateRawSync, inflateRawSync } from 'node:zlib';
import { concat, type ReadFrame } from '../helpers/raw.js';
import { openWs } from '../helpers/ws-client.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** A fixed handshake key (RFC 6455 §1.3's sample nonce). */
export const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** An upgrade request's head, with `extra` header lines inserted before the final empty line. */
export function upgradeRequest(extra: string[] = [], end = '\r\n'): string {
  const lines = ['GET / HTTP/1.1', 'Host: 127.0.0.1', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${KEY}`, 'Sec-WebSocket-Version: 13', ...extra];
  return `${lines.join('\r\n')}\r\n${end}`;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A raw connection and everything the server sends on it. */
export interface RawConnection {
  socket: Socket;
  /** Bytes received so far. */
  received(): Uint8Array;
  /** The response text so far (Latin-1). */
  text(): string;
  /** Whether the server ended or reset the connection. */
  readonly closedByServer: boolean;
  /** Resolves once the connection is fully closed; false if `timeoutMs` passed first. */
  closed(timeoutMs: number): Promise<boolean>;
  /** Resolves once `predicate` holds for the received text, or false after `timeoutMs`. */
  until(predicate: (text: string) => boolean, timeoutMs: number): Promise<boolean>;
}

/**
 * Opens a TCP connection to the server. With `allowHalfOpen`, the server's
 * FIN does not end our side: we may write on until we end it ourselves.
 */
export function openRaw(port: number, { allowHalfOpen = false } = {}): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen });
    const chunks: Uint8Array[] = [];
    let size = 0;
    let closedByServer = false;
    let closed = false;
    const waiters = new Set<() => void>();
    const wake = () => {
      for (const waiter of waiters) waiter();
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      wake();
    });
    socket.on('end', () => {
      closedByServer = true;
      wake();
    });
    socket.on('error', () => {
      closedByServer = true; // ECONNRESET, EPIPE: the server dropped us
    });
    socket.on('close', () => {
      closed = true;
      wake();
    });
    const wait = (done: () => boolean, timeoutMs: number) =>
      new Promise<boolean>((settle) => {
        if (done()) return settle(true);
        const check = () => {
          if (!done()) return;
          clearTimeout(timer);
          waiters.delete(check);
          settle(true);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          settle(done());
        }, timeoutMs);
        waiters.add(check);
      });
    const received = () => {
      if (chunks.length > 1) chunks.splice(0, chunks.length, concat(chunks));
      return chunks[0] ?? new Uint8Array(0);
    };
    const text = () => Buffer.from(received()).toString('latin1');
    const connection: RawConnection = {
      socket,
      received,
      text,
      get closedByServer() {
        return closedByServer;
      },
      closed: (timeoutMs) => wait(() => closed, timeoutMs),
      until: (predicate, timeoutMs) => wait(() => size > 0 && predicate(text()), timeoutMs),
    };
    socket.once('connect', () => resolve(connection));
    socket.once('error', reject);
  });
}

/** Opens a connection and completes the opening handshake (with `extra` header lines); frames follow. */
export async function openWebSocket(port: number, options: { allowHalfOpen?: boolean } = {}, extra: string[] = []): Promise<RawConnection> {
  const connection = await openRaw(port, options);
  connection.socket.write(upgradeRequest(extra));
  if (!(await connection.until((t) => t.includes('\r\n\r\n'), 10_000)) || !connection.text().startsWith('HTTP/1.1 101 ')) {
    throw new Error(`handshake refused: ${connection.text().slice(0, 200)}`);
  }
  return connection;
}

/** The status code of an HTTP response, or undefined. */
export function statusOf(text: string): number | undefined {
  const match = /^HTTP\/1\.1 (\d{3}) /.exec(text);
  return match ? Number(match[1]) : undefined;
}

export interface FloodResult {
  /** Bytes the socket accepted (handed to the kernel or buffered by our socket). */
  written: number;
  /** Whether writing stalled: no drain for `stallMs`, i.e. the server stopped reading. */
  stalled: boolean;
}

/**
 * Writes the chunks `next` gives, as fast as the socket takes them, until
 * `next` returns undefined, the server closes (or, with `ignoreFin`, resets
 * the connection: an attacker need not stop at the server's FIN), or the
 * socket stops draining for `stallMs`.
 */
export async function flood(
  connection: RawConnection,
  next: () => Uint8Array | undefined,
  { stallMs = 1_000, ignoreFin = false }: { stallMs?: number; ignoreFin?: boolean } = {},
): Promise<FloodResult> {
  const { socket } = connection;
  let written = 0;
  for (;;) {
    if ((connection.closedByServer && !ignoreFin) || socket.destroyed || !socket.writable) return { written, stalled: false };
    const chunk = next();
    if (chunk === undefined) return { written, stalled: false };
    written += chunk.length;
    if (socket.write(chunk)) continue;
    const drained = await new Promise<boolean>((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        socket.off('drain', onDrain);
        socket.off('close', onClose);
        resolve(value);
      };
      const onDrain = () => done(true);
      const onClose = () => done(true);
      const timer = setTimeout(() => done(false), stallMs);
      socket.on('drain', onDrain);
      socket.on('close', onClose);
    });
    if (!drained) return { written, stalled: true };
  }
}

/** `count` chunks of `chunk` (the same bytes each time), then undefined. */
export function repeat(chunk: Uint8Array, count: number): () => Uint8Array | undefined {
  let left = count;
  return () => (left-- > 0 ? chunk : undefined);
}

/** Whether the server still serves a well-behaved client: a handshake and an echo. */
export async function stillServing(url: string): Promise<boolean> {
  const client = await openWs(url);
  client.ws.send('still there?');
  const echoed = await client.next();
  client.ws.close(1000);
  await client.closed;
  return echoed.data.toString() === 'still there?';
}

/** The offer a browser sends (RFC 7692 §7.1.2.1), and the one that also asks the server not to keep its window. */
export const DEFLATE_OFFER = 'permessage-deflate; client_max_window_bits';
export const DEFLATE_OFFER_NO_CONTEXT = 'permessage-deflate; client_max_window_bits; server_no_context_takeover';

/**
 * Opens a connection offering permessage-deflate (`offer`) and returns it with
 * the server's `Sec-WebSocket-Extensions` answer ('' when it declined).
 */
export async function openDeflate(port: number, offer = DEFLATE_OFFER, options: { allowHalfOpen?: boolean } = {}): Promise<{ connection: RawConnection; answer: string }> {
  const connection = await openWebSocket(port, options, [`Sec-WebSocket-Extensions: ${offer}`]);
  const head = connection.text().slice(0, connection.text().indexOf('\r\n\r\n'));
  const answer = /^sec-websocket-extensions:[ \t]*(.*?)[ \t]*$/im.exec(head)?.[1] ?? '';
  return { connection, answer };
}

/** The end of a sync flush (RFC 7692 §7.2.1). */
const TAIL = Uint8Array.of(0x00, 0x00, 0xff, 0xff);

/** A message compressed as RFC 7692 §7.2.1 says: raw DEFLATE, a sync flush, its `00 00 ff ff` removed. */
export function compressMessage(data: Uint8Array, level = 6): Uint8Array {
  const out = deflateRawSync(data, { level, finishFlush: zlib.Z_SYNC_FLUSH });
  return new Uint8Array(out.buffer, out.byteOffset, out.length - TAIL.length);
}

/** Inflates a compressed message that starts a DEFLATE stream of its own (RFC 7692 §7.2.2: the tail appended). */
export function inflateMessage(payload: Uint8Array): Uint8Array {
  return inflateRawSync(concat([payload, TAIL]), { finishFlush: zlib.Z_SYNC_FLUSH });
}

/** The data messages in `frames`: each with whether its first frame had RSV1, and its joined payload. */
export function serverMessages(frames: ReadFrame[]): { rsv1: boolean; opcode: number; payload: Uint8Array }[] {
  const messages: { rsv1: boolean; opcode: number; payload: Uint8Array }[] = [];
  let parts: Uint8Array[] = [];
  let first: ReadFrame | undefined;
  for (const frame of frames) {
    if (frame.opcode >= 0x8) continue;
    first ??= frame;
    parts.push(frame.payload);
    if (!frame.fin) continue;
    messages.push({ rsv1: first.rsv1, opcode: first.opcode, payload: concat(parts) });
    parts = [];
    first = undefined;
  }
  return messages;
}
