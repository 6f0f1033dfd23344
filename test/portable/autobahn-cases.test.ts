/**
 * Autobahn|Testsuite's fuzzingclient cases (sections 1–7, section 9 reduced,
 * 10.1.1) as a sans-I/O conformance table: what each case sends, and what a
 * server must send back under Autobahn's strict verdict.
 *
 * The server under test is a `WebSocketConnection` wired as an echo endpoint,
 * exactly as the echo programs drive it (examples/echo.mjs, with their limits):
 * after each received chunk it echoes text and binary messages, then writes
 * `dataToSend()` (pongs, Close replies and failure Close frames are the
 * codec's own). The Autobahn client sends masked frames (`encodeFrame`, or
 * `rawFrame` for what `encodeFrame` refuses to build) and reads the server's
 * bytes with a client-role `FrameDecoder`, reassembling messages.
 *
 * Every case runs in several deliveries (all at once, frame by frame, and
 * chopped: 1-byte chunks or the case's own chop sizes), and each must give the
 * same, exact sequence: echoed messages (same type, same bytes), pongs with
 * the ping's payload, one Close frame with the expected code, nothing after
 * it, and the connection closed. Where Autobahn's client closes the
 * connection itself (its "closedByMe"), the case ends with its Close 1000;
 * after a failure, that Close must be ignored.
 *
 * Autobahn verdicts: STRICT (OK) is asserted everywhere. Autobahn accepts a
 * Close reply with "the expected code or empty" and, for 7.7.x, "normal or
 * echoed"; the codec echoes the peer's code (none for none), which is what is
 * asserted. 7.1.6 and 7.13.x are INFORMATIONAL in Autobahn; the codec's
 * behaviour is asserted and noted there.
 *
 * Case definitions (payloads, fragmentation, chop sizes, close codes) follow
 * crossbario/autobahn-testsuite, autobahntestsuite/case/case*.py.
 */
import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  FrameDecoder,
  Opcode,
  WebSocketConnection,
  type WebSocketConnectionOptions,
  type WebSocketEvent,
} from 'wscodec';
import { ascii, concat, hex, rawFrame, splitAt, utf8 } from '../helpers/bytes.ts';
import { failure, withoutMessages } from '../helpers/events.ts';

const EMPTY = new Uint8Array(0);
type Payload = Uint8Array | string;
const bytesOf = (p: Payload): Uint8Array => (typeof p === 'string' ? utf8(p) : p);
const star = (n: number) => ascii('*'.repeat(n)); // Autobahn's text payloads
const fe = (n: number) => new Uint8Array(n).fill(0xfe); // Autobahn's binary payloads
const HELLO = 'Hello, world!';
const BIN8 = hex('00 ff fe fd fc fb 00 ff');
/** κόσμε: Autobahn's multi-byte UTF-8 text. */
const KOSME = hex('ce ba e1 bd b9 cf 83 ce bc ce b5');
/** κόσμε, then U+D800 encoded (a surrogate: invalid at its 2nd byte, a0), then "edited" (6.3.1, 7.5.1). */
const INVALID_UTF8 = concat([KOSME, hex('ed a0 80'), ascii('edited')]);

/** The limits of the echo programs (examples/echo.mjs), which admit Autobahn's section 9. */
const ECHO_OPTIONS: WebSocketConnectionOptions = {
  role: 'server',
  maxMessageSize: 16 * 1024 * 1024,
  maxFrameSize: 16 * 1024 * 1024,
  maxFragments: 65_536,
};

// ---------------------------------------------------------------------------
// The Autobahn client: masked frames (RFC 6455 §5.3).

const closePayload = (code: number, reason: Payload = EMPTY) =>
  concat([Uint8Array.of(code >> 8, code & 255), bytesOf(reason)]);
const frame = (opcode: Opcode, p: Payload, fin = true) => encodeFrame({ opcode, payload: bytesOf(p), fin, mask: true });
const tx = {
  text: (p: Payload, fin = true) => frame(Opcode.Text, p, fin),
  binary: (p: Payload, fin = true) => frame(Opcode.Binary, p, fin),
  cont: (p: Payload, fin = true) => frame(Opcode.Continuation, p, fin),
  ping: (p: Payload = EMPTY) => frame(Opcode.Ping, p),
  pong: (p: Payload = EMPTY) => frame(Opcode.Pong, p),
  close: (code?: number, reason?: Payload) => frame(Opcode.Close, code === undefined ? EMPTY : closePayload(code, reason)),
  /** Reserved opcodes and bits, fragmented or oversized control frames: what encodeFrame refuses to build. */
  raw: (opcode: number, p: Payload = EMPTY, more: { fin?: boolean; rsv?: number } = {}) =>
    rawFrame({ opcode, payload: bytesOf(p), mask: true, ...more }),
};
/** Autobahn's client closes the connection normally at the end of a case. */
const CLOSE = () => tx.close(1000);
/** Fragments of at most `size` bytes: a text or binary message, then continuations. */
const fragments = (opcode: typeof Opcode.Text | typeof Opcode.Binary, payload: Uint8Array, size: number) => {
  const out: Uint8Array[] = [];
  for (let at = 0; at < payload.length; at += size) {
    out.push(frame(at === 0 ? opcode : Opcode.Continuation, payload.subarray(at, at + size), at + size >= payload.length));
  }
  return out;
};

