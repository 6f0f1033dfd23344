// The echo server of echo-server.mjs on Bun's raw TCP (`Bun.listen`), to show
// the codec needs no Node API. After `npm run build`:
//   bun examples/bun-echo-server.mjs --port 9001 [--no-deflate]
// Same behaviour and limits as the Node echo server (see its --help).
import { WebSocketSession } from './session.mjs';
import { ECHO_LIMITS, echoHandlers, echoServerHandshake } from './echo.mjs';

const portFlag = Bun.argv.indexOf('--port');
const port = portFlag >= 0 ? Number(Bun.argv[portFlag + 1]) : 9001;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('bun-echo-server: --port must be an integer from 0 to 65535');
  process.exit(2);
}
const handshake = echoServerHandshake(!Bun.argv.includes('--no-deflate'));

/**
 * Output a peer may leave unread before its connection is dropped: Bun's
 * socket has no read pause here, so this bounds the memory one slow or
 * hostile reader can hold (two 16 MiB echoes and change).
 */
const MAX_PENDING_BYTES = 40 * 1024 * 1024;

/**
 * A session transport over a Bun socket. `socket.write` may take only part
 * of a chunk; the rest waits for the `drain` callback, in order.
 */
function transportFor(socket) {
  const state = { pending: [], pendingBytes: 0, ending: false };
  const flush = () => {
    while (state.pending.length > 0) {
      const chunk = state.pending[0];
      const written = Math.max(socket.write(chunk), 0);
      state.pendingBytes -= written;
      if (written < chunk.length) {
        state.pending[0] = chunk.subarray(written);
        return;
      }
      state.pending.shift();
    }
    if (state.ending) socket.end();
  };
  return {
    flush,
    write(chunks) {
      const wasIdle = state.pending.length === 0;
      for (const chunk of chunks) {
        state.pending.push(chunk);
        state.pendingBytes += chunk.length;
      }
      if (state.pendingBytes > MAX_PENDING_BYTES) socket.terminate();
      else if (wasIdle) flush();
    },
    end() {
      state.ending = true;
      flush();
    },
    destroy() {
      socket.terminate();
    },
  };
}

const server = Bun.listen({
  hostname: '127.0.0.1',
  port,
  socket: {
    open(socket) {
      const transport = transportFor(socket);
      const session = new WebSocketSession(transport, { role: 'server', server: handshake, connection: ECHO_LIMITS, ...echoHandlers });
      socket.data = { transport, session };
    },
    // Bun may reuse the chunk's memory after this call; the session may keep
    // views of it (echoed payloads), so it gets its own copy.
    data(socket, chunk) {
      socket.data.session.receive(new Uint8Array(chunk));
    },
    drain(socket) {
      socket.data.transport.flush();
    },
    end(socket) {
      socket.data.session.receiveEof();
    },
    close(socket) {
      socket.data.session.transportClosed();
    },
    error() {
      // the connection broke; close() follows
    },
  },
});
console.log(`listening on ws://127.0.0.1:${server.port}/`);
