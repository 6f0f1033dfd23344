/**
 * Autobahn|Testsuite's cases (sections 1–7, section 9 reduced, 10.1.1) as a
 * sans-I/O conformance table, run against a codec in each role:
 *
 * - server: Autobahn's fuzzingclient. The peer sends masked frames and reads
 *   the codec's bytes with a client-role `FrameDecoder`, which refuses masked
 *   frames from the server;
 * - client: Autobahn's fuzzingserver, the same cases mirrored. The peer sends
 *   unmasked frames and reads the codec's bytes with a server-role
 *   `FrameDecoder`, which refuses any unmasked frame: the client must mask
 *   everything it sends, echoes, pongs and Close frames alike (§5.1, §5.3).
 *
 * The codec is a `WebSocketConnection` wired as an echo endpoint, exactly as
 * the echo programs drive it (examples/echo.mjs and echo-client.mjs, with
 * their limits; test/helpers/autobahn.ts): after each received chunk it echoes
 * text and binary messages, then writes `dataToSend()`.
 *
 * Every case runs in several deliveries (all at once, frame by frame, and
 * chopped: 1-byte chunks or the case's own chop sizes), and each must give the
 * same, exact sequence: echoed messages (same type, same bytes), pongs with
 * the ping's payload, one Close frame with the expected code, nothing after
 * it, and the connection closed. Autobahn closes the connection itself at the
 * end of a case ("closedByMe"): the case ends with its Close 1000; after a
 * failure, that Close must be ignored.
 *
 * What differs by role is stated in each case: what the codec must do with
 * the transport once the Close frames are out (`transport`: CLEAN_CLOSE or
 * FAILED below), and the cases that are not Autobahn's, about one role's
 * masking rule (`only`).
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
import { Opcode, type Role, type WebSocketConnectionOptions } from 'wscodec';
import {
  ALL_AT_ONCE,
  chops,
  chunkHolding,
  CLOSE,
  closePayload,
  cutAt,
  type Delivery,
  digest,
  fe,
  FRAME_BY_FRAME,
  fragments,
  frameStart,
  OCTETWISE,
  type PeerFrame,
  runEcho,
  rx,
  star,
  tx,
  wireOffset,
} from '../helpers/autobahn.ts';
import { ascii, concat, hex, utf8 } from '../helpers/bytes.ts';
import { testEnv } from '../helpers/fast-check.ts';
import { failure, withoutMessages } from '../helpers/events.ts';

const HELLO = 'Hello, world!';
const BIN8 = hex('00 ff fe fd fc fb 00 ff');
/** κόσμε: Autobahn's multi-byte UTF-8 text. */
const KOSME = hex('ce ba e1 bd b9 cf 83 ce bc ce b5');
/** κόσμε, then U+D800 encoded (a surrogate: invalid at its 2nd byte, a0), then "edited" (6.3.1, 7.5.1). */
const INVALID_UTF8 = concat([KOSME, hex('ed a0 80'), ascii('edited')]);

// ---------------------------------------------------------------------------
// Cases and their verdicts.

/** What the codec must do with the transport once its Close frame is out. */
type TransportEnd = 'close' | 'await the server closing it';
/**
 * RFC 6455 §7.1.1: after a clean close handshake the server closes the TCP
 * connection (`shouldCloseTransport`); the client waits for the server to
 * close it (`shouldAwaitTransportClose`), closing it itself only on a timeout.
 */
const CLEAN_CLOSE: Record<Role, TransportEnd> = { server: 'close', client: 'await the server closing it' };
/** §7.1.7: an endpoint that fails the connection closes the transport itself, whatever its role. */
const FAILED: Record<Role, TransportEnd> = { server: 'close', client: 'close' };

interface Case {
  /** Autobahn's case number (or, for a case that is not Autobahn's, a name). */
  id: string;
  title: string;
  /** What the peer sends. */
  send: PeerFrame[];
  /** Everything the peer must read, in order (the last item is always the codec's Close frame). */
  expect: string[];
  /** The close code when the codec must fail the connection (exactly one error event, last). */
  fail?: number;
  /** Fail fast: wire offset of the byte whose chunk must make the codec send its Close frame. */
  failFastAt?: (frames: readonly Uint8Array[]) => number;
  /** By role: what the codec must do with the transport after the Close frames. */
  transport: Record<Role, TransportEnd>;
  /** Run only against a codec in this role. */
  only?: Role;
  /** After only the first `frames` frames, frame by frame, the codec has sent exactly `expect` and is still open. */
  prefix?: { frames: number; expect: string[] };
  deliveries?: Delivery[];
  /** Connection options other than the role (default: the echo programs' limits). */
  options?: Omit<WebSocketConnectionOptions, 'role'>;
}