// ---------------------------------------------------------------------------
// What the client reads back, as comparable strings.

const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
/** Short payloads in hex; long ones by length and FNV-1a hash. */
function digest(b: Uint8Array): string {
  if (b.length === 0) return '(empty)';
  if (b.length <= 48) return toHex(b);
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return `${b.length} bytes, fnv1a ${(h >>> 0).toString(16)}`;
}
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
function showClose(payload: Uint8Array): string {
  if (payload.length === 0) return 'close (no code)';
  if (payload.length === 1) return 'close (1-byte payload)';
  try {
    strictUtf8.decode(payload.subarray(2));
  } catch {
    return `close ${(payload[0]! << 8) | payload[1]!} (invalid UTF-8 reason)`;
  }
  return `close ${(payload[0]! << 8) | payload[1]!}`;
}
const rx = {
  text: (p: Payload) => `text ${digest(bytesOf(p))}`,
  binary: (p: Uint8Array) => `binary ${digest(p)}`,
  pong: (p: Payload = EMPTY) => `pong ${digest(bytesOf(p))}`,
  close: (code?: number) => (code === undefined ? 'close (no code)' : `close ${code}`),
};

// ---------------------------------------------------------------------------
// The echo endpoint, driven chunk by chunk as a real driver would.

interface Run {
  /** What the client read, in order. */
  out: string[];
  /** Index of the chunk after which the server's Close frame went out (-1: never). */
  closeAfter: number;
  events: WebSocketEvent[];
  server: WebSocketConnection;
}

function serve(chunks: readonly Uint8Array[], options: WebSocketConnectionOptions = ECHO_OPTIONS): Run {
  const server = new WebSocketConnection(options);
  const client = new FrameDecoder({ role: 'client' }); // refuses masked frames and RSV bits from the server
  const run: Run = { out: [], closeAfter: -1, events: [], server };
  let message: { opcode: Opcode; parts: Uint8Array[] } | undefined;
  chunks.forEach((chunk, index) => {
    const events = server.receive(chunk);
    run.events.push(...events);
    for (const e of events) {
      if (e.type === 'text') server.sendText(e.data);
      else if (e.type === 'binary') server.sendBinary(e.data);
    }
    for (const bytes of server.dataToSend()) {
      for (const item of client.push(bytes.slice())) {
        if (item.type === 'error') {
          run.out.push(`invalid frame from the server: ${item.message}`);
        } else if (item.opcode === Opcode.Close) {
          if (run.closeAfter === -1) run.closeAfter = index;
          run.out.push(showClose(item.payload));
        } else if (item.opcode === Opcode.Ping || item.opcode === Opcode.Pong) {
          run.out.push(`${item.opcode === Opcode.Ping ? 'ping' : 'pong'} ${digest(item.payload)}`);
        } else {
          if ((item.opcode === Opcode.Continuation) !== (message !== undefined)) run.out.push('bad fragment order');
          message ??= { opcode: item.opcode, parts: [] };
          message.parts.push(item.payload.slice());
          if (item.fin) {
            run.out.push(`${message.opcode === Opcode.Text ? 'text' : 'binary'} ${digest(concat(message.parts))}`);
            message = undefined;
          }
        }
      }
    }
  });
  return run;
}

// ---------------------------------------------------------------------------
// Deliveries: how the client's bytes are cut into the chunks the server reads.

interface Delivery {
  name: string;
  split(frames: readonly Uint8Array[]): Uint8Array[];
}
const ALL_AT_ONCE: Delivery = { name: 'all at once', split: (frames) => [concat(frames)] };
const FRAME_BY_FRAME: Delivery = { name: 'frame by frame', split: (frames) => frames.map((f) => f.slice()) };
const chops = (size: number): Delivery => ({
  name: `${size}-byte chops`,
  split: (frames) => {
    const wire = concat(frames);
    return Array.from({ length: Math.ceil(wire.length / size) }, (_, i) => wire.slice(i * size, (i + 1) * size));
  },
});
const cutAt = (name: string, cuts: number[]): Delivery => ({ name, split: (frames) => splitAt(concat(frames), cuts) });
const OCTETWISE = chops(1);

/** Wire offset of byte `payloadIndex` of the payload (of `payloadLength` bytes) of frame `frameIndex`. */
function wireOffset(frames: readonly Uint8Array[], frameIndex: number, payloadIndex: number, payloadLength: number) {
  let offset = 0;
  for (let i = 0; i < frameIndex; i++) offset += frames[i]!.length;
  return offset + frames[frameIndex]!.length - payloadLength + payloadIndex;
}
function chunkHolding(chunks: readonly Uint8Array[], offset: number): number {
  let end = 0;
  for (let i = 0; i < chunks.length; i++) {
    end += chunks[i]!.length;
    if (offset < end) return i;
  }
  return -1;
}

