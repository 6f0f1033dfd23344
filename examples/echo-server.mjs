#!/usr/bin/env node
// An echo server on wscodec over node:net, for conformance suites
// (e.g. Autobahn|Testsuite's fuzzing client) and manual testing.
// Run `npm run build` first; then `node examples/echo-server.mjs --port 9001`.
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { acceptSocket } from './node-adapter.mjs';
import { ECHO_HELP_LIMITS, ECHO_HELP_OPTIONS, echoSessionOptions, portFromFlag } from './echo.mjs';

const HELP = `Usage: node examples/echo-server.mjs [--port N] [--host ADDRESS] [--max-fragments N] [--handshake-timeout MS] [--no-deflate]

Accepts WebSocket connections (RFC 6455) at any path and echoes every text and
binary message back unchanged, as the same type. Pings are answered with pongs;
a Close frame is answered with a Close frame echoing its code. No subprotocol
is required. permessage-deflate (RFC 7692) is negotiated when the client
offers it. A peer that breaks the protocol gets its own connection failed
with the right close code; the server keeps serving everyone else.

Options:
  --port N                 TCP port (default 9001; 0 picks a free one)
  --host ADDRESS           address to listen on (default 127.0.0.1)
${ECHO_HELP_OPTIONS}
  --help                   this text

Limits (chosen to admit the Autobahn|Testsuite performance cases):
${ECHO_HELP_LIMITS}

Prints "listening on ws://HOST:PORT/" once ready. Stop it with Ctrl-C.`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '9001' },
    host: { type: 'string', default: '127.0.0.1' },
    'max-fragments': { type: 'string' },
    'handshake-timeout': { type: 'string' },
    'no-deflate': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const port = portFromFlag(values.port, 'echo-server');

let sessionOptions;
try {
  sessionOptions = echoSessionOptions({ maxFragments: values['max-fragments'], handshakeTimeout: values['handshake-timeout'], deflate: !values['no-deflate'] });
} catch (error) {
  console.error(`echo-server: ${/** @type {Error} */ (error).message}`);
  process.exit(2);
}
const server = createServer((socket) => acceptSocket(socket, sessionOptions));
server.listen(port, values.host, () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(`listening on ws://${values.host}:${address.port}/`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