function check(role: Role, c: Case): void {
  const frames = c.send.map((f) => f(role === 'server')); // the peer masks when it is the client
  const wireLength = frames.reduce((n, f) => n + f.length, 0);
  const deliveries = c.deliveries ?? [ALL_AT_ONCE, FRAME_BY_FRAME, wireLength <= 70_000 ? OCTETWISE : chops(997)];
  for (const delivery of deliveries) {
    const chunks = delivery.split(frames);
    const run = runEcho(role, chunks, c.options);
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
        closeAfterChunk: chunkHolding(chunks, c.failFastAt(frames)),
      });
    }
    const { codec } = run;
    const end = c.transport[role];
    expect({
      delivery: name,
      state: codec.state,
      shouldCloseTransport: codec.shouldCloseTransport,
      shouldAwaitTransportClose: codec.shouldAwaitTransportClose,
    }).toEqual({
      delivery: name,
      state: 'closed',
      shouldCloseTransport: end === 'close',
      shouldAwaitTransportClose: end === 'await the server closing it',
    });
    // Nothing follows the Close frame, whatever else arrives.
    expect(codec.receive(tx.text('late')(role === 'server'))).toEqual([]);
    expect(codec.dataToSend()).toEqual([]);
    // Then the transport ends: no 1006, since the close was already seen (or the codec failed).
    expect(codec.receiveEof()).toEqual([]);
    expect({ delivery: name, shouldCloseTransport: codec.shouldCloseTransport, await: codec.shouldAwaitTransportClose }).toEqual({
      delivery: name,
      shouldCloseTransport: true,
      await: false,
    });
  }
  if (c.prefix !== undefined) {
    const early = runEcho(role, frames.slice(0, c.prefix.frames).map((f) => f.slice()), c.options);
    expect({ prefix: c.prefix.frames, out: early.out, state: early.codec.state }).toEqual({
      prefix: c.prefix.frames,
      out: c.prefix.expect,
      state: 'open',
    });
  }
}

/** A case the codec must pass by echoing: the echoes, then Autobahn's Close 1000 echoed. */
const echoes = (id: string, title: string, send: PeerFrame[], expected: string[], more: Partial<Case> = {}): Case => ({
  id,
  title,
  send: [...send, CLOSE()],
  expect: [...expected, rx.close(1000)],
  transport: CLEAN_CLOSE,
  ...more,
});
/** A close handshake the peer starts with `send`: the codec must answer with `expected`. */
const closes = (id: string, title: string, send: PeerFrame[], expected: string[], more: Partial<Case> = {}): Case => ({
  id,
  title,
  send,
  expect: expected,
  transport: CLEAN_CLOSE,
  ...more,
});
/** A case the codec must fail with `code`: what it echoed before, then its Close frame; Autobahn's Close is ignored. */
const fails = (id: string, title: string, code: number, send: PeerFrame[], before: string[] = [], more: Partial<Case> = {}): Case => ({
  id,
  title,
  send: [...send, CLOSE()],
  expect: [...before, rx.close(code)],
  fail: code,
  transport: FAILED,
  ...more,
});
/** Fail fast at byte `payloadIndex` of the payload (of `payloadLength` bytes) of frame `frameIndex`. */
const atPayloadByte = (frameIndex: number, payloadIndex: number, payloadLength: number) => (frames: readonly Uint8Array[]) =>
  wireOffset(frames, frameIndex, payloadIndex, payloadLength);

// ---------------------------------------------------------------------------
// The table.