interface Case {
  /** Autobahn's case number and what it sends. */
  id: string;
  title: string;
  send: Uint8Array[];
  /** Everything the client must read, in order (the last item is always the server's Close frame). */
  expect: string[];
  /** The close code when the server must fail the connection (exactly one error event, last). */
  fail?: number;
  /** Fail fast: wire offset of the byte whose chunk must make the server send its Close frame. */
  failFastAt?: number;
  deliveries?: Delivery[];
  options?: WebSocketConnectionOptions;
}

function check(c: Case): void {
  const wireLength = c.send.reduce((n, f) => n + f.length, 0);
  const deliveries = c.deliveries ?? [ALL_AT_ONCE, FRAME_BY_FRAME, wireLength <= 70_000 ? OCTETWISE : chops(997)];
  for (const delivery of deliveries) {
    const chunks = delivery.split(c.send);
    const run = serve(chunks, c.options);
    const { name } = delivery;
    expect({ delivery: name, out: run.out }).toEqual({ delivery: name, out: c.expect });
    const errors = run.events.filter((e) => e.type === 'error');
    expect({ delivery: name, errors: withoutMessages(errors) }).toEqual({
      delivery: name,
      errors: c.fail === undefined ? [] : [failure(c.fail)],
    });
    if (c.fail !== undefined) expect(run.events[run.events.length - 1]!.type).toBe('error');
    if (c.failFastAt !== undefined) {
      expect({ delivery: name, closeAfterChunk: run.closeAfter }).toEqual({
        delivery: name,
        closeAfterChunk: chunkHolding(chunks, c.failFastAt),
      });
    }
    expect({ delivery: name, state: run.server.state, shouldCloseTransport: run.server.shouldCloseTransport }).toEqual({
      delivery: name,
      state: 'closed',
      shouldCloseTransport: true,
    });
    // Nothing follows the Close frame, whatever else arrives.
    expect(run.server.receive(tx.text('late'))).toEqual([]);
    expect(run.server.dataToSend()).toEqual([]);
  }
}

const autobahn = (c: Case) => it(`${c.id} ${c.title}`, () => check(c));
/** A case the server must pass by echoing: the echoes, then Autobahn's Close 1000 echoed. */
const echoes = (id: string, title: string, send: Uint8Array[], expected: string[], more: Partial<Case> = {}) =>
  autobahn({ id, title, send: [...send, CLOSE()], expect: [...expected, rx.close(1000)], ...more });
/** A case the server must fail with `code`: what it echoed before, then its Close frame; Autobahn's Close is ignored. */
const fails = (id: string, title: string, code: number, send: Uint8Array[], before: string[] = [], more: Partial<Case> = {}) =>
  autobahn({ id, title, send: [...send, CLOSE()], expect: [...before, rx.close(code)], fail: code, ...more });

// ---------------------------------------------------------------------------

describe('Autobahn 1: framing (text and binary messages of every length encoding)', () => {
  const sizes = [0, 125, 126, 127, 128, 65535, 65536];
  sizes.forEach((n, i) => {
    echoes(`1.1.${i + 1}`, `text message of ${n} bytes`, [tx.text(star(n))], [rx.text(star(n))]);
  });
  echoes('1.1.8', 'text message of 65536 bytes, sent in 997-byte chops', [tx.text(star(65536))], [rx.text(star(65536))], {
    deliveries: [chops(997), ALL_AT_ONCE],
  });
  sizes.forEach((n, i) => {
    echoes(`1.2.${i + 1}`, `binary message of ${n} bytes`, [tx.binary(fe(n))], [rx.binary(fe(n))]);
  });
  echoes('1.2.8', 'binary message of 65536 bytes, sent in 997-byte chops', [tx.binary(fe(65536))], [rx.binary(fe(65536))], {
    deliveries: [chops(997), ALL_AT_ONCE],
  });
});

describe('Autobahn 2: pings and pongs', () => {
  echoes('2.1', 'ping without payload', [tx.ping()], [rx.pong()]);
  echoes('2.2', 'ping with a small text payload', [tx.ping(HELLO)], [rx.pong(HELLO)]);
  echoes('2.3', 'ping with a small binary payload', [tx.ping(BIN8)], [rx.pong(BIN8)]);
  echoes('2.4', 'ping with a 125-byte binary payload', [tx.ping(fe(125))], [rx.pong(fe(125))]);
  fails('2.5', 'ping with a 126-byte payload (control frames carry at most 125)', 1002, [tx.raw(Opcode.Ping, fe(126))]);
  echoes('2.6', 'ping with a 125-byte payload, in octet-wise chops', [tx.ping(fe(125))], [rx.pong(fe(125))], {
    deliveries: [OCTETWISE, ALL_AT_ONCE],
  });
  echoes('2.7', 'unsolicited pong without payload: ignored', [tx.pong()], []);
  echoes('2.8', 'unsolicited pong with payload: ignored', [tx.pong('unsolicited pong payload')], []);
  const pongThenPing = [tx.pong('unsolicited pong payload'), tx.ping('ping payload')];
  echoes('2.9', 'unsolicited pong, then a ping: only the ping is answered', pongThenPing, [rx.pong('ping payload')]);
  // Autobahn wants every ping answered. The codec keeps at most 16 automatic pongs per
  // dataToSend() (README "Limits"); 10 pings stay under it, so the STRICT verdict holds here.
  const tenPings = Array.from({ length: 10 }, (_, i) => `payload-${i}`);
  echoes('2.10', '10 pings with payload: 10 pongs, in order', tenPings.map((p) => tx.ping(p)), tenPings.map((p) => rx.pong(p)));
  echoes('2.11', '10 pings with payload, in octet-wise chops', tenPings.map((p) => tx.ping(p)), tenPings.map((p) => rx.pong(p)), {
    deliveries: [OCTETWISE, ALL_AT_ONCE],
  });
});

