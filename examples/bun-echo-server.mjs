// The echo server of echo-server.mjs on Bun's raw TCP (`Bun.listen`), to show
// the codec needs no Node API. After `npm run build`:
//   bun examples/bun-echo-server.mjs --port 9001 [--no-deflate]
// Same behaviour, limits and options as the Node echo server (see its --help).
import { WebSocketSession } from './session.mjs';
import { echoSessionOptionsFromArgs, flagValue, portFromFlag } from './echo.mjs';

const port = portFromFlag(flagValue(Bun.argv, '--port') ?? '9001', 'bun-echo-server');
let sessionOptions;
try {
  sessionOptions = echoSessionOptionsFromArgs(Bun.argv);
} catch (error) {
  console.error(`bun-echo-server: ${error.message}`);
  process.exit(2);
}

/**
 * Output a peer may leave unread before its connection is dropped (two
 * 16 MiB echoes and change). Reads are paused while output is pending, but
 * Bun 1.3.1 goes on calling `data` on a paused server socket (measured: a
 * peer that never reads got 300 MiB read and echoed into pending writes), so
 * this cap is what bounds the memory a hostile reader can hold here.
 */
const MAX_PENDING_BYTES = 40 * 1024 * 1024;

/**
 * A session transport over a Bun socket. `socket.write` may take only part
 * of a chunk; the rest waits for the `drain` callback, in order.
 * Back-pressure: while output is pending, reading from the peer is paused
 * (`socket.pause()`), and a peer that leaves more than MAX_PENDING_BYTES
 * unread is dropped.
 */
function transportFor(socket) {
  const state = { pending: [], pendingBytes: 0, paused: false, ending: false, peerEnded: false };
  const flush = () => {
    while (state.pending.length > 0) {
      const chunk = state.pending[0];
      const written = Math.max(socket.write(chunk), 0);
      state.pendingBytes -= written;
      if (written < chunk.length) {
        state.pending[0] = chunk.subarray(written);
        if (!state.paused) socket.pause();
        state.paused = true;
        return;
      }
      state.pending.shift();
    }
    if (state.paused) socket.resume();
    state.paused = false;
    // Our side done: a half-close (FIN) while the peer may still be sending, as
    // `socket.end()` here would close for good and the peer's further bytes
    // would draw a reset that can discard our last frames unread; a full
    // close once the peer has ended too (or the session's close timer).
    if (state.ending) {
      if (state.peerEnded) socket.end();
      else socket.shutdown();
    }
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
    peerEnded() {
      state.peerEnded = true;
      if (state.ending && state.pending.length === 0) socket.end();
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
      const session = new WebSocketSession(transport, { role: 'server', ...sessionOptions });
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
      socket.data.transport.peerEnded();
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
