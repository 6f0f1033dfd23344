/**
 * Helpers for the permessage-deflate tests: negotiation through the real
 * handshakes (headers written and parsed), connection pairs, frame
 * inspection, and the message data sets of Autobahn's sections 12 and 13.
 * Portable: no Node API.
 */
import {
  ClientHandshake,
  FrameDecoder,
  ServerHandshake,
  WebSocketConnection,
  type Extension,
  type Frame,
  type Role,
  type WebSocketConnectionOptions,
  type WebSocketEvent,
} from 'wscodec';
import { PerMessageDeflateClient, PerMessageDeflateServer, type PerMessageDeflateOptions } from 'wscodec/deflate';
import { ascii } from './bytes.ts';

/** What one full handshake made of the options: each side's extensions and the response header. */
export interface Negotiated {
  server: Extension[];
  client: Extension[];
  header: string | undefined;
}

/**
 * Runs both handshakes with deflate factories for the given options (the
 * client's `offers` several times when given a list, in that order) and
 * returns what each side agreed. Throws if the client refused the response.
 */
export function negotiate(serverOptions: PerMessageDeflateOptions | undefined, clientOptions: PerMessageDeflateOptions | undefined): Negotiated {
  const client = new ClientHandshake({
    url: 'ws://127.0.0.1:9/',
    extensions: clientOptions === undefined ? [] : [new PerMessageDeflateClient(clientOptions)],
  });
  return negotiateRequest(client, serverOptions);
}

/** The server side of {@link negotiate} for a client handshake built by the caller. */
export function negotiateRequest(client: ClientHandshake, serverOptions: PerMessageDeflateOptions | undefined): Negotiated {
  const server = new ServerHandshake({ extensions: serverOptions === undefined ? [] : [new PerMessageDeflateServer(serverOptions)] });
  const received = server.receive(client.request());
  if (received.type !== 'request') throw new Error(`server refused the request: ${received.type}`);
  const accepted = server.accept();
  const answer = client.receive(accepted.response);
  if (answer.type !== 'accepted') throw answer.type === 'error' ? answer.error : new Error(answer.type);
  return { server: accepted.extensions, client: answer.extensions, header: answer.response.headers.get('Sec-WebSocket-Extensions') };
}

/** A server and a client connection with deflate negotiated for the given options. */
export function connectedPair(
  serverOptions: PerMessageDeflateOptions,
  clientOptions: PerMessageDeflateOptions,
  connectionOptions: Omit<WebSocketConnectionOptions, 'role' | 'extensions'> = {},
): { server: WebSocketConnection; client: WebSocketConnection; negotiated: Negotiated } {
  const negotiated = negotiate(serverOptions, clientOptions);
  return {
    server: new WebSocketConnection({ ...connectionOptions, role: 'server', extensions: negotiated.server }),
    client: new WebSocketConnection({ ...connectionOptions, role: 'client', extensions: negotiated.client }),
    negotiated,
  };
}

/** Moves what `from` queued to `to`, in chunks cut by `chunk(i)` bytes (whole chunks by default); returns `to`'s events. */
export function transfer(from: WebSocketConnection, to: WebSocketConnection, chunkSize = Infinity): WebSocketEvent[] {
  const events: WebSocketEvent[] = [];
  for (const bytes of from.dataToSend()) {
    for (let i = 0; i < bytes.length; i += chunkSize) events.push(...to.receive(bytes.slice(i, Math.min(i + chunkSize, bytes.length))));
    if (bytes.length === 0) events.push(...to.receive(bytes));
  }
  return events;
}

/** The frames in `chunks`, read by a decoder of `readerRole` that allows RSV1. */
export function framesOf(chunks: readonly Uint8Array[], readerRole: Role): Frame[] {
  const decoder = new FrameDecoder({ role: readerRole, allowedRsv: 0x40 });
  const out = chunks.flatMap((c) => decoder.push(c.slice()));
  for (const item of out) if (item.type === 'error') throw new Error(`sent an invalid frame: ${item.message}`);
  return out.filter((f): f is Frame => f.type === 'frame');
}

/** A deterministic pseudo-random generator (xorshift32), so data sets are the same in every runtime. */
export function random(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const WORDS = 'the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she there one all we can their has been if more when will would who so no'.split(' ');

/** Prose-like text of exactly `size` bytes. */
export function prose(size: number, seed: number): string {
  const next = random(seed);
  let text = '';
  while (text.length < size) text += WORDS[Math.floor(next() * WORDS.length)]! + (next() < 0.1 ? '. ' : ' ');
  return text.slice(0, size);
}

/** JSON-like text of exactly `size` bytes (objects with keys and numbers, as APIs send). */
export function json(size: number, seed: number): string {
  const next = random(seed);
  let text = '[';
  while (text.length < size) {
    text += `{"id":${Math.floor(next() * 1e6)},"name":"${WORDS[Math.floor(next() * WORDS.length)]}","score":${(next() * 100).toFixed(3)},"tags":["${WORDS[Math.floor(next() * WORDS.length)]}"]},`;
  }
  return text.slice(0, size);
}

/** HTML-like text of exactly `size` bytes. */
export function html(size: number, seed: number): string {
  const next = random(seed);
  let text = '<!doctype html><html><body>';
  while (text.length < size) {
    const tag = ['p', 'div', 'span', 'li', 'a'][Math.floor(next() * 5)]!;
    text += `<${tag} class="c${Math.floor(next() * 20)}">${prose(20 + Math.floor(next() * 60), Math.floor(next() * 1e9))}</${tag}>\n`;
  }
  return text.slice(0, size);
}

/** Binary data of `size` bytes that compresses somewhat, like images or PDF streams: runs, repeats and noise. */
export function binaryLike(size: number, seed: number): Uint8Array {
  const next = random(seed);
  const out = new Uint8Array(size);
  let i = 0;
  while (i < size) {
    const kind = next();
    const length = Math.min(size - i, 1 + Math.floor(next() * 64));
    if (kind < 0.3) out.fill(Math.floor(next() * 256), i, i + length);
    else if (kind < 0.6 && i > 256) out.copyWithin(i, i - 1 - Math.floor(next() * 256), i - 1 - Math.floor(next() * 256) + length);
    else for (let j = 0; j < length; j++) out[i + j] = Math.floor(next() * 256);
    i += length;
  }
  return out;
}

/** Autobahn 12.x/13.x data sets: text ones as strings, binary ones as bytes (prose sent as binary included). */
export const DATA_SETS: ReadonlyArray<{ name: string; make: (size: number, seed: number) => string | Uint8Array }> = [
  { name: 'JSON text', make: json },
  { name: 'HTML text', make: html },
  { name: 'image-like binary', make: binaryLike },
  { name: 'prose as binary', make: (size, seed) => ascii(prose(size, seed)) },
];
