/**
 * The codec's side of the "codec client → peer server" tests: a client on
 * examples/node-adapter.mjs's `connect` (so on the built package) whose
 * events are awaited in order.
 */
import type { ClientHandshakeOptions, WebSocketEvent } from 'wscodec';
import { connect, type WebSocketSession } from '../../../examples/node-adapter.mjs';
import { ECHO_LIMITS } from '../../../examples/echo.mjs';

/** A codec client whose events are awaited in order; `client` adds handshake options (e.g. extensions). */
export async function openCodec(url: string, client: Omit<ClientHandshakeOptions, 'url'> = {}) {
  const events: WebSocketEvent[] = [];
  let wake = () => {};
  let ended!: () => void;
  const closed = new Promise<void>((resolve) => (ended = resolve));
  const session: WebSocketSession = await connect(url, {
    client,
    connection: ECHO_LIMITS,
    onEvent(_session, event) {
      // Byte data may be a view of a (Buffer) chunk: keep a plain copy.
      const copy = { ...event };
      if ('data' in copy && copy.data instanceof Uint8Array) (copy as { data: Uint8Array }).data = new Uint8Array(copy.data);
      events.push(copy);
      wake();
    },
    onClose() {
      ended();
      wake();
    },
  });
  let isClosed = false;
  void closed.then(() => (isClosed = true));
  /** The next event of one of `types` (others are skipped). */
  const next = async (...types: WebSocketEvent['type'][]) => {
    for (;;) {
      const index = events.findIndex((e) => types.includes(e.type));
      if (index >= 0) return events.splice(0, index + 1).pop()!;
      if (isClosed) throw new Error(`closed (code ${session.closeCode}) while waiting for ${types.join('/')}`);
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  return { session, next, closed };
}