function framing(): Case[] {
  const sizes = [0, 125, 126, 127, 128, 65535, 65536];
  return [
    ...sizes.map((n, i) => echoes(`1.1.${i + 1}`, `text message of ${n} bytes`, [tx.text(star(n))], [rx.text(star(n))])),
    echoes('1.1.8', 'text message of 65536 bytes, sent in 997-byte chops', [tx.text(star(65536))], [rx.text(star(65536))], {
      deliveries: [chops(997), ALL_AT_ONCE],
    }),
    ...sizes.map((n, i) => echoes(`1.2.${i + 1}`, `binary message of ${n} bytes`, [tx.binary(fe(n))], [rx.binary(fe(n))])),
    echoes('1.2.8', 'binary message of 65536 bytes, sent in 997-byte chops', [tx.binary(fe(65536))], [rx.binary(fe(65536))], {
      deliveries: [chops(997), ALL_AT_ONCE],
    }),
  ];
}

function pings(): Case[] {
  const pongThenPing = [tx.pong('unsolicited pong payload'), tx.ping('ping payload')];
  // Autobahn wants every ping answered. The codec keeps at most 16 automatic pongs per
  // dataToSend() (README "Limits"); 10 pings stay under it, so the STRICT verdict holds here.
  const tenPings = Array.from({ length: 10 }, (_, i) => `payload-${i}`);
  return [
    echoes('2.1', 'ping without payload', [tx.ping()], [rx.pong()]),
    echoes('2.2', 'ping with a small text payload', [tx.ping(HELLO)], [rx.pong(HELLO)]),
    echoes('2.3', 'ping with a small binary payload', [tx.ping(BIN8)], [rx.pong(BIN8)]),
    echoes('2.4', 'ping with a 125-byte binary payload', [tx.ping(fe(125))], [rx.pong(fe(125))]),
    fails('2.5', 'ping with a 126-byte payload (control frames carry at most 125)', 1002, [tx.raw(Opcode.Ping, fe(126))]),
    echoes('2.6', 'ping with a 125-byte payload, in octet-wise chops', [tx.ping(fe(125))], [rx.pong(fe(125))], {
      deliveries: [OCTETWISE, ALL_AT_ONCE],
    }),
    echoes('2.7', 'unsolicited pong without payload: ignored', [tx.pong()], []),
    echoes('2.8', 'unsolicited pong with payload: ignored', [tx.pong('unsolicited pong payload')], []),
    echoes('2.9', 'unsolicited pong, then a ping: only the ping is answered', pongThenPing, [rx.pong('ping payload')]),
    echoes('2.10', '10 pings with payload: 10 pongs, in order', tenPings.map((p) => tx.ping(p)), tenPings.map((p) => rx.pong(p))),
    echoes('2.11', '10 pings with payload, in octet-wise chops', tenPings.map((p) => tx.ping(p)), tenPings.map((p) => rx.pong(p)), {
      deliveries: [OCTETWISE, ALL_AT_ONCE],
    }),
  ];
}

function reservedBits(): Case[] {
  return [
    fails('3.1', 'text message with RSV = 1', 1002, [tx.raw(Opcode.Text, HELLO, { rsv: 1 })]),
    // STRICT: the valid message before the bad frame is echoed first; the ping after it is never answered.
    ...([['3.2', 2], ['3.3', 3], ['3.4', 4]] as const).map(([id, rsv]) => {
      const send = [tx.text(HELLO), tx.raw(Opcode.Text, HELLO, { rsv }), tx.ping(HELLO)];
      return fails(id, `text message, then one with RSV = ${rsv}, then a ping`, 1002, send, [rx.text(HELLO)]);
    }),
    fails('3.5', 'binary message with RSV = 5', 1002, [tx.raw(Opcode.Binary, BIN8, { rsv: 5 })]),
    fails('3.6', 'ping with RSV = 6', 1002, [tx.raw(Opcode.Ping, HELLO, { rsv: 6 })]),
    fails('3.7', 'close with RSV = 7', 1002, [tx.raw(Opcode.Close, closePayload(1000), { rsv: 7 })]),
  ];
}