describe('Autobahn 3: reserved bits (no extension negotiated)', () => {
  fails('3.1', 'text message with RSV = 1', 1002, [tx.raw(Opcode.Text, HELLO, { rsv: 1 })]);
  // STRICT: the valid message before the bad frame is echoed first; the ping after it is never answered.
  for (const [id, rsv] of [['3.2', 2], ['3.3', 3], ['3.4', 4]] as const) {
    const send = [tx.text(HELLO), tx.raw(Opcode.Text, HELLO, { rsv }), tx.ping(HELLO)];
    fails(id, `text message, then one with RSV = ${rsv}, then a ping`, 1002, send, [rx.text(HELLO)]);
  }
  fails('3.5', 'binary message with RSV = 5', 1002, [tx.raw(Opcode.Binary, BIN8, { rsv: 5 })]);
  fails('3.6', 'ping with RSV = 6', 1002, [tx.raw(Opcode.Ping, HELLO, { rsv: 6 })]);
  fails('3.7', 'close with RSV = 7', 1002, [tx.raw(Opcode.Close, closePayload(1000), { rsv: 7 })]);
});

describe('Autobahn 4: reserved opcodes', () => {
  for (const [section, opcodes] of [['4.1', [3, 4, 5, 6, 7]], ['4.2', [11, 12, 13, 14, 15]]] as const) {
    const kind = section === '4.1' ? 'non-control' : 'control';
    fails(`${section}.1`, `reserved ${kind} opcode ${opcodes[0]}`, 1002, [tx.raw(opcodes[0])]);
    fails(`${section}.2`, `reserved ${kind} opcode ${opcodes[1]} with payload`, 1002, [tx.raw(opcodes[1], 'reserved opcode payload')]);
    const send = [tx.text(HELLO), tx.raw(opcodes[2]), tx.ping(HELLO)];
    fails(`${section}.3`, `text message, then reserved ${kind} opcode ${opcodes[2]}, then a ping`, 1002, send, [rx.text(HELLO)]);
    for (const [n, opcode] of [[4, opcodes[3]], [5, opcodes[4]]] as const) {
      fails(`${section}.${n}`, `text message, then reserved ${kind} opcode ${opcode} with payload, then a ping`, 1002, [
        tx.text(HELLO),
        tx.raw(opcode, 'reserved opcode payload'),
        tx.ping(HELLO),
      ], [rx.text(HELLO)]);
    }
  }
});

