/**
 * Fuzz targets: each feeds one input, in chunks, to one entry point that
 * reads peer bytes, and checks what must hold for ANY input:
 *
 * - it never throws (peer input is reported, not thrown);
 * - at most one error, and nothing after it (nor after a Close);
 * - the right kind of code or status (1002/1007/1009; 400/414/431…);
 * - bounded output: no message over the limit, control payloads ≤ 125
 *   bytes, a bounded queue of automatic replies, a head no larger than its limit;
 * - the same outcome however the input is chunked (compared with the
 *   input in one piece);
 * - nothing from the peer written unchecked into what we send (rejections
 *   and Close frames are well-formed, with our codes).
 *
 * A new target (e.g. the permessage-deflate inflater) is one more object in
 * {@link targets}: seeds, and a `run` that throws on a broken invariant.
 */
import {
  ClientHandshake,
  computeAcceptKey,
  FrameDecoder,
  HttpHeadParser,
  ServerHandshake,
  WebSocketConnection,
  type Extension,
  type FrameDecoderOutput,
  type WebSocketEvent,
} from 'wscodec';
import { PerMessageDeflateClient, PerMessageDeflateServer } from 'wscodec/deflate';
import { concat as concatBytes, rawFrame, splitAt as chunksOf, utf8 } from '../helpers/bytes.ts';
import { squash, type FuzzTarget } from './engine.ts';