function reservedOpcodes(): Case[] {
  const cases: Case[] = [];
  for (const [section, opcodes] of [['4.1', [3, 4, 5, 6, 7]], ['4.2', [11, 12, 13, 14, 15]]] as const) {
    const kind = section === '4.1' ? 'non-control' : 'control';
    cases.push(fails(`${section}.1`, `reserved ${kind} opcode ${opcodes[0]}`, 1002, [tx.raw(opcodes[0])]));
    cases.push(
      fails(`${section}.2`, `reserved ${kind} opcode ${opcodes[1]} with payload`, 1002, [tx.raw(opcodes[1], 'reserved opcode payload')]),
    );
    const send = [tx.text(HELLO), tx.raw(opcodes[2]), tx.ping(HELLO)];
    const third = `text message, then reserved ${kind} opcode ${opcodes[2]}, then a ping`;
    cases.push(fails(`${section}.3`, third, 1002, send, [rx.text(HELLO)]));
    for (const [n, opcode] of [[4, opcodes[3]], [5, opcodes[4]]] as const) {
      cases.push(
        fails(`${section}.${n}`, `text message, then reserved ${kind} opcode ${opcode} with payload, then a ping`, 1002, [
          tx.text(HELLO),
          tx.raw(opcode, 'reserved opcode payload'),
          tx.ping(HELLO),
        ], [rx.text(HELLO)]),
      );
    }
  }
  return cases;
}

function fragmentation(): Case[] {
  const twoFragments = [tx.text('fragment1', false), tx.cont('fragment2')];
  // The ping between the fragments is answered before the message is complete, so its pong comes first.
  const withPing = [tx.text('fragment1', false), tx.ping('ping payload'), tx.cont('fragment2')];
  const pongThenEcho = [rx.pong('ping payload'), rx.text('fragment1fragment2')];
  const orphans = [9, 12].flatMap((first) => {
    const fin = first === 9;
    const send = [tx.cont('non-continuation payload', fin), tx.text(HELLO)];
    const what = `continuation (FIN = ${fin}) with nothing to continue, then a text message`;
    return [
      fails(`5.${first}`, `${what}, all at once`, 1002, send, [], { deliveries: [ALL_AT_ONCE] }),
      fails(`5.${first + 1}`, `${what}, frame by frame`, 1002, send, [], { deliveries: [FRAME_BY_FRAME] }),
      fails(`5.${first + 2}`, `${what}, in octet-wise chops`, 1002, send, [], { deliveries: [OCTETWISE] }),
    ];
  });
  const round = (fin: boolean) => [tx.cont('fragment1', fin), tx.text('fragment2', false), tx.cont('fragment3')];
  const nineteen = [
    tx.text('fragment1', false),
    tx.cont('fragment2', false),
    tx.ping('pongme 1!'),
    tx.cont('fragment3', false),
    tx.cont('fragment4', false),
    tx.ping('pongme 2!'),
    tx.cont('fragment5'),
  ];
  const nineteenOut = [rx.pong('pongme 1!'), rx.pong('pongme 2!'), rx.text('fragment1fragment2fragment3fragment4fragment5')];
  return [
    fails('5.1', 'ping in 2 fragments', 1002, [tx.raw(Opcode.Ping, 'fragment1', { fin: false }), tx.raw(Opcode.Continuation, 'fragment2')]),
    fails('5.2', 'pong in 2 fragments', 1002, [tx.raw(Opcode.Pong, 'fragment1', { fin: false }), tx.raw(Opcode.Continuation, 'fragment2')]),
    echoes('5.3', 'text message in 2 fragments', twoFragments, [rx.text('fragment1fragment2')]),
    echoes('5.4', 'text message in 2 fragments, frame by frame', twoFragments, [rx.text('fragment1fragment2')], {
      deliveries: [FRAME_BY_FRAME],
    }),
    echoes('5.5', 'text message in 2 fragments, in octet-wise chops', twoFragments, [rx.text('fragment1fragment2')], {
      deliveries: [OCTETWISE],
    }),
    echoes('5.6', 'text message in 2 fragments with a ping in between', withPing, pongThenEcho),
    echoes('5.7', 'the same, frame by frame', withPing, pongThenEcho, { deliveries: [FRAME_BY_FRAME] }),
    echoes('5.8', 'the same, in octet-wise chops', withPing, pongThenEcho, { deliveries: [OCTETWISE] }),
    ...orphans,
    // STRICT: the complete first message is echoed before the failure (NON-STRICT would be nothing echoed).
    fails('5.15', 'text in 2 fragments, then a continuation with nothing to continue, then a text message', 1002, [
      tx.text('fragment1', false),
      tx.cont('fragment2'),
      tx.cont('fragment3', false),
      tx.text('fragment4'),
    ], [rx.text('fragment1fragment2')]),
    ...([['5.16', false], ['5.17', true]] as const).map(([id, fin]) =>
      fails(id, `twice: continuation (FIN = ${fin}) with nothing to continue, then text in 2 fragments`, 1002, [
        ...round(fin),
        ...round(fin),
      ]),
    ),
    fails('5.18', 'text in 2 fragments, both with the text opcode', 1002, [tx.text('fragment1', false), tx.text('fragment2')]),
    // 5.19 waits after the first ping: the first pong must go out before the message is complete.
    echoes('5.19', 'text in 5 fragments with 2 pings in between: each pong goes out as soon as its ping is read', nineteen, nineteenOut, {
      prefix: { frames: 3, expect: [rx.pong('pongme 1!')] },
    }),
    echoes('5.20', 'the same as 5.19, in octet-wise chops', nineteen, nineteenOut, { deliveries: [OCTETWISE, FRAME_BY_FRAME] }),
  ];
}