describe('Autobahn 5: fragmentation', () => {
  fails('5.1', 'ping in 2 fragments', 1002, [tx.raw(Opcode.Ping, 'fragment1', { fin: false }), tx.raw(Opcode.Continuation, 'fragment2')]);
  fails('5.2', 'pong in 2 fragments', 1002, [tx.raw(Opcode.Pong, 'fragment1', { fin: false }), tx.raw(Opcode.Continuation, 'fragment2')]);
  const twoFragments = () => [tx.text('fragment1', false), tx.cont('fragment2')];
  echoes('5.3', 'text message in 2 fragments', twoFragments(), [rx.text('fragment1fragment2')]);
  echoes('5.4', 'text message in 2 fragments, frame by frame', twoFragments(), [rx.text('fragment1fragment2')], {
    deliveries: [FRAME_BY_FRAME],
  });
  echoes('5.5', 'text message in 2 fragments, in octet-wise chops', twoFragments(), [rx.text('fragment1fragment2')], {
    deliveries: [OCTETWISE],
  });
  // The ping between the fragments is answered before the message is complete, so its pong comes first.
  const withPing = () => [tx.text('fragment1', false), tx.ping('ping payload'), tx.cont('fragment2')];
  const pongThenEcho = [rx.pong('ping payload'), rx.text('fragment1fragment2')];
  echoes('5.6', 'text message in 2 fragments with a ping in between', withPing(), pongThenEcho);
  echoes('5.7', 'the same, frame by frame', withPing(), pongThenEcho, { deliveries: [FRAME_BY_FRAME] });
  echoes('5.8', 'the same, in octet-wise chops', withPing(), pongThenEcho, { deliveries: [OCTETWISE] });
  for (const [first, fin] of [[9, true], [12, false]] as const) {
    const send = () => [tx.cont('non-continuation payload', fin), tx.text(HELLO)];
    const what = `continuation (FIN = ${fin}) with nothing to continue, then a text message`;
    fails(`5.${first}`, `${what}, all at once`, 1002, send(), [], { deliveries: [ALL_AT_ONCE] });
    fails(`5.${first + 1}`, `${what}, frame by frame`, 1002, send(), [], { deliveries: [FRAME_BY_FRAME] });
    fails(`5.${first + 2}`, `${what}, in octet-wise chops`, 1002, send(), [], { deliveries: [OCTETWISE] });
  }
  // STRICT: the complete first message is echoed before the failure (NON-STRICT would be nothing echoed).
  fails('5.15', 'text in 2 fragments, then a continuation with nothing to continue, then a text message', 1002, [
    tx.text('fragment1', false),
    tx.cont('fragment2'),
    tx.cont('fragment3', false),
    tx.text('fragment4'),
  ], [rx.text('fragment1fragment2')]);
  for (const [id, fin] of [['5.16', false], ['5.17', true]] as const) {
    const round = () => [tx.cont('fragment1', fin), tx.text('fragment2', false), tx.cont('fragment3')];
    fails(id, `twice: continuation (FIN = ${fin}) with nothing to continue, then text in 2 fragments`, 1002, [...round(), ...round()]);
  }
  fails('5.18', 'text in 2 fragments, both with the text opcode', 1002, [tx.text('fragment1', false), tx.text('fragment2')]);
  const nineteen = () => [
    tx.text('fragment1', false),
    tx.cont('fragment2', false),
    tx.ping('pongme 1!'),
    tx.cont('fragment3', false),
    tx.cont('fragment4', false),
    tx.ping('pongme 2!'),
    tx.cont('fragment5'),
  ];
  const nineteenOut = [rx.pong('pongme 1!'), rx.pong('pongme 2!'), rx.text('fragment1fragment2fragment3fragment4fragment5')];
  // 5.19 waits after the first ping: the first pong must go out before the message is complete.
  it('5.19 text in 5 fragments with 2 pings in between: each pong goes out as soon as its ping is read', () => {
    check({ id: '5.19', title: '', send: [...nineteen(), CLOSE()], expect: [...nineteenOut, rx.close(1000)] });
    const run = serve(nineteen());
    expect(run.out).toEqual(nineteenOut);
    const early = serve(nineteen().slice(0, 3));
    expect(early.out).toEqual([rx.pong('pongme 1!')]);
    expect(early.server.state).toBe('open');
  });
  echoes('5.20', 'the same as 5.19, in octet-wise chops', nineteen(), nineteenOut, { deliveries: [OCTETWISE, FRAME_BY_FRAME] });
});

describe('Autobahn 6.1–6.4: UTF-8 handling', () => {
  echoes('6.1.1', 'empty text message', [tx.text('')], [rx.text('')]);
  echoes('6.1.2', 'empty text message in 3 empty fragments', [tx.text('', false), tx.cont('', false), tx.cont('')], [rx.text('')]);
  const middle = [tx.text('', false), tx.cont('middle frame payload', false), tx.cont('')];
  echoes('6.1.3', 'text in 3 fragments, the first and last empty', middle, [rx.text('middle frame payload')]);
  const greeting = 'Hello-µ@ßöäüàá-UTF-8!!';
  const octets = (p: Uint8Array) =>
    Array.from(p, (b, i) => (i === 0 ? tx.text(Uint8Array.of(b), false) : tx.cont(Uint8Array.of(b), i === p.length - 1)));
  echoes('6.2.1', 'valid UTF-8 text in one frame', [tx.text(greeting)], [rx.text(greeting)]);
  const halves = [tx.text('Hello-µ@ßöä', false), tx.cont('üàá-UTF-8!!')];
  echoes('6.2.2', 'valid UTF-8 text in 2 fragments, split at a code point boundary', halves, [rx.text(greeting)]);
  echoes('6.2.3', 'valid UTF-8 text in 1-byte fragments (splitting code points)', octets(utf8(greeting)), [rx.text(greeting)]);
  echoes('6.2.4', 'κόσμε in 1-byte fragments', octets(KOSME), [rx.text(KOSME)]);
  // Fail fast (§8.1): the Close frame goes out with the chunk that holds a0, the byte that makes the text invalid.
  const oneFrame = [tx.text(INVALID_UTF8)];
  fails('6.3.1', 'invalid UTF-8 text in one frame', 1007, oneFrame, [], {
    failFastAt: wireOffset(oneFrame, 0, 12, INVALID_UTF8.length),
  });
  const octetFrames = octets(INVALID_UTF8);
  fails('6.3.2', 'invalid UTF-8 text in 1-byte fragments', 1007, octetFrames, [], { failFastAt: wireOffset(octetFrames, 12, 0, 1) });

  // 6.4.x: κόσμε, then F4 90 80 80 (0x110000: out of range, invalid at 90), then "edited".
  // Autobahn sends three parts with a wait after each; STRICT: the Close frame arrives during
  // the second wait, before the third part is sent (NON-STRICT: only after it).
  const whole = concat([KOSME, hex('f4 90 80 80'), ascii('edited')]);
  const byFrames = [tx.text(KOSME, false), tx.cont(hex('f4 90 80 80'), false), tx.cont('edited')];
  fails('6.4.1', 'invalid text in 3 fragments, the 2nd makes it invalid: fail fast', 1007, byFrames, [], {
    failFastAt: wireOffset(byFrames, 1, 1, 4),
    deliveries: [FRAME_BY_FRAME, ALL_AT_ONCE, OCTETWISE],
  });
  const byByte = [tx.text(whole.subarray(0, 12), false), tx.cont(whole.subarray(12, 13), false), tx.cont(whole.subarray(13))];
  fails('6.4.2', 'the same, the 2nd fragment being just the invalid byte: fail fast', 1007, byByte, [], {
    failFastAt: wireOffset(byByte, 1, 0, 1),
    deliveries: [FRAME_BY_FRAME, ALL_AT_ONCE, OCTETWISE],
  });
  const single = [tx.text(whole)];
  const header = single[0]!.length - whole.length;
  fails('6.4.3', 'the same text in one frame, sent in 3 chops: fail fast', 1007, single, [], {
    failFastAt: header + 12,
    deliveries: [cutAt('3 chops (11, 4, 6 payload bytes)', [header + 11, header + 15]), ALL_AT_ONCE, OCTETWISE],
  });
  fails('6.4.4', 'the same, the 2nd chop being just the invalid byte: fail fast', 1007, single, [], {
    failFastAt: header + 12,
    deliveries: [cutAt('3 chops (12, 1, 8 payload bytes)', [header + 12, header + 13]), ALL_AT_ONCE, OCTETWISE],
  });
});

