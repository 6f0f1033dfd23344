// The echo server of echo-server.mjs on Deno's raw TCP (`Deno.listen`), to
// show the codec needs no Node API. After `npm run build`:
//   deno run --allow-net examples/deno-echo-server.mjs --port 9001 [--no-deflate]
// Same behaviour and limits as the Node echo server (see its --help).
import { WebSocketSession } from './session.mjs';
import { ECHO_LIMITS, echoHandlers, echoServerHandshake } from './echo.mjs';

const portFlag = Deno.args.indexOf('--port');
const port = portFlag >= 0 ? Number(Deno.args[portFlag + 1]) : 9001;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('deno-echo-server: --port must be an integer from 0 to 65535');
  Deno.exit(2);
}
const handshake = echoServerHandshake(!Deno.args.includes('--no-deflate'));

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
  const session = new WebSocketSession(transport, { role: 'server', server: handshake, connection: ECHO_LIMITS, ...echoHandlers });
  try {
    for await (const chunk of conn.readable) {
      session.receive(chunk);
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
