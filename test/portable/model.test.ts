/**
 * Stateful model-based test of a client–server pair (fast-check `commands`):
 * random sequences of sends, pings, pongs, closes, deliveries of what each
 * side sent (in random chunks), frames injected by a hostile peer (valid and
 * invalid), and EOF, checked at every step against a small reference model
 * of RFC 6455 written from the RFC and the documented API, not from src/:
 *
 * - the receiving side's events per delivery (§5.4 fragmentation, §5.5
 *   control frames, §5.5.1 close, §8.1 UTF-8 — fail-fast, judged by a fatal
 *   streaming TextDecoder —, §7.4.1 close codes, the limits);
 * - what each side sends: every frame, in order (caller frames, automatic
 *   pongs — at most 16 kept between two `dataToSend` calls, the oldest
 *   dropped (§5.5.3) —, then the Close frame owed: an echo (§5.5.1) or the
 *   failure's code (§7.1.7));
 * - which calls throw (sending after the Close frame, a control payload over
 *   125 bytes, a close code that may not be sent, interleaving a fragmented
 *   message of another type);
 * - `state`, `shouldCloseTransport` and `shouldAwaitTransportClose`.
 *
 * Run counts: `runs()` (FC_RUNS_SCALE=100 for a long run).
 */
import { describe, expect, it } from 'vitest';
import { WebSocketConnection, type Role, type WebSocketEvent } from 'wscodec';
import { fc, runs } from '../helpers/fast-check.ts';
import { concat, rawFrame, splitAt, utf8 } from '../helpers/bytes.ts';
import { parseWire } from '../helpers/wire.ts';

const MAX_MESSAGE = 256;
const MAX_FRAGMENTS = 8;
const MAX_PONGS = 16;

/** A frame in the model: what is on the wire (payload unmasked). */
interface ModelFrame {
  opcode: number;
  fin: boolean;
  rsv: number;
  masked: boolean;
  payload: Uint8Array;
  /** A failure's Close frame: only its code is known (the reason is a message for people). */
  codeOnly?: boolean;
}

/** Events as compared: byte data as arrays, errors by code. */
type PlainEvent = { type: string; data?: unknown; code?: number; reason?: string };
const plainEvent = (e: WebSocketEvent): PlainEvent => {
  if (e.type === 'error') return { type: 'error', code: e.code };
  if (e.type === 'close' || e.type === 'text') return { ...e };
  if (e.type === 'text-fragment' || e.type === 'binary-fragment') throw new Error('streaming is off');
  return { type: e.type, data: Array.from(e.data) };
};