// The UTF-8 test sequences of Autobahn's case6_x_x (after Markus Kuhn's UTF-8-test.txt):
// sub-sections 6.5–6.23, each a list of [valid, payload], sent as one text message.
const ranged = (from: number, to: number, sep?: number) => {
  const out: number[] = [];
  for (let b = from; b < to; b++) out.push(...(sep === undefined ? [b] : [b, sep]));
  return Uint8Array.from(out);
};
const missing = ['c0', 'e0 80', 'f0 80 80', 'f8 80 80 80', 'fc 80 80 80 80']
  .concat(['df', 'ef bf', 'f7 bf bf', 'fb bf bf bf', 'fd bf bf bf bf'])
  .map(hex);
const nonCharacters: Uint8Array[] = [hex('ef bf be'), hex('ef bf bf')];
for (const z1 of [0xf0, 0xf1, 0xf2, 0xf3, 0xf4]) {
  for (const z2 of [0x8f, 0x9f, 0xaf, 0xbf]) {
    if (z1 === 0xf4 && z2 !== 0x8f) continue; // beyond U+10FFFF
    if (z1 === 0xf0 && z2 === 0x8f) continue; // overlong
    for (const z3 of [0xbe, 0xbf]) nonCharacters.push(Uint8Array.of(z1, z2, 0xbf, z3));
  }
}
const valid = (...list: string[]) => list.map((s) => [true, hex(s)] as const);
const invalid = (...list: string[]) => list.map((s) => [false, hex(s)] as const);
const UTF8_SEQUENCES: [string, (readonly [boolean, Uint8Array])[]][] = [
  ['some valid UTF-8 sequences', [
    ...['24', 'c2 a2', 'e2 82 ac', 'f0 a4 ad a2'].map((s) => [true, concat([ascii('hello'), hex(s), ascii('world')])] as const),
    [true, KOSME],
  ]],
  // Valid exactly when the prefix ends on a code point boundary: 2, 5, 7, 9 and 11 bytes.
  ['all prefixes of κόσμε', Array.from({ length: 11 }, (_, i) => [[2, 5, 7, 9, 11].includes(i + 1), KOSME.slice(0, i + 1)] as const)],
  ['first possible sequence of each length', valid('00', 'c2 80', 'e0 a0 80', 'f0 90 80 80')],
  ['first possible sequence of length 5 and 6 (invalid code points)', invalid('f8 88 80 80 80', 'fc 84 80 80 80 80')],
  ['last possible sequence of each length', valid('7f', 'df bf', 'ef bf bf', 'f4 8f bf bf')],
  ['last possible sequence of length 4, 5 and 6 (invalid code points)', invalid('f7 bf bf bf', 'fb bf bf bf bf', 'fd bf bf bf bf bf')],
  ['other boundary conditions', [...valid('ed 9f bf', 'ee 80 80', 'ef bf bd', 'f4 8f bf bf'), ...invalid('f4 90 80 80')]],
  ['unexpected continuation bytes', [
    ...invalid('80', 'bf', '80 bf', '80 bf 80', '80 bf 80 bf', '80 bf 80 bf 80', '80 bf 80 bf 80 bf'),
    [false, ranged(0x80, 0xbf)],
  ]],
  ['lonely start bytes, each followed by a space', [
    [0xc0, 0xdf], [0xe0, 0xef], [0xf0, 0xf7], [0xf8, 0xfb], [0xfc, 0xfd],
  ].map(([from, to]) => [false, ranged(from!, to!, 0x20)] as const)],
  ['sequences with the last continuation byte missing', missing.map((m) => [false, m] as const)],
  ['concatenation of incomplete sequences', [[false, concat(missing)]]],
  ['impossible bytes', invalid('fe', 'ff', 'fe fe ff ff')],
  ['overlong ASCII character', invalid('c0 af', 'e0 80 af', 'f0 80 80 af', 'f8 80 80 80 af', 'fc 80 80 80 80 af')],
  ['maximum overlong sequences', invalid('c1 bf', 'e0 9f bf', 'f0 8f bf bf', 'f8 87 bf bf bf', 'fc 83 bf bf bf bf')],
  ['overlong NUL', invalid('c0 80', 'e0 80 80', 'f0 80 80 80', 'f8 80 80 80 80', 'fc 80 80 80 80 80')],
  ['single UTF-16 surrogates', invalid('ed a0 80', 'ed ad bf', 'ed ae 80', 'ed af bf', 'ed b0 80', 'ed be 80', 'ed bf bf')],
  ['paired UTF-16 surrogates', invalid(
    'ed a0 80 ed b0 80', 'ed a0 80 ed bf bf', 'ed ad bf ed b0 80', 'ed ad bf ed bf bf',
    'ed ae 80 ed b0 80', 'ed ae 80 ed bf bf', 'ed af bf ed b0 80', 'ed af bf ed bf bf',
  )],
  // Noncharacters are valid UTF-8 (RFC 3629): they must be echoed.
  ['noncharacters (valid UTF-8)', nonCharacters.map((n) => [true, n] as const)],
  ['Unicode specials', valid('ef bf b9', 'ef bf ba', 'ef bf bb', 'ef bf bc', 'ef bf bd', 'ef bf be', 'ef bf bf')],
];