function utf8Handling(): Case[] {
  const middle = [tx.text('', false), tx.cont('middle frame payload', false), tx.cont('')];
  const greeting = 'Hello-µ@ßöäüàá-UTF-8!!';
  const octets = (p: Uint8Array) =>
    Array.from(p, (b, i) => (i === 0 ? tx.text(Uint8Array.of(b), false) : tx.cont(Uint8Array.of(b), i === p.length - 1)));
  const halves = [tx.text('Hello-µ@ßöä', false), tx.cont('üàá-UTF-8!!')];
  // 6.4.x: κόσμε, then F4 90 80 80 (0x110000: out of range, invalid at 90), then "edited".
  // Autobahn sends three parts with a wait after each; STRICT: the Close frame arrives during
  // the second wait, before the third part is sent (NON-STRICT: only after it).
  const whole = concat([KOSME, hex('f4 90 80 80'), ascii('edited')]);
  const byFrames = [tx.text(KOSME, false), tx.cont(hex('f4 90 80 80'), false), tx.cont('edited')];
  const byByte = [tx.text(whole.subarray(0, 12), false), tx.cont(whole.subarray(12, 13), false), tx.cont(whole.subarray(13))];
  const single = [tx.text(whole)];
  /** Cuts the one frame of `single` before the given payload bytes (its header differs with masking). */
  const payloadCuts = (name: string, cuts: number[]) =>
    cutAt(name, (frames) => cuts.map((i) => wireOffset(frames, 0, i, whole.length)));
  return [
    echoes('6.1.1', 'empty text message', [tx.text('')], [rx.text('')]),
    echoes('6.1.2', 'empty text message in 3 empty fragments', [tx.text('', false), tx.cont('', false), tx.cont('')], [rx.text('')]),
    echoes('6.1.3', 'text in 3 fragments, the first and last empty', middle, [rx.text('middle frame payload')]),
    echoes('6.2.1', 'valid UTF-8 text in one frame', [tx.text(greeting)], [rx.text(greeting)]),
    echoes('6.2.2', 'valid UTF-8 text in 2 fragments, split at a code point boundary', halves, [rx.text(greeting)]),
    echoes('6.2.3', 'valid UTF-8 text in 1-byte fragments (splitting code points)', octets(utf8(greeting)), [rx.text(greeting)]),
    echoes('6.2.4', 'κόσμε in 1-byte fragments', octets(KOSME), [rx.text(KOSME)]),
    // Fail fast (§8.1): the Close frame goes out with the chunk that holds a0, the byte that makes the text invalid.
    fails('6.3.1', 'invalid UTF-8 text in one frame', 1007, [tx.text(INVALID_UTF8)], [], {
      failFastAt: atPayloadByte(0, 12, INVALID_UTF8.length),
    }),
    fails('6.3.2', 'invalid UTF-8 text in 1-byte fragments', 1007, octets(INVALID_UTF8), [], { failFastAt: atPayloadByte(12, 0, 1) }),
    fails('6.4.1', 'invalid text in 3 fragments, the 2nd makes it invalid: fail fast', 1007, byFrames, [], {
      failFastAt: atPayloadByte(1, 1, 4),
      deliveries: [FRAME_BY_FRAME, ALL_AT_ONCE, OCTETWISE],
    }),
    fails('6.4.2', 'the same, the 2nd fragment being just the invalid byte: fail fast', 1007, byByte, [], {
      failFastAt: atPayloadByte(1, 0, 1),
      deliveries: [FRAME_BY_FRAME, ALL_AT_ONCE, OCTETWISE],
    }),
    fails('6.4.3', 'the same text in one frame, sent in 3 chops: fail fast', 1007, single, [], {
      failFastAt: atPayloadByte(0, 12, whole.length),
      deliveries: [payloadCuts('3 chops (11, 4, 6 payload bytes)', [11, 15]), ALL_AT_ONCE, OCTETWISE],
    }),
    fails('6.4.4', 'the same, the 2nd chop being just the invalid byte: fail fast', 1007, single, [], {
      failFastAt: atPayloadByte(0, 12, whole.length),
      deliveries: [payloadCuts('3 chops (12, 1, 8 payload bytes)', [12, 13]), ALL_AT_ONCE, OCTETWISE],
    }),
  ];
}

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