const LIMIT = 4096;
const FRAGMENTS = 64;

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
const same = (a: unknown, b: unknown, what: string) => {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  check(x === y, `${what} differs under re-chunking:\n  whole:   ${x.slice(0, 400)}\n  chunked: ${y.slice(0, 400)}`);
};
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);
/** No lone UTF-16 surrogate: what valid UTF-8 always decodes to. */
const wellFormed = (s: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

// ---------------------------------------------------------------------------
// Seeds: valid streams, built byte by byte after RFC 6455 §5.2.

const KEY = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
const frame = (opcode: number, payload: Uint8Array, masked: boolean, fin = true) => rawFrame({ opcode, payload, fin, mask: masked && KEY });
function frameStreams(masked: boolean): Uint8Array[] {
  const f = (op: number, p: Uint8Array | string, fin = true) => frame(op, typeof p === 'string' ? utf8(p) : p, masked, fin);
  const euro = utf8('€😀');
  return [
    f(1, 'Hello'),
    f(2, Uint8Array.of(1, 2, 3, 4, 5)),
    concatBytes([f(1, 'Hel', false), f(9, 'ping'), f(0, 'lo')]),
    concatBytes([f(1, euro.subarray(0, 2), false), f(0, euro.subarray(2, 5), false), f(0, euro.subarray(5))]),
    concatBytes([f(2, new Uint8Array(200).fill(7)), f(10, 'pong')]),
    f(2, new Uint8Array(300)),
    concatBytes([f(9, ''), f(9, new Uint8Array(125)), f(1, 'ok')]),
    f(8, concatBytes([Uint8Array.of(0x03, 0xe8), utf8('bye')])),
    concatBytes([f(1, 'κόσμε'), f(8, Uint8Array.of(0x0f, 0xa0))]),
    concatBytes([f(2, '', false), f(0, '', false), f(0, '')]),
    f(8, new Uint8Array(0)),
  ];
}

// ---------------------------------------------------------------------------
// Frame decoder (server role: frames must be masked).

const plainFrames = (out: FrameDecoderOutput[]) =>
  out.map((f) => (f.type === 'error' ? { error: f.code } : { op: f.opcode, fin: f.fin, rsv: [f.rsv1, f.rsv2, f.rsv3], masked: f.masked, p: Array.from(f.payload) }));

function decodeFrames(chunks: Uint8Array[]): FrameDecoderOutput[] {
  const decoder = new FrameDecoder({ role: 'server', maxFrameSize: LIMIT });
  const out: FrameDecoderOutput[] = [];
  let errorAt = -1;
  for (const chunk of chunks) {
    const got = decoder.push(chunk);
    if (errorAt !== -1) check(got.length === 0, 'output after an error');
    out.push(...got);
    if (got.some((f) => f.type === 'error') && errorAt === -1) errorAt = out.length;
  }
  return out;
}

const frameDecoder: FuzzTarget = {
  name: 'frame-decoder',
  seeds: () => frameStreams(true),
  run(input, cuts) {
    const whole = decodeFrames([input.slice()]);
    const errors = whole.filter((f) => f.type === 'error');
    check(errors.length <= 1, 'more than one error');
    if (errors.length === 1) check(whole.at(-1)!.type === 'error', 'error not last');
    for (const f of whole) {
      if (f.type === 'error') {
        check(f.code === 1002 || f.code === 1009, `error code ${f.code}`);
        check(typeof f.message === 'string' && f.message.length > 0, 'error without a message');
        continue;
      }
      check(f.masked, 'unmasked frame accepted by a server (§5.1)');
      check(f.payload.length <= LIMIT, `frame of ${f.payload.length} bytes over the limit`);
      check(!f.rsv1 && !f.rsv2 && !f.rsv3, 'RSV bit accepted without an extension');
      check([0, 1, 2, 8, 9, 10].includes(f.opcode), `reserved opcode ${f.opcode} accepted`);
      if (f.opcode >= 8) check(f.fin && f.payload.length <= 125, 'invalid control frame accepted (§5.5)');
    }
    same(plainFrames(whole), plainFrames(decodeFrames(chunksOf(input, cuts))), 'decoded frames');
    return squash(plainFrames(whole).map((f) => ('error' in f ? `e${f.error}` : `${f.op}${f.fin ? '' : '+'}`)));
  },
};

// ---------------------------------------------------------------------------
// Connection (both roles; the client in streaming mode).

const SENDABLE = (code: number) => (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
const MAX_OUTPUT = 16 * (2 + 4 + 125) + (2 + 4 + 125); // 16 automatic pongs and a Close frame

/** Events merged per message (streaming pieces joined), byte data as arrays. */
function normalize(events: WebSocketEvent[]): unknown[] {
  const out: unknown[] = [];
  let text: string | undefined;
  let bytes: number[] | undefined;
  for (const e of events) {
    if (e.type === 'text-fragment') {
      text = (text ?? '') + e.data;
      if (e.last) (out.push({ text }), (text = undefined));
    } else if (e.type === 'binary-fragment') {
      bytes = [...(bytes ?? []), ...e.data];
      if (e.last) (out.push({ binary: bytes }), (bytes = undefined));
    } else if (e.type === 'error') out.push({ error: e.code });
    else if (e.type === 'text' || e.type === 'close') out.push(e);
    else out.push({ [e.type]: Array.from(e.data) });
  }
  return out;
}

function runConnection(
  role: 'client' | 'server',
  chunks: Uint8Array[],
  streamMessages: boolean,
  extensions: () => Extension[] = () => [],
): { events: WebSocketEvent[]; sent: Uint8Array } {
  const conn = new WebSocketConnection({ role, maxMessageSize: LIMIT, maxFragments: FRAGMENTS, streamMessages, extensions: extensions() });
  const events: WebSocketEvent[] = [];
  const sent: Uint8Array[] = [];
  let ended = false;
  for (const chunk of chunks) {
    const got = conn.receive(chunk);
    if (ended) check(got.length === 0, 'events after an error or a Close');
    events.push(...got);
    if (got.some((e) => e.type === 'error' || e.type === 'close')) ended = true;
    const out = concatBytes(conn.dataToSend());
    check(out.length <= MAX_OUTPUT, `${out.length} bytes queued in answer to one chunk`);
    sent.push(out);
  }
  const eof = conn.receiveEof();
  check(JSON.stringify(eof) === JSON.stringify(ended ? [] : [{ type: 'close', code: 1006, reason: '' }]), `receiveEof gave ${JSON.stringify(eof)}`);
  check(conn.state === 'closed' && conn.shouldCloseTransport, 'not closed after EOF');
  return { events, sent: concatBytes(sent) };
}

/**
 * A connection target; `deflate` gives it permessage-deflate (RFC 7692) as
 * negotiated from a default client offer, and seeds of compressed messages,
 * so that the inflater reads the mutated input (bounded by LIMIT, §8 of the
 * RFC's security considerations).
 */
function connectionTarget(role: 'client' | 'server', streamMessages: boolean, deflate?: DeflateSetup): FuzzTarget {
  return {
    name: `connection-${role}${streamMessages ? '-streaming' : ''}${deflate ? '-deflate' : ''}`,
    seeds: () => (deflate ? deflate.seeds() : frameStreams(role === 'server')),
    run(input, cuts) {
      const { events, sent } = runConnection(role, [input.slice()], streamMessages, deflate?.extensions);
      const errors = events.filter((e) => e.type === 'error');
      const closes = events.filter((e) => e.type === 'close');
      check(errors.length + closes.length <= 1, 'more than one error or close');
      if (errors.length + closes.length === 1) check(['error', 'close'].includes(events.at(-1)!.type), 'error or close not last');
      let size = 0;
      for (const e of events) {
        if (e.type === 'error') check([1002, 1007, 1009].includes(e.code), `error code ${e.code}`);
        if (e.type === 'close') check(e.code === 1005 || SENDABLE(e.code), `close code ${e.code} reported`);
        if (e.type === 'text' || e.type === 'close') check(wellFormed(e.type === 'close' ? e.reason : e.data), 'text is not well-formed (lone surrogate)');
        if (e.type === 'text' || e.type === 'text-fragment') size += utf8(e.data).length;
        if (e.type === 'binary' || e.type === 'binary-fragment') size += e.data.length;
        if (e.type === 'ping' || e.type === 'pong') check(e.data.length <= 125, 'control payload over 125 bytes');
        if (e.type === 'text' || e.type === 'binary' || ((e.type === 'text-fragment' || e.type === 'binary-fragment') && e.last)) {
          check(size <= LIMIT, `message of ${size} bytes over the limit`);
          size = 0;
        }
      }
      // What we sent: pongs echoing pings, then at most one Close frame, with our code (§7.4.1).
      const replies = new FrameDecoder({ role: role === 'server' ? 'client' : 'server' }).push(sent);
      check(replies.every((f) => f.type === 'frame'), 'sent an invalid frame');
      const closesSent = replies.filter((f) => f.type === 'frame' && f.opcode === 8);
      check(closesSent.length <= 1, 'sent more than one Close frame');
      const last = events.at(-1);
      if (last?.type === 'error') {
        const close = closesSent[0];
        check(close !== undefined && close.type === 'frame', 'no Close frame after an error');
        check(((close.payload[0]! << 8) | close.payload[1]!) === last.code, 'Close frame code is not the error code');
      }
      same(normalize(events), normalize(runConnection(role, chunksOf(input, cuts), streamMessages, deflate?.extensions).events), 'events');
      return squash(events.map((e) => (e.type === 'error' || e.type === 'close' ? `${e.type}${e.code}` : e.type)));
    },
  };
}

// ---------------------------------------------------------------------------
// permessage-deflate (RFC 7692): a server that negotiated it with a client's
// default offer (`permessage-deflate; client_max_window_bits`), fed what such
// a client sends — compressed messages, context taken over between them.

interface DeflateSetup {
  /** The server's side of the negotiated extension, fresh for each run. */
  extensions: () => Extension[];
  seeds: () => Uint8Array[];
}

function negotiateDeflate(threshold: number): { server: Extension; client: Extension } {
  const clientFactory = new PerMessageDeflateClient({ threshold });
  const answer = new PerMessageDeflateServer({ threshold }).accept(clientFactory.offer(), []);
  if (answer === undefined) throw new Error('the default offer was declined');
  return { server: answer.extension, client: clientFactory.accept(answer.params, []) };
}

const deflateServer: DeflateSetup = {
  extensions: () => [negotiateDeflate(0).server],
  seeds() {
    const seed = (send: (client: WebSocketConnection) => void, threshold = 0) => {
      const client = new WebSocketConnection({ role: 'client', extensions: [negotiateDeflate(threshold).client], fragmentSize: 64 });
      send(client);
      return concatBytes(client.dataToSend());
    };
    const json = JSON.stringify({ user: 'κόσμε', items: Array.from({ length: 20 }, (_, i) => ({ id: i, ok: i % 3 === 0 })) });
    return [
      seed((c) => c.sendText('Hello')),
      seed((c) => (c.sendText(json), c.sendText(json), c.sendBinary(new Uint8Array(300).fill(7)))),
      seed((c) => (c.sendText('€😀'.repeat(30), { fin: false }), c.ping(utf8('ping')), c.sendText('end'))),
      seed((c) => (c.sendText(''), c.sendBinary(new Uint8Array(0)), c.close(1000, 'bye'))),
      seed((c) => (c.sendText('short'), c.sendText('x'.repeat(3000))), 100), // under the threshold: RSV1 clear
    ];
  },
};

// ---------------------------------------------------------------------------
// HTTP head parser (requests and responses).
//
// Known and accepted: WHICH rule a broken head is refused for may depend on
// the chunking, because a control byte in an unfinished line is refused at
// once ('invalid-characters', so a TLS ClientHello is refused without waiting
// for a line end) while a finished line is judged by its own rules first
// ('invalid-request-line', 'invalid-line-ending', … — or 'start-line-too-long'
// (414) / 'header-line-too-long' (431) for a line over the limit whose control
// byte came in an earlier chunk). Refused either way; under re-chunking the
// outcome (refused, or the same head and rest) is compared, not the reason.
const outcome = (r: unknown) => (typeof r === 'object' && r !== null && 'error' in r ? 'refused' : r);

function parseHead(kind: 'request' | 'response', chunks: Uint8Array[]): unknown {
  const parser = kind === 'request' ? HttpHeadParser.request() : HttpHeadParser.response();
  for (let i = 0; i < chunks.length; i++) {
    const r = parser.push(chunks[i]!);
    if (r.type === 'incomplete') continue;
    if (r.type === 'error') {
      check([400, 414, 431].includes(r.error.status), `status ${r.error.status}`);
      check(parser.push(new Uint8Array(1)).type === 'error', 'error not sticky');
      return { error: r.error.reason };
    }
    const rest = concatBytes([r.rest, ...chunks.slice(i + 1)]);
    return { head: JSON.parse(JSON.stringify({ ...r.head, headers: [...r.head.headers] })), rest: Array.from(rest) };
  }
  return 'incomplete';
}

const HEAD_LIMIT = 16 * 1024;
const REQUEST = 'GET /chat?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Extensions: x-a; p=1, x-b\r\n\r\n';
const requests = () => [REQUEST, REQUEST.replace('\r\n\r\n', '\r\nCookie: a=b; c="d e"\r\n\r\n') + '\x81\x85', REQUEST.replace('GET', 'POST')].map(ascii);
const response = (key: string, extra = '') =>
  ascii(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAcceptKey(key)}\r\n${extra}\r\n`);
const CLIENT_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

const httpHead: FuzzTarget = {
  name: 'http-head',
  seeds: () => [...requests(), response(CLIENT_KEY), response(CLIENT_KEY, 'Sec-WebSocket-Protocol: chat\r\n'), ascii('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')],
  run(input, cuts) {
    const signature: string[] = [];
    for (const kind of ['request', 'response'] as const) {
      const whole = parseHead(kind, [input.slice()]);
      if (typeof whole === 'object' && whole !== null && 'head' in whole) {
        check(input.length - (whole as unknown as { rest: number[] }).rest.length <= HEAD_LIMIT, 'head over the size limit accepted');
      }
      same(outcome(whole), outcome(parseHead(kind, chunksOf(input, cuts))), `${kind} head`);
      signature.push(typeof whole === 'string' ? whole : 'error' in (whole as object) ? (whole as { error: string }).error : 'head');
    }
    return signature.join(',');
  },
};

// ---------------------------------------------------------------------------
// Handshake validators.

/** A response we send must be a well-formed head with only the header fields we chose. */
function checkOwnResponse(bytes: Uint8Array, status: number, allowed: readonly string[]): void {
  const parsed = HttpHeadParser.response().push(bytes);
  check(parsed.type === 'head', `our response does not parse: ${latin1(bytes.subarray(0, 200))}`);
  check(parsed.head.status === status, `response status ${parsed.head.status}, expected ${status}`);
  for (const [name] of parsed.head.headers) check(allowed.includes(name.toLowerCase()), `unexpected header ${name} in our response`);
}

function serverHandshake(chunks: Uint8Array[]): unknown {
  const hs = new ServerHandshake({ subprotocols: ['chat'] });
  for (let i = 0; i < chunks.length; i++) {
    const r = hs.receive(chunks[i]!);
    if (r.type === 'incomplete') continue;
    if (r.type === 'error') {
      check(r.error.status >= 400 && r.error.status <= 499, `status ${r.error.status}`);
      checkOwnResponse(r.response, r.error.status, ['connection', 'content-type', 'content-length', 'upgrade', 'sec-websocket-version', 'allow']);
      return { error: r.error.reason };
    }
    const { response: bytes, subprotocol } = hs.accept();
    checkOwnResponse(bytes, 101, ['upgrade', 'connection', 'sec-websocket-accept', 'sec-websocket-protocol']);
    const head = HttpHeadParser.response().push(bytes);
    check(head.type === 'head' && head.head.headers.get('sec-websocket-accept') === computeAcceptKey(r.request.key), 'wrong accept key');
    check(subprotocol === undefined || (subprotocol === 'chat' && r.request.subprotocols.includes('chat')), `subprotocol ${subprotocol}`);
    return { request: r.request.target, subprotocol, rest: Array.from(concatBytes([r.rest, ...chunks.slice(i + 1)])) };
  }
  return 'incomplete';
}

function clientHandshake(chunks: Uint8Array[]): unknown {
  const hs = new ClientHandshake({ url: 'ws://example.com/chat', subprotocols: ['chat'], key: CLIENT_KEY });
  for (let i = 0; i < chunks.length; i++) {
    const r = hs.receive(chunks[i]!);
    if (r.type === 'incomplete') continue;
    if (r.type === 'error') return { error: r.error.reason };
    // RFC 6455 §4.1 (client, items 1–6): accepted only for a 101 with the right upgrade headers and accept key.
    const h = r.response.headers;
    check(r.response.status === 101, `accepted status ${r.response.status}`);
    // RFC 7230 §7: empty list elements (an empty field, ", ") are ignored.
    const upgrade = (h.get('upgrade') ?? '').split(',').map((v) => v.trim().toLowerCase()).filter((v) => v !== '');
    check(upgrade.every((v) => v === 'websocket'), `accepted Upgrade: ${h.get('upgrade')}`);
    check((h.get('connection') ?? '').toLowerCase().split(',').some((t) => t.trim() === 'upgrade'), 'accepted without Connection: Upgrade');
    check(h.get('sec-websocket-accept') === computeAcceptKey(CLIENT_KEY), 'accepted a wrong Sec-WebSocket-Accept');
    check(r.subprotocol === undefined || r.subprotocol === 'chat', `accepted subprotocol ${r.subprotocol}`);
    check(r.extensions.length === 0 && h.get('sec-websocket-extensions') === undefined, 'accepted an extension never offered');
    return { subprotocol: r.subprotocol, rest: Array.from(concatBytes([r.rest, ...chunks.slice(i + 1)])) };
  }
  return 'incomplete';
}

const handshakeServer: FuzzTarget = {
  name: 'handshake-server',
  seeds: requests,
  run(input, cuts) {
    const whole = serverHandshake([input.slice()]);
    same(outcome(whole), outcome(serverHandshake(chunksOf(input, cuts))), 'server handshake');
    return JSON.stringify(whole).slice(0, 40);
  },
};

const handshakeClient: FuzzTarget = {
  name: 'handshake-client',
  seeds: () => [response(CLIENT_KEY), response(CLIENT_KEY, 'Sec-WebSocket-Protocol: chat\r\n'), concatBytes([response(CLIENT_KEY), Uint8Array.of(0x81, 0x02, 0x68, 0x69)])],
  run(input, cuts) {
    const whole = clientHandshake([input.slice()]);
    same(outcome(whole), outcome(clientHandshake(chunksOf(input, cuts))), 'client handshake');
    return JSON.stringify(whole).slice(0, 40);
  },
};

/** Every target, by name. */
export const targets: readonly FuzzTarget[] = [
  frameDecoder,
  connectionTarget('server', false),
  connectionTarget('client', true),
  connectionTarget('server', false, deflateServer),
  httpHead,
  handshakeServer,
  handshakeClient,
];
