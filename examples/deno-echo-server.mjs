// The echo server of echo-server.mjs on Deno's raw TCP (`Deno.listen`), to
// show the codec needs no Node API. After `npm run build`:
//   deno run --allow-net examples/deno-echo-server.mjs --port 9001 [--no-deflate]
// Same behaviour, limits and options as the Node echo server (see its --help).
import { WebSocketSession } from './session.mjs';
import { echoSessionOptionsFromArgs, flagValue, portFromFlag } from './echo.mjs';

const port = portFromFlag(flagValue(Deno.args, '--port') ?? '9001', 'deno-echo-server', Deno.exit);
let sessionOptions;
try {
  sessionOptions = echoSessionOptionsFromArgs(Deno.args);
} catch (error) {
  console.error(`deno-echo-server: ${error.message}`);
  Deno.exit(2);
}

/**
 * Read buffer sizes. Each connection reads into its own buffer, which a
 * pending read holds for as long as the peer is silent: an idle connection
 * costs its small buffer (reading through `conn.readable` held a fresh 64 KiB
 * buffer per pending read, ~126 KiB per idle connection in all). A read that
 * fills the buffer means more is waiting, so the next reads use the large one
 * until a read comes back short.
 */
const SMALL_READ = 4 * 1024;
const LARGE_READ = 64 * 1024;

/** Serves one TCP connection: bytes in to the session, its output written in order. */
async function serve(conn) {
  const writer = conn.writable.getWriter();
  // Writes are chained so they go out in order; reading waits for them (back-pressure).
  let writing = Promise.resolve();
  const closeQuietly = () => {
    try {
      conn.close();
    } catch {
      // already closed
    }
  };
  const transport = {
    write(chunks) {
      for (const chunk of chunks) writing = writing.then(() => writer.write(chunk)).catch(() => {});
    },
    end() {
      writing = writing.then(() => conn.closeWrite()).catch(() => {});
    },
    destroy: closeQuietly,
  };
  const session = new WebSocketSession(transport, { role: 'server', ...sessionOptions });
  const small = new Uint8Array(SMALL_READ);
  let buffer = small;
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      // A copy: the session may keep views of what it receives (echoed payloads), and the buffer is read into again.
      session.receive(buffer.slice(0, n));
      if (n < buffer.length) buffer = small;
      else if (buffer === small) buffer = new Uint8Array(LARGE_READ);
      // Back-pressure: the next read waits until everything written so far is out.
      await writing;
    }
  } catch {
    // reset by the peer, or closed by the close timer
  }
  session.receiveEof();
  await writing;
  closeQuietly();
  session.transportClosed();
}

const listener = Deno.listen({ hostname: '127.0.0.1', port });
console.log(`listening on ws://127.0.0.1:${listener.addr.port}/`);
for await (const conn of listener) serve(conn);