const strictUtf8 = (bytes: Uint8Array): string | undefined => {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
};
/** RFC 6455 §7.4.1–§7.4.2: the codes that may appear in a Close frame. */
const sendableCode = (code: number) =>
  (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
const closePayload = (code: number, reason: Uint8Array) => concat([Uint8Array.of(code >> 8, code & 255), reason]);

/** One side in the model: the documented state of a WebSocketConnection. */
class SideModel {
  // Sending half.
  out: (ModelFrame | 'dropped')[] = [];
  pongSlots: number[] = [];
  pendingClose: ModelFrame | undefined;
  closeQueued = false;
  closeTaken = false;
  sendingOpcode = 0;
  // Connection state.
  peerClosed = false;
  failed = false;
  transportEnded = false;
  // Receiving half (§5.4): the message being assembled.
  halted = false;
  messageOpcode = 0;
  messageSize = 0;
  fragments = 0;
  parts: Uint8Array[] = [];
  decoder: TextDecoder | undefined;

  constructor(
    readonly role: Role,
    readonly autoPong: boolean,
    readonly autoCloseReply: boolean,
  ) {}

  get masks(): boolean {
    return this.role === 'client'; // §5.1
  }
  get state(): string {
    if (this.transportEnded) return 'closed';
    if (this.closeQueued && (this.peerClosed || this.failed)) return 'closed';
    return this.closeQueued || this.peerClosed || this.failed ? 'closing' : 'open';
  }
  get shouldCloseTransport(): boolean {
    return this.transportEnded || (this.closeTaken && (this.failed || (this.peerClosed && this.role === 'server')));
  }
  get shouldAwaitTransportClose(): boolean {
    return this.role === 'client' && this.closeTaken && this.peerClosed && !this.failed && !this.transportEnded;
  }
  get canSend(): boolean {
    return !this.closeQueued && !this.transportEnded;
  }

  frame(opcode: number, payload: Uint8Array, fin = true): ModelFrame {
    return { opcode, fin, rsv: 0, masked: this.masks, payload };
  }

  /** What `dataToSend()` returns. */
  takeOutput(): ModelFrame[] {
    if (this.pendingClose) {
      this.out.push(this.pendingClose);
      this.pendingClose = undefined;
      this.closeQueued = true;
    }
    const out = this.out.filter((f): f is ModelFrame => f !== 'dropped');
    this.out = [];
    this.pongSlots = [];
    if (this.closeQueued) this.closeTaken = true;
    return out;
  }

  /** Reads frames as this side's receiver; returns the events. */
  receive(frames: ModelFrame[]): PlainEvent[] {
    const events: PlainEvent[] = [];
    for (const f of frames) {
      if (this.halted) break;
      const event = this.readFrame(f);
      for (const e of event) {
        events.push(e);
        if (e.type === 'ping' && this.autoPong && !this.closeQueued) this.queuePong(Uint8Array.from(e.data as number[]));
      }
    }
    // The connection acts on close and error after the chunk's events (order does not matter: one of them at most).
    for (const e of events) {
      if (e.type === 'close') {
        this.peerClosed = true;
        if (!this.closeQueued && this.autoCloseReply) {
          this.pendingClose = this.frame(8, e.code === 1005 ? new Uint8Array(0) : Uint8Array.of(e.code! >> 8, e.code! & 255));
        }
      } else if (e.type === 'error') {
        this.failed = true;
        if (!this.closeQueued) this.pendingClose = { ...this.frame(8, Uint8Array.of(e.code! >> 8, e.code! & 255)), codeOnly: true };
      }
    }
    return events;
  }

  private queuePong(data: Uint8Array): void {
    if (this.pongSlots.length === MAX_PONGS) this.out[this.pongSlots.shift()!] = 'dropped';
    this.pongSlots.push(this.out.length);
    this.out.push(this.frame(10, data));
  }

  private fail(code: number): PlainEvent[] {
    this.halted = true;
    return [{ type: 'error', code }];
  }

  private readFrame(f: ModelFrame): PlainEvent[] {
    // §5.2: frame-level rules (RSV bits without an extension, reserved opcodes, masking direction §5.1).
    if (f.rsv !== 0) return this.fail(1002);
    if (![0, 1, 2, 8, 9, 10].includes(f.opcode)) return this.fail(1002);
    if (f.masked !== (this.role === 'server')) return this.fail(1002);
    if (f.opcode >= 8) {
      // §5.5: control frames are not fragmented and carry at most 125 bytes.
      if (!f.fin || f.payload.length > 125) return this.fail(1002);
      if (f.opcode === 9) return [{ type: 'ping', data: Array.from(f.payload) }];
      if (f.opcode === 10) return [{ type: 'pong', data: Array.from(f.payload) }];
      return this.closeFrame(f.payload);
    }
    // The frame size limit is checked at the header (documented: maxFrameSize defaults to maxMessageSize).
    if (f.payload.length > MAX_MESSAGE) return this.fail(1009);
    // §5.4: a continuation continues a message; a new message does not start inside one.
    if (f.opcode === 0 ? this.messageOpcode === 0 : this.messageOpcode !== 0) return this.fail(1002);
    if (f.opcode !== 0) {
      this.messageOpcode = f.opcode;
      this.decoder = f.opcode === 1 ? new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }) : undefined;
    }
    if (++this.fragments > MAX_FRAGMENTS) return this.fail(1009);
    this.messageSize += f.payload.length;
    if (this.messageSize > MAX_MESSAGE) return this.fail(1009);
    // §8.1: fail as soon as the text cannot be valid UTF-8.
    this.parts.push(f.payload);
    if (this.decoder) {
      try {
        this.decoder.decode(f.payload, { stream: true });
        if (f.fin) this.decoder.decode();
      } catch {
        return this.fail(1007);
      }
    }
    if (!f.fin) return [];
    const whole = concat(this.parts);
    const event: PlainEvent =
      this.messageOpcode === 1 ? { type: 'text', data: strictUtf8(whole)! } : { type: 'binary', data: Array.from(whole) };
    this.messageOpcode = 0;
    this.messageSize = 0;
    this.fragments = 0;
    this.parts = [];
    return [event];
  }

  /** §5.5.1, §7.4: a Close frame's body is empty, or a sendable code and a UTF-8 reason. */
  private closeFrame(payload: Uint8Array): PlainEvent[] {
    if (payload.length === 1) return this.fail(1002);
    let event: PlainEvent = { type: 'close', code: 1005, reason: '' };
    if (payload.length >= 2) {
      const code = (payload[0]! << 8) | payload[1]!;
      if (!sendableCode(code)) return this.fail(1002);
      const reason = strictUtf8(payload.subarray(2));
      if (reason === undefined) return this.fail(1007);
      event = { type: 'close', code, reason };
    }
    this.halted = true; // §5.5.1: nothing after the Close frame is read.
    return [event];
  }
}