const utf8Sequences = (): Case[] =>
  UTF8_SEQUENCES.flatMap(([title, list], section) =>
    list.map(([isValid, payload], i) => {
      const id = `6.${section + 5}.${i + 1}`;
      const name = `${title}: ${digest(payload)} ${isValid ? 'is echoed' : 'fails with 1007'}`;
      return isValid ? echoes(id, name, [tx.text(payload)], [rx.text(payload)]) : fails(id, name, 1007, [tx.text(payload)]);
    }),
  );

function closing(): Case[] {
  const HW = 'Hello World!';
  // INFORMATIONAL in Autobahn (an asynchronous endpoint may handle the Close first). A sans-I/O
  // codec handles bytes in order: both messages are echoed, then the Close reply; the ping after it is ignored.
  const big = ascii('BAsd7&jh23'.repeat(26215).slice(0, 256 * 1024));
  return [
    echoes('7.1.1', 'text message, then close: echoed, then the Close reply', [tx.text(HW)], [rx.text(HW)]),
    closes('7.1.2', 'two Close frames: one reply', [CLOSE(), CLOSE()], [rx.close(1000)]),
    closes('7.1.3', 'close, then a ping: not answered', [CLOSE(), tx.ping()], [rx.close(1000)]),
    closes('7.1.4', 'close, then a text message: not echoed', [CLOSE(), tx.text(HW)], [rx.close(1000)]),
    closes('7.1.5', 'first fragment, close, then the last fragment: nothing echoed', [
      tx.text('fragment1', false),
      CLOSE(),
      tx.cont('fragment2'),
    ], [rx.close(1000)]),
    closes('7.1.6', '256 KiB message, a text message, close, then a ping', [tx.text(big), tx.text(HW), CLOSE(), tx.ping()], [
      rx.text(big),
      rx.text(HW),
      rx.close(1000),
    ], { deliveries: [ALL_AT_ONCE, FRAME_BY_FRAME, chops(997)] }),
    // Autobahn accepts "the expected code or empty": the codec answers a Close without code with one without code.
    closes('7.3.1', 'close with an empty payload', [tx.close()], [rx.close()]),
    fails('7.3.2', 'close with a 1-byte payload', 1002, [tx.raw(Opcode.Close, 'a')]),
    closes('7.3.3', 'close 1000 without reason', [tx.close(1000)], [rx.close(1000)]),
    closes('7.3.4', 'close 1000 with a reason', [tx.close(1000, HW)], [rx.close(1000)]),
    closes('7.3.5', 'close 1000 with a 123-byte reason (125-byte payload)', [tx.close(1000, star(123))], [rx.close(1000)]),
    fails('7.3.6', 'close 1000 with a 124-byte reason (126-byte payload)', 1002, [tx.raw(Opcode.Close, closePayload(1000, star(124)))]),
    fails('7.5.1', 'close 1000 with an invalid UTF-8 reason', 1007, [tx.close(1000, INVALID_UTF8)]),
    // Autobahn accepts "normal or echoed": the codec echoes the code.
    ...[1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999].map((code, i) =>
      closes(`7.7.${i + 1}`, `close with valid code ${code}: echoed`, [tx.close(code)], [rx.close(code)]),
    ),
    ...[0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999].map((code, i) =>
      fails(`7.9.${i + 1}`, `close with invalid code ${code}`, 1002, [tx.close(code)]),
    ),
    // Not in Autobahn (it predates them): 1012–1014 are registered with IANA (RFC 6455 §11.7) and may be
    // sent, so they are echoed like the others; 1015 is reserved for reporting a TLS failure (§7.4.1).
    ...[1012, 1013, 1014].map((code) => closes(`IANA ${code}`, `close with registered code ${code}: echoed`, [tx.close(code)], [rx.close(code)])),
    fails('IANA 1015', 'close with code 1015 (never sent on the wire)', 1002, [tx.close(1015)]),
    // INFORMATIONAL in Autobahn ("undefined by the spec"): 5000 and 65535 are outside every
    // range of §7.4, and the codec fails the connection with 1002 as for 7.9.x.
    fails('7.13.1', 'close with code 5000', 1002, [tx.close(5000)]),
    fails('7.13.2', 'close with code 65535', 1002, [tx.close(65535)]),
  ];
}