describe('Autobahn 6.5–6.23: UTF-8 test sequences', () => {
  it('the table has Autobahn\'s case counts', () => {
    expect(UTF8_SEQUENCES.map(([, list]) => list.length)).toEqual([5, 11, 4, 2, 4, 3, 5, 8, 5, 10, 1, 3, 5, 5, 5, 7, 8, 34, 7]);
  });
  UTF8_SEQUENCES.forEach(([title, list], section) => {
    list.forEach(([isValid, payload], i) => {
      const id = `6.${section + 5}.${i + 1}`;
      const name = `${title}: ${digest(payload)} ${isValid ? 'is echoed' : 'fails with 1007'}`;
      if (isValid) echoes(id, name, [tx.text(payload)], [rx.text(payload)]);
      else fails(id, name, 1007, [tx.text(payload)]);
    });
  });
});

describe('Autobahn 7: closing', () => {
  const HW = 'Hello World!';
  echoes('7.1.1', 'text message, then close: echoed, then the Close reply', [tx.text(HW)], [rx.text(HW)]);
  autobahn({ id: '7.1.2', title: 'two Close frames: one reply', send: [CLOSE(), CLOSE()], expect: [rx.close(1000)] });
  autobahn({ id: '7.1.3', title: 'close, then a ping: not answered', send: [CLOSE(), tx.ping()], expect: [rx.close(1000)] });
  autobahn({ id: '7.1.4', title: 'close, then a text message: not echoed', send: [CLOSE(), tx.text(HW)], expect: [rx.close(1000)] });
  autobahn({
    id: '7.1.5',
    title: 'first fragment, close, then the last fragment: nothing echoed',
    send: [tx.text('fragment1', false), CLOSE(), tx.cont('fragment2')],
    expect: [rx.close(1000)],
  });
  // INFORMATIONAL in Autobahn (an asynchronous server may handle the Close first). A sans-I/O
  // server handles bytes in order: both messages are echoed, then the Close reply; the ping after it is ignored.
  const big = ascii('BAsd7&jh23'.repeat(26215).slice(0, 256 * 1024));
  autobahn({
    id: '7.1.6',
    title: '256 KiB message, a text message, close, then a ping',
    send: [tx.text(big), tx.text(HW), CLOSE(), tx.ping()],
    expect: [rx.text(big), rx.text(HW), rx.close(1000)],
    deliveries: [ALL_AT_ONCE, FRAME_BY_FRAME, chops(997)],
  });
  // Autobahn accepts "the expected code or empty": the codec answers a Close without code with one without code.
  autobahn({ id: '7.3.1', title: 'close with an empty payload', send: [tx.close()], expect: [rx.close()] });
  fails('7.3.2', 'close with a 1-byte payload', 1002, [tx.raw(Opcode.Close, 'a')]);
  autobahn({ id: '7.3.3', title: 'close 1000 without reason', send: [tx.close(1000)], expect: [rx.close(1000)] });
  autobahn({ id: '7.3.4', title: 'close 1000 with a reason', send: [tx.close(1000, HW)], expect: [rx.close(1000)] });
  const longest = [tx.close(1000, star(123))];
  autobahn({ id: '7.3.5', title: 'close 1000 with a 123-byte reason (125-byte payload)', send: longest, expect: [rx.close(1000)] });
  fails('7.3.6', 'close 1000 with a 124-byte reason (126-byte payload)', 1002, [tx.raw(Opcode.Close, closePayload(1000, star(124)))]);
  fails('7.5.1', 'close 1000 with an invalid UTF-8 reason', 1007, [tx.close(1000, INVALID_UTF8)]);
  // Autobahn accepts "normal or echoed": the codec echoes the code.
  [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999].forEach((code, i) => {
    autobahn({ id: `7.7.${i + 1}`, title: `close with valid code ${code}: echoed`, send: [tx.close(code)], expect: [rx.close(code)] });
  });
  [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999].forEach((code, i) => {
    fails(`7.9.${i + 1}`, `close with invalid code ${code}`, 1002, [tx.close(code)]);
  });
  // INFORMATIONAL in Autobahn ("undefined by the spec"): 5000 and 65535 are outside every
  // range of §7.4, and the codec fails the connection with 1002 as for 7.9.x.
  fails('7.13.1', 'close with code 5000', 1002, [tx.close(5000)]);
  fails('7.13.2', 'close with code 65535', 1002, [tx.close(65535)]);
});

