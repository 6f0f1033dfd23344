/**
 * Helpers for the permessage-deflate tests: negotiation through the real
 * handshakes (headers written and parsed), connection pairs, frame
 * inspection, and the message data sets of Autobahn's sections 12 and 13.
 * Portable: no Node API.
 */
import {
  ClientHandshake,
  FrameDecoder,
  parseExtensions,
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
import { binaryLike, random } from './data.mjs';

export { binaryLike };

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

/** Autobahn 12.x/13.x data sets: text ones as strings, binary ones as bytes (prose sent as binary included). */
export const DATA_SETS: ReadonlyArray<{ name: string; make: (size: number, seed: number) => string | Uint8Array }> = [
  { name: 'JSON text', make: json },
  { name: 'HTML text', make: html },
  { name: 'image-like binary', make: binaryLike },
  { name: 'PDF-like binary', make: pdfLike },
  { name: 'prose as binary', make: (size, seed) => ascii(prose(size, seed)) },
];

/** PDF-like data of `size` bytes: text object headers between binary streams. */
export function pdfLike(size: number, seed: number): Uint8Array {
  const next = random(seed);
  const out = new Uint8Array(size);
  let i = 0;
  for (let n = 0; i < size; n++) {
    const part = n % 2 === 0 ? ascii(`${n} 0 obj\n<< /Length ${Math.floor(next() * 4000)} /Filter /FlateDecode >>\nstream\n`) : binaryLike(64 + Math.floor(next() * 1000), Math.floor(next() * 1e9));
    out.set(part.subarray(0, size - i), i);
    i += Math.min(part.length, size - i);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Autobahn|Testsuite sections 12 and 13, sans-I/O.

/**
 * The 18 cases of each group of Autobahn's sections 12 and 13: message size
 * and auto-fragmentation size (0: one frame), in case order.
 */
export const AUTOBAHN_SIZES: ReadonlyArray<readonly [size: number, fragmentSize: number]> = [
  [16, 0], [64, 0], [256, 0], [1024, 0], [4096, 0], [8192, 0], [16384, 0], [32768, 0], [65536, 0], [131072, 0],
  [8192, 256], [16384, 256], [32768, 256], [65536, 256], [131072, 256], [131072, 1024], [131072, 4096], [131072, 32768],
];

/**
 * Section 13's parameter groups, as the client's offers: each offer is
 * (no context takeover, max window bits) asked of the server, and the client
 * accepts no-context-takeover and a window limit for itself
 * (`client_no_context_takeover; client_max_window_bits`). 13.7 makes three
 * offers at once; the server takes the first.
 */
export const AUTOBAHN_13: ReadonlyArray<{ group: string; offers: ReadonlyArray<readonly [noContextTakeover: boolean, maxWindowBits: number]> }> = [
  { group: '13.1', offers: [[false, 0]] },
  { group: '13.2', offers: [[true, 0]] },
  { group: '13.3', offers: [[false, 9]] },
  { group: '13.4', offers: [[false, 15]] },
  { group: '13.5', offers: [[true, 9]] },
  { group: '13.6', offers: [[true, 15]] },
  { group: '13.7', offers: [[true, 9], [true, 0], [false, 0]] },
];

/** The Sec-WebSocket-Extensions value of an Autobahn section 13 offer list. */
export function autobahnOffer(offers: ReadonlyArray<readonly [boolean, number]>): string {
  return offers
    .map(([noContext, bits]) => `permessage-deflate; client_no_context_takeover; client_max_window_bits${noContext ? '; server_no_context_takeover' : ''}${bits ? `; server_max_window_bits=${bits}` : ''}`)
    .join(', ');
}

/**
 * Both ends of a connection negotiated from a raw offer header (several
 * offers allowed): the server through `ServerHandshake`, the client through
 * the options of the offer the server took.
 */
export function negotiateOffers(offers: ReadonlyArray<readonly [boolean, number]>, serverOptions: PerMessageDeflateOptions = { threshold: 0 }): Negotiated {
  const handshake = new ServerHandshake({ extensions: [new PerMessageDeflateServer(serverOptions)] });
  const request = `GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: ${autobahnOffer(offers)}\r\n\r\n`;
  if (handshake.receive(ascii(request)).type !== 'request') throw new Error('request refused');
  const accepted = handshake.accept();
  const header = /\r\nSec-WebSocket-Extensions: ([^\r]*)\r\n/i.exec(new TextDecoder().decode(accepted.response))?.[1];
  const answer = parseExtensions(header === undefined ? [] : [header]);
  if (answer === undefined || answer.length !== 1) throw new Error(`no permessage-deflate answer: ${header}`);
  // The client that made the offer the server answered (the first acceptable one).
  const taken = offers.find(([noContext, bits]) => answer[0]!.params.some(([n]) => n === 'server_no_context_takeover') === noContext && (bits === 0 || answer[0]!.params.some(([n, v]) => n === 'server_max_window_bits' && Number(v) <= bits)))!;
  const client = new PerMessageDeflateClient({
    threshold: 0,
    clientNoContextTakeover: true,
    serverNoContextTakeover: taken[0],
    ...(taken[1] ? { serverMaxWindowBits: taken[1] } : {}),
  });
  return { server: accepted.extensions, client: [client.accept(answer[0]!.params, [])], header };
}

/** Options of one Autobahn-style echo case. */
export interface EchoCase {
  /** The role of the codec under test; the peer plays the other. */
  role: Role;
  negotiated: Negotiated;
  /** Messages the peer sends, each echoed by the codec. */
  messages: ReadonlyArray<string | Uint8Array>;
  /** The peer's auto-fragmentation size (0: one frame per message). */
  fragmentSize: number;
  /** Bytes per chunk when delivering to the codec (Infinity: whole). */
  chunkSize?: number;
}

/**
 * Runs one case: the peer sends each message compressed, the codec (an echo
 * endpoint, compressing every echo) sends it back, and the peer checks the
 * echo byte for byte. Returns the first mismatch as text, or `undefined`.
 * Also checks that every data frame the peer sent and got back has RSV1 on
 * its first frame (every message compressed both ways).
 */
export function runEchoCase(c: EchoCase): string | undefined {
  const limits = { maxMessageSize: 1 << 24, maxFrameSize: 1 << 24, maxFragments: 65_536 };
  const peerRole: Role = c.role === 'server' ? 'client' : 'server';
  const codec = new WebSocketConnection({ ...limits, role: c.role, extensions: c.role === 'server' ? c.negotiated.server : c.negotiated.client });
  const peer = new WebSocketConnection({
    ...limits,
    role: peerRole,
    extensions: peerRole === 'server' ? c.negotiated.server : c.negotiated.client,
    ...(c.fragmentSize > 0 ? { fragmentSize: c.fragmentSize } : {}),
  });
  const peerReader = new FrameDecoder({ role: peerRole, allowedRsv: 0x40 });
  for (const [i, message] of c.messages.entries()) {
    if (typeof message === 'string') peer.sendText(message);
    else peer.sendBinary(message);
    const sent = peer.dataToSend();
    const firstFrame = framesOf(sent, c.role)[0];
    if (firstFrame?.rsv1 !== true) return `message ${i}: the peer's message was not compressed`;
    for (const chunk of sent) {
      for (let at = 0; at < chunk.length; at += c.chunkSize ?? Infinity) {
        for (const event of codec.receive(chunk.subarray(at, Math.min(chunk.length, at + (c.chunkSize ?? Infinity))))) {
          if (event.type === 'text') codec.sendText(event.data);
          else if (event.type === 'binary') codec.sendBinary(event.data);
          else return `message ${i}: the codec reported ${JSON.stringify(event)}`;
        }
      }
    }
    const echo = codec.dataToSend();
    const echoFrames = echo.flatMap((b) => peerReader.push(b.slice()));
    if (echoFrames[0]?.type !== 'frame' || !echoFrames[0].rsv1) return `message ${i}: the echo was not compressed`;
    const events = echo.flatMap((b) => peer.receive(b));
    const expected: WebSocketEvent = typeof message === 'string' ? { type: 'text', data: message } : { type: 'binary', data: message };
    if (events.length !== 1 || events[0]!.type !== expected.type || !sameData(events[0]!, expected)) {
      return `message ${i} (${typeof message === 'string' ? 'text' : 'binary'}, ${message.length}): echo differs: ${JSON.stringify(events.map((e) => e.type))}`;
    }
  }
  return undefined;
}

function sameData(a: WebSocketEvent, b: WebSocketEvent): boolean {
  if (a.type === 'text' && b.type === 'text') return a.data === b.data;
  if (a.type === 'binary' && b.type === 'binary') return a.data.length === b.data.length && a.data.every((x, i) => x === b.data[i]);
  return false;
}