function limits(): Case[] {
  const deliveries = [ALL_AT_ONCE, chops(65_536)]; // and as TCP segments
  // AUTOBAHN_SIZE_DIVISOR=<n> divides the sizes of section 9 (Autobahn's
  // performance cases): mutation testing (stryker.vitest.config.ts) runs them
  // at 1/16, where every payload still takes the 64-bit length and the
  // fragment counts stay above the default limit, at a 16th of the time.
  const divisor = Number(testEnv('AUTOBAHN_SIZE_DIVISOR') ?? 1);
  if (!(Number.isInteger(divisor) && divisor >= 1 && divisor <= 16)) throw new RangeError('AUTOBAHN_SIZE_DIVISOR must be an integer from 1 to 16');
  const MiB = (1024 * 1024) / divisor;
  const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`);
  const [text, binary] = [star(4 * MiB), fe(4 * MiB)];
  const chopped = { deliveries: [chops(64)] };
  const thousand = <T>(f: () => T) => Array.from({ length: 1000 }, f);
  const thousands = {
    text: thousand(() => tx.text(star(64))),
    echoedText: thousand(() => rx.text(star(64))),
    binary: thousand(() => tx.binary(fe(64))),
    echoedBinary: thousand(() => rx.binary(fe(64))),
  };
  const oneAtATime = { deliveries: [FRAME_BY_FRAME, ALL_AT_ONCE] };
  // Deviation by configuration, not by behaviour: the codec's default limit is 1024 fragments
  // per message (README "Limits"), so an endpoint on defaults fails 9.3.1 (65,536 fragments) with
  // 1009 at the 1025th fragment, as soon as its header is read; the echo programs raise the limit.
  const overLimit = fragments(Opcode.Text, star(1025 * 64), 64);
  return [
    echoes('9.1.1', 'text message of 64 KiB', [tx.text(star(64 * 1024))], [rx.text(star(64 * 1024))], { deliveries }),
    echoes('9.1.4', `text message of ${size(4 * MiB)}`, [tx.text(text)], [rx.text(text)], { deliveries }),
    echoes('9.2.1', 'binary message of 64 KiB', [tx.binary(fe(64 * 1024))], [rx.binary(fe(64 * 1024))], { deliveries }),
    echoes('9.2.4', `binary message of ${size(4 * MiB)}`, [tx.binary(binary)], [rx.binary(binary)], { deliveries }),
    ...([[1, 64], [5, 16 * 1024]] as const).flatMap(([n, bytes]) => [
      echoes(`9.3.${n}`, `${size(4 * MiB)} text in ${bytes}-byte fragments`, fragments(Opcode.Text, text, bytes), [rx.text(text)], { deliveries }),
      echoes(`9.4.${n}`, `${size(4 * MiB)} binary in ${bytes}-byte fragments`, fragments(Opcode.Binary, binary, bytes), [rx.binary(binary)], {
        deliveries,
      }),
    ]),
    echoes('9.5.1', `${size(MiB)} text in one frame, sent in 64-byte chops`, [tx.text(star(MiB))], [rx.text(star(MiB))], chopped),
    echoes('9.6.1', `${size(MiB)} binary in one frame, sent in 64-byte chops`, [tx.binary(fe(MiB))], [rx.binary(fe(MiB))], chopped),
    echoes('9.7.3', '1000 text messages of 64 bytes, one at a time', thousands.text, thousands.echoedText, oneAtATime),
    echoes('9.8.3', '1000 binary messages of 64 bytes, one at a time', thousands.binary, thousands.echoedBinary, oneAtATime),
    fails('9.3.1 on default limits', 'more than 1024 fragments: 1009 (documented limit)', 1009, overLimit, [], {
      options: {},
      failFastAt: atPayloadByte(1024, -1, 64), // the last byte of the 1025th fragment's header
      ...oneAtATime,
    }),
  ];
}

function miscellaneous(): Case[] {
  const payload = star(65536);
  const send = fragments(Opcode.Text, payload, 1300);
  return [echoes('10.1.1', '64 KiB text message auto-fragmented into 1300-byte frames', send, [rx.text(payload)])];
}

/**
 * Not Autobahn's: the masking direction (RFC 6455 §5.1), each role's own rule. A
 * client fails the connection on a masked frame from the server, the mirror of
 * a server failing it on an unmasked frame from the client: 1002, as soon as
 * the mask bit is read. A message before it is echoed; a ping after it is not answered.
 */
function maskingDirection(): Case[] {
  const textThen = [tx.text(HELLO), tx.wronglyMasked(Opcode.Text, HELLO), tx.ping(HELLO)];
  const pingAlone = [tx.wronglyMasked(Opcode.Ping, HELLO)];
  const atMaskBit = (frameIndex: number) => (frames: readonly Uint8Array[]) => frameStart(frames, frameIndex) + 1;
  return [
    fails('client: masked frame', 'text message, then a MASKED text frame from the server, then a ping', 1002, textThen, [rx.text(HELLO)], {
      only: 'client',
      failFastAt: atMaskBit(1),
    }),
    fails('client: masked ping', 'a MASKED ping from the server: no pong', 1002, pingAlone, [], {
      only: 'client',
      failFastAt: atMaskBit(0),
    }),
    fails('server: unmasked frame', 'text, then an UNMASKED text frame from the client, then a ping', 1002, textThen, [rx.text(HELLO)], {
      only: 'server',
      failFastAt: atMaskBit(1),
    }),
    fails('server: unmasked ping', 'an UNMASKED ping from the client: no pong', 1002, pingAlone, [], {
      only: 'server',
      failFastAt: atMaskBit(0),
    }),
  ];
}

const TABLE: [string, Case[]][] = [
  ['Autobahn 1: framing (text and binary messages of every length encoding)', framing()],
  ['Autobahn 2: pings and pongs', pings()],
  ['Autobahn 3: reserved bits (no extension negotiated)', reservedBits()],
  ['Autobahn 4: reserved opcodes', reservedOpcodes()],
  ['Autobahn 5: fragmentation', fragmentation()],
  ['Autobahn 6.1–6.4: UTF-8 handling', utf8Handling()],
  ['Autobahn 6.5–6.23: UTF-8 test sequences', utf8Sequences()],
  ['Autobahn 7: closing', closing()],
  ['Autobahn 9 (reduced): limits and performance', limits()],
  ['Autobahn 10: miscellaneous', miscellaneous()],
  ['Not Autobahn: masking direction (RFC 6455 §5.1)', maskingDirection()],
];

describe('the Autobahn case table', () => {
  it("6.5–6.23 have Autobahn's case counts", () => {
    expect(UTF8_SEQUENCES.map(([, list]) => list.length)).toEqual([5, 11, 4, 2, 4, 3, 5, 8, 5, 10, 1, 3, 5, 5, 5, 7, 8, 34, 7]);
  });
  it('case ids are unique', () => {
    const ids = TABLE.flatMap(([, cases]) => cases.map((c) => c.id));
    expect(ids).toHaveLength(new Set(ids).size);
  });
});

for (const role of ['server', 'client'] as const) {
  const mode = role === 'server' ? 'fuzzingclient: the peer masks its frames' : 'fuzzingserver: the peer sends unmasked frames';
  describe(`codec as ${role} (Autobahn ${mode})`, () => {
    for (const [title, cases] of TABLE) {
      describe(title, () => {
        for (const c of cases) if (c.only === undefined || c.only === role) it(`${c.id} ${c.title}`, () => check(role, c));
      });
    }
  });
}