type Direction = 'toServer' | 'toClient';
const receiverOf = (d: Direction): Role => (d === 'toServer' ? 'server' : 'client');
const directionFrom = (side: Role): Direction => (side === 'client' ? 'toServer' : 'toClient');

interface Model {
  sides: Record<Role, SideModel>;
  pending: Record<Direction, ModelFrame[]>;
}
interface Real {
  sides: Record<Role, WebSocketConnection>;
  wire: Record<Direction, Uint8Array[]>;
}

/** After every command: the observable state of both sides matches the model. */
function checkState(m: Model, r: Real): void {
  for (const side of ['client', 'server'] as const) {
    const [ms, rs] = [m.sides[side], r.sides[side]];
    expect([side, rs.state, rs.shouldCloseTransport, rs.shouldAwaitTransportClose]).toEqual([
      side,
      ms.state,
      ms.shouldCloseTransport,
      ms.shouldAwaitTransportClose,
    ]);
  }
}

/** Runs `call` on the real side and checks it throws `expected` (a class) or nothing. */
function expectOutcome(call: () => void, expected: typeof TypeError | typeof RangeError | undefined): void {
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  if (expected === undefined) expect(thrown).toBeUndefined();
  else expect(thrown).toBeInstanceOf(expected);
}

/** A command that applies in every state (each checks what the model says must happen, refusals included). */
abstract class Step implements fc.Command<Model, Real> {
  check(): boolean {
    return true;
  }
  abstract run(m: Model, r: Real): void;
  abstract toString(): string;
}