describe('Autobahn 9 (reduced): limits and performance', () => {
  const TCP = chops(65_536);
  const deliveries = [ALL_AT_ONCE, TCP];
  const MiB = 1024 * 1024;
  echoes('9.1.1', 'text message of 64 KiB', [tx.text(star(64 * 1024))], [rx.text(star(64 * 1024))], { deliveries });
  echoes('9.1.4', 'text message of 4 MiB', [tx.text(star(4 * MiB))], [rx.text(star(4 * MiB))], { deliveries });
  echoes('9.2.1', 'binary message of 64 KiB', [tx.binary(fe(64 * 1024))], [rx.binary(fe(64 * 1024))], { deliveries });
  echoes('9.2.4', 'binary message of 4 MiB', [tx.binary(fe(4 * MiB))], [rx.binary(fe(4 * MiB))], { deliveries });
  for (const [n, size] of [[1, 64], [5, 16 * 1024]] as const) {
    const text = star(4 * MiB);
    const binary = fe(4 * MiB);
    echoes(`9.3.${n}`, `4 MiB text in ${size}-byte fragments`, fragments(Opcode.Text, text, size), [rx.text(text)], { deliveries });
    echoes(`9.4.${n}`, `4 MiB binary in ${size}-byte fragments`, fragments(Opcode.Binary, binary, size), [rx.binary(binary)], {
      deliveries,
    });
  }
  const chopped = { deliveries: [chops(64)] };
  echoes('9.5.1', '1 MiB text in one frame, sent in 64-byte chops', [tx.text(star(MiB))], [rx.text(star(MiB))], chopped);
  echoes('9.6.1', '1 MiB binary in one frame, sent in 64-byte chops', [tx.binary(fe(MiB))], [rx.binary(fe(MiB))], chopped);
  const thousand = <T>(f: () => T) => Array.from({ length: 1000 }, f);
  echoes('9.7.3', '1000 text messages of 64 bytes, one at a time', thousand(() => tx.text(star(64))), thousand(() => rx.text(star(64))), {
    deliveries: [FRAME_BY_FRAME, ALL_AT_ONCE],
  });
  echoes('9.8.3', '1000 binary messages of 64 bytes, one at a time', thousand(() => tx.binary(fe(64))), thousand(() => rx.binary(fe(64))), {
    deliveries: [FRAME_BY_FRAME, ALL_AT_ONCE],
  });
  // Deviation by configuration, not by behaviour: the codec's default limit is 1024 fragments
  // per message (README "Limits"), so a server on defaults fails 9.3.1 (65,536 fragments) with
  // 1009 at the 1025th fragment; the echo programs raise the limit (ECHO_OPTIONS above).
  const defaults: WebSocketConnectionOptions = { role: 'server' };
  const overLimit = fragments(Opcode.Text, star(1025 * 64), 64);
  fails('9.3.1 on default limits', 'more than 1024 fragments: 1009 (documented limit)', 1009, overLimit, [], {
    options: defaults,
    failFastAt: wireOffset(overLimit, 1024, 0, 64) - 1,
    deliveries: [FRAME_BY_FRAME, ALL_AT_ONCE],
  });
});

describe('Autobahn 10: miscellaneous', () => {
  const payload = star(65536);
  echoes('10.1.1', '64 KiB text message auto-fragmented into 1300-byte frames', fragments(Opcode.Text, payload, 1300), [rx.text(payload)]);
});
