#!/usr/bin/env node
// An echo client on wscodec over node:net: connects to a WebSocket server,
// echoes every message it receives back unchanged (same type) until the
// server closes, then exits 0. Run `npm run build` first.
import { parseArgs } from 'node:util';
import { connect } from './node-adapter.mjs';
import { echoClientHandshake, echoHandlers, ECHO_HELP_LIMITS, ECHO_LIMITS } from './echo.mjs';

const HELP = `Usage: node examples/echo-client.mjs [--no-deflate] <ws-url>

Connects to <ws-url> (ws:// only), echoes every text and binary message it
receives back unchanged, as the same type, answers pings and the server's
Close frame, and exits 0 once the server has closed the connection
(1 if the handshake or the connection failed).

Options:
  --no-deflate    offer no extension. By default the client offers
                  "permessage-deflate; client_max_window_bits" (RFC 7692) and,
                  when the server accepts, compresses every echoed message
  --help          this text

Limits:
${ECHO_HELP_LIMITS}`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'no-deflate': { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
});
if (values.help || positionals.length !== 1) {
  console.log(HELP);
  process.exit(values.help ? 0 : 2);
}

try {
  await connect(positionals[0], {
    client: echoClientHandshake(!values['no-deflate']),
    connection: ECHO_LIMITS,
    ...echoHandlers,
    onClose(session) {
      const code = session.closeCode ?? 1006;
      console.log(`closed: ${code}${session.closeReason ? ` ${session.closeReason}` : ''}`);
      // 1000/1001 and application codes are normal ends; 1006 or a violation is a failure.
      process.exitCode = code === 1006 || (code >= 1002 && code <= 1015) ? 1 : 0;
    },
  });
} catch (error) {
  console.error(`echo-client: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