class SendData extends Step {
  constructor(
    readonly side: Role,
    readonly data: string | Uint8Array,
    readonly fin: boolean,
  ) {
    super();
  }
  run(m: Model, r: Real): void {
    const s = m.sides[this.side];
    const type = typeof this.data === 'string' ? 1 : 2;
    const refused = !s.canSend || (s.sendingOpcode !== 0 && s.sendingOpcode !== type);
    const conn = r.sides[this.side];
    expectOutcome(
      () => (typeof this.data === 'string' ? conn.sendText(this.data, { fin: this.fin }) : conn.sendBinary(this.data, { fin: this.fin })),
      refused ? TypeError : undefined,
    );
    if (!refused) {
      const payload = typeof this.data === 'string' ? utf8(this.data) : this.data;
      s.out.push(s.frame(s.sendingOpcode === 0 ? type : 0, payload, this.fin));
      s.sendingOpcode = this.fin ? 0 : type;
    }
    checkState(m, r);
  }
  toString = () => `${this.side}.send${typeof this.data === 'string' ? `Text(${JSON.stringify(this.data)}` : `Binary(${this.data.length} bytes`}, fin ${this.fin})`;
}

class SendControl extends Step {
  constructor(
    readonly side: Role,
    readonly kind: 'ping' | 'pong',
    readonly data: Uint8Array,
  ) {
    super();
  }
  run(m: Model, r: Real): void {
    const s = m.sides[this.side];
    // §5.5: at most 125 bytes; nothing after the Close frame (§5.5.1).
    const expected = !s.canSend ? TypeError : this.data.length > 125 ? RangeError : undefined;
    expectOutcome(() => r.sides[this.side][this.kind](this.data), expected);
    if (!expected) s.out.push(s.frame(this.kind === 'ping' ? 9 : 10, this.data));
    checkState(m, r);
  }
  toString = () => `${this.side}.${this.kind}(${this.data.length} bytes)`;
}

class Close extends Step {
  constructor(
    readonly side: Role,
    readonly code: number,
    readonly reason: string,
  ) {
    super();
  }
  run(m: Model, r: Real): void {
    const s = m.sides[this.side];
    const reason = utf8(this.reason);
    const expected = !sendableCode(this.code) || reason.length > 123 ? RangeError : undefined;
    expectOutcome(() => r.sides[this.side].close(this.code, this.reason), expected);
    if (!expected && !s.closeQueued && !s.transportEnded && !s.failed) {
      s.pendingClose = undefined;
      s.out.push(s.frame(8, closePayload(this.code, reason)));
      s.closeQueued = true;
    }
    checkState(m, r);
  }
  toString = () => `${this.side}.close(${this.code}, ${JSON.stringify(this.reason.slice(0, 10))}…${this.reason.length})`;
}

/** `dataToSend()`: exactly the frames the model expects, which then travel to the peer. */
class Flush extends Step {
  constructor(readonly side: Role) {
    super();
  }
  run(m: Model, r: Real): void {
    const s = m.sides[this.side];
    const bytes = r.sides[this.side].dataToSend();
    const sent = parseWire(concat(bytes));
    const expected = s.takeOutput();
    const view = (f: ModelFrame, known = true) => ({
      opcode: f.opcode,
      fin: f.fin,
      rsv: f.rsv,
      masked: f.masked,
      payload: Array.from(known ? f.payload : f.payload.subarray(0, 2)),
    });
    expect(sent.map((f, i) => view(f, !expected[i]?.codeOnly))).toEqual(expected.map((f) => view(f, !f.codeOnly)));
    for (const f of sent) if (f.opcode === 8) expect(f.payload.length).toBeLessThanOrEqual(125);
    const d = directionFrom(this.side);
    r.wire[d].push(...bytes);
    m.pending[d].push(...sent.map((f, i) => ({ ...expected[i]!, payload: f.payload })));
    checkState(m, r);
  }
  toString = () => `${this.side}.dataToSend()`;
}

/** A hostile peer writes raw frames (valid or not) onto the wire towards a side. */
class Inject extends Step {
  constructor(
    readonly direction: Direction,
    readonly frames: ModelFrame[],
  ) {
    super();
  }
  run(m: Model, r: Real): void {
    for (const f of this.frames) {
      r.wire[this.direction].push(rawFrame({ opcode: f.opcode, fin: f.fin, rsv: f.rsv, mask: f.masked, payload: f.payload }));
      m.pending[this.direction].push(f);
    }
    checkState(m, r);
  }
  toString = () =>
    `inject ${this.direction} ${this.frames
      .map((f) => `{op ${f.opcode}, fin ${f.fin}, rsv ${f.rsv}, masked ${f.masked}, [${Array.from(f.payload.subarray(0, 12))}${f.payload.length > 12 ? `… ${f.payload.length}` : ''}]}`)
      .join(' ')}`;
}

/** Everything on the wire towards a side arrives, cut into random chunks. */
class Deliver extends Step {
  constructor(
    readonly direction: Direction,
    readonly cuts: number[],
  ) {
    super();
  }
  run(m: Model, r: Real): void {
    const side = receiverOf(this.direction);
    const chunks = splitAt(concat(r.wire[this.direction]), this.cuts);
    r.wire[this.direction] = [];
    const events = chunks.flatMap((c) => r.sides[side].receive(c)).map(plainEvent);
    const s = m.sides[side];
    const expected = s.transportEnded ? [] : s.receive(m.pending[this.direction]);
    m.pending[this.direction] = [];
    expect(events).toEqual(expected);
    checkState(m, r);
  }
  toString = () => `deliver ${this.direction} in chunks cut at [${this.cuts}]`;
}

/** The transport towards a side ended: `receiveEof()` reports 1006 unless a Close frame or a failure came first (§7.1.5). */
class Eof extends Step {
  constructor(readonly side: Role) {
    super();
  }
  run(m: Model, r: Real): void {
    const s = m.sides[this.side];
    const expected = s.transportEnded || s.peerClosed || s.failed ? [] : [{ type: 'close', code: 1006, reason: '' }];
    s.transportEnded = true;
    s.halted = true;
    expect(r.sides[this.side].receiveEof().map(plainEvent)).toEqual(expected);
    checkState(m, r);
  }
  toString = () => `${this.side}.receiveEof()`;
}

// ---------------------------------------------------------------------------
// Arbitraries

const side = fc.constantFrom<Role>('client', 'server');
const direction = fc.constantFrom<Direction>('toServer', 'toClient');
const BAD_UTF8 = [[0xc0, 0xaf], [0xe0, 0x9f, 0xbf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff], [0xf0, 0x9f, 0x98]];
const text = fc.string({ unit: 'binary', maxLength: 40 });
const textBytes = fc.oneof(
  { weight: 4, arbitrary: text.map(utf8) },
  { weight: 1, arbitrary: fc.tuple(text, fc.constantFrom(...BAD_UTF8), text).map(([a, bad, b]) => concat([utf8(a), Uint8Array.from(bad), utf8(b)])) },
  // A character split at a frame boundary: valid only with the rest in the next fragment.
  { weight: 1, arbitrary: fc.constantFrom(utf8('€').subarray(0, 2), utf8('😀').subarray(0, 1), utf8('😀').subarray(1)) },
);
const dataBytes = fc.oneof({ weight: 8, arbitrary: fc.uint8Array({ maxLength: 100 }) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 250, maxLength: 300 }) });
const closeCode = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(1000, 1001, 1002, 1003, 1007, 1008, 1011, 1012, 1013, 1014, 3000, 4999) },
  { weight: 1, arbitrary: fc.constantFrom(0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000) },
);

/** A frame a hostile peer sends towards a side whose expected masking is `masked`: valid, or breaking one rule. */
const injected = (masked: boolean): fc.Arbitrary<ModelFrame> => {
  const f = (opcode: number, payload: Uint8Array, fin = true, rsv = 0, mask = masked): ModelFrame => ({ opcode, fin, rsv, masked: mask, payload });
  return fc.oneof(
    { weight: 12, arbitrary: fc.tuple(fc.constantFrom(9, 10), fc.uint8Array({ maxLength: 125 })).map(([op, p]) => f(op, p)) },
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(1, 0), textBytes, fc.boolean()).map(([op, p, fin]) => f(op, p, fin)) },
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom(2, 0), dataBytes, fc.boolean()).map(([op, p, fin]) => f(op, p, fin)) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(closeCode, fc.oneof(text.map(utf8), textBytes))
        .map(([code, reason]) => f(8, closePayload(code, reason.subarray(0, 123)))),
    },
    { weight: 1, arbitrary: fc.constantFrom(0, 1).map((n) => f(8, new Uint8Array(n))) },
    { weight: 1, arbitrary: fc.constantFrom(3, 7, 11, 15).map((op) => f(op, Uint8Array.of(1))) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(1, 2, 9), fc.integer({ min: 1, max: 7 })).map(([op, rsv]) => f(op, new Uint8Array(0), true, rsv)) },
    { weight: 1, arbitrary: fc.constantFrom(8, 9, 10).map((op) => f(op, new Uint8Array(0), false)) },
    { weight: 1, arbitrary: fc.constantFrom(9, 10).map((op) => f(op, new Uint8Array(126))) },
    { weight: 1, arbitrary: fc.constantFrom(1, 2, 9).map((op) => f(op, new Uint8Array(0), true, 0, !masked)) },
  );
};

/** Many pings in one go, to reach the bound on queued pongs (§5.5.3). */
const pingFlood = () =>
  fc.tuple(direction, fc.integer({ min: 10, max: 40 })).map(
    ([d, n]) => new Inject(d, Array.from({ length: n }, (_, i) => ({ opcode: 9, fin: true, rsv: 0, masked: d === 'toServer', payload: Uint8Array.of(i) }))),
  );

const commands = fc.commands<Model, Real>(
  [
    fc.tuple(side, fc.oneof(text, fc.uint8Array({ maxLength: 120 }), fc.uint8Array({ minLength: 250, maxLength: 300 })), fc.boolean()).map(([s, d, fin]) => new SendData(s, d, fin)),
    fc.tuple(side, fc.constantFrom('ping' as const, 'pong' as const), fc.oneof(fc.uint8Array({ maxLength: 125 }), fc.uint8Array({ minLength: 126, maxLength: 130 }))).map(([s, k, d]) => new SendControl(s, k, d)),
    fc.tuple(side, closeCode, fc.oneof(text, fc.constantFrom('é'.repeat(61) + 'x', 'é'.repeat(62)))).map(([s, c, reason]) => new Close(s, c, reason)),
    // Deliveries and flushes are listed several times: they are what makes the other commands observable.
    ...[1, 2, 3].map(() => side.map((s) => new Flush(s))),
    ...[1, 2].map(() => direction.chain((d) => fc.array(injected(d === 'toServer'), { minLength: 1, maxLength: 3 }).map((fs) => new Inject(d, fs)))),
    pingFlood(),
    ...[1, 2, 3].map(() => fc.tuple(direction, fc.array(fc.nat(), { maxLength: 6 })).map(([d, cuts]) => new Deliver(d, cuts))),
    side.map((s) => new Eof(s)),
  ],
  { maxCommands: 60 },
);

/** Short sequences dense in closing: closes, pings, Close frames (valid or not), failures, deliveries, EOF. */
const closingCommands = fc.commands<Model, Real>(
  [
    fc.tuple(side, closeCode, fc.constantFrom('', 'bye')).map(([s, c, reason]) => new Close(s, c, reason)),
    fc.tuple(side, fc.uint8Array({ maxLength: 3 })).map(([s, d]) => new SendData(s, d, true)),
    fc.tuple(side, fc.constantFrom('ping' as const, 'pong' as const)).map(([s, k]) => new SendControl(s, k, Uint8Array.of(7))),
    ...[1, 2].map(() => side.map((s) => new Flush(s))),
    ...[1, 2].map(() => direction.map((d) => new Deliver(d, []))),
    direction.chain((d) =>
      fc
        .oneof(
          fc.constant<ModelFrame>({ opcode: 9, fin: true, rsv: 0, masked: d === 'toServer', payload: Uint8Array.of(1) }),
          fc.tuple(closeCode, fc.constantFrom(new Uint8Array(0), Uint8Array.of(0xff))).map(
            ([code, reason]): ModelFrame => ({ opcode: 8, fin: true, rsv: 0, masked: d === 'toServer', payload: closePayload(code, reason) }),
          ),
          fc.constant<ModelFrame>({ opcode: 3, fin: true, rsv: 0, masked: d === 'toServer', payload: new Uint8Array(0) }),
        )
        .map((f) => new Inject(d, [f])),
    ),
    side.map((s) => new Eof(s)),
  ],
  { maxCommands: 14 },
);

describe('model-based: a client–server pair against a reference model of RFC 6455', () => {
  const options = fc.record({ clientAutoPong: fc.boolean(), serverAutoPong: fc.boolean(), clientAutoClose: fc.boolean(), serverAutoClose: fc.boolean() }, { noNullPrototype: true });
  const setup = (o: { clientAutoPong: boolean; serverAutoPong: boolean; clientAutoClose: boolean; serverAutoClose: boolean }) => () => {
    const common = { maxMessageSize: MAX_MESSAGE, maxFragments: MAX_FRAGMENTS };
    return {
      model: {
        sides: { client: new SideModel('client', o.clientAutoPong, o.clientAutoClose), server: new SideModel('server', o.serverAutoPong, o.serverAutoClose) },
        pending: { toServer: [], toClient: [] },
      } as Model,
      real: {
        sides: {
          client: new WebSocketConnection({ role: 'client', autoPong: o.clientAutoPong, autoCloseReply: o.clientAutoClose, ...common }),
          server: new WebSocketConnection({ role: 'server', autoPong: o.serverAutoPong, autoCloseReply: o.serverAutoClose, ...common }),
        },
        wire: { toServer: [], toClient: [] },
      } as Real,
    };
  };

  it('random sends, injections, chunked deliveries, pings, closes and EOF match the model at every step', () => {
    fc.assert(
      fc.property(options, commands, (o, cmds) => fc.modelRun(setup(o), cmds)),
      { numRuns: runs(400) },
    );
  });

  it('short sequences dense in closes, pings, Close frames, failures and EOF match the model at every step', () => {
    fc.assert(
      fc.property(options, closingCommands, (o, cmds) => fc.modelRun(setup(o), cmds)),
      { numRuns: runs(600) },
    );
  });

  it('ping floods between two dataToSend calls keep at most 16 pongs, the latest ones (§5.5.3)', () => {
    fc.assert(
      fc.property(options, pingFlood(), fc.array(fc.nat(), { maxLength: 4 }), (o, flood, cuts) => {
        fc.modelRun(setup(o), [flood, new Deliver(flood.direction, cuts), new Flush(receiverOf(flood.direction))]);
      }),
      { numRuns: runs(50) },
    );
  });
});
