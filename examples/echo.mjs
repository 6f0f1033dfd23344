// The echo behaviour shared by the echo server on Node, Deno and Bun and by
// the echo client: runtime-neutral, on top of session.mjs.
import { DEFAULT_HTTP_HEAD_LIMITS } from 'wscodec';
import { PerMessageDeflateClient, PerMessageDeflateServer } from 'wscodec/deflate';
import { DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_DISCARD_LIMIT_BYTES, DEFAULT_HANDSHAKE_TIMEOUT_MS } from './session.mjs';

/**
 * permessage-deflate (RFC 7692) as the echo programs negotiate it: every
 * message is compressed, however small (threshold 0), so that every message
 * of a conformance run goes through the extension.
 */
const ECHO_DEFLATE = { threshold: 0 };

/**
 * Server handshake options: accept every permessage-deflate offer a client may
 * make (any window bits, either no-context-takeover), or decline all offers.
 * @param {boolean} deflate
 * @returns {import('wscodec').ServerHandshakeOptions}
 */
export function echoServerHandshake(deflate) {
  return { extensions: deflate ? [new PerMessageDeflateServer(ECHO_DEFLATE)] : [] };
}

/**
 * Client handshake options: offer `permessage-deflate; client_max_window_bits`,
 * or nothing.
 * @param {boolean} deflate
 * @returns {Omit<import('wscodec').ClientHandshakeOptions, 'url'>}
 */
export function echoClientHandshake(deflate) {
  return { extensions: deflate ? [new PerMessageDeflateClient(ECHO_DEFLATE)] : [] };
}


/**
 * Connection limits that admit the Autobahn|Testsuite performance cases
 * (section 9: messages up to 16 MiB, up to 65,536 fragments per message).
 * @satisfies {Omit<import('wscodec').WebSocketConnectionOptions, 'role' | 'extensions'>}
 */
export const ECHO_LIMITS = {
  maxMessageSize: 16 * 1024 * 1024,
  maxFrameSize: 16 * 1024 * 1024,
  maxFragments: 65_536,
};

/** The limits, as the echo programs' `--help` states them. */
export const ECHO_HELP_LIMITS = `  message size       at most 16 MiB (16,777,216 bytes); more fails with 1009
  frame size         at most 16 MiB; more fails with 1009
  fragments          at most 65,536 frames per message; more fails with 1009
  HTTP head          at most ${DEFAULT_HTTP_HEAD_LIMITS.maxHeadSize} bytes, ${DEFAULT_HTTP_HEAD_LIMITS.maxHeaderCount} header fields, lines of ${DEFAULT_HTTP_HEAD_LIMITS.maxLineLength} bytes
                     (the handshake module's defaults; more is refused with 431 or 400)
  close timeout      ${DEFAULT_CLOSE_TIMEOUT_MS / 1000} s for the peer to finish the close handshake
  handshake timeout  ${DEFAULT_HANDSHAKE_TIMEOUT_MS / 1000} s from accept to a complete request head; then the
                     connection is dropped (--handshake-timeout MS changes it)
  after the end      once a handshake is refused or a connection is closed, at most
                     ${DEFAULT_DISCARD_LIMIT_BYTES / 1024 / 1024} MiB more is read and dropped; then the connection is reset
  compressed input   inflated up to the message size limit, no further (1009)`;

/** The options every echo server takes besides --port and --help, as its `--help` states them. */
export const ECHO_HELP_OPTIONS = `  --max-fragments N        most frames per message (default 65,536)
  --handshake-timeout MS   opening handshake deadline (default ${DEFAULT_HANDSHAKE_TIMEOUT_MS})
  --no-deflate             decline permessage-deflate (RFC 7692). By default every
                           offer a client may make is accepted (any window bits,
                           either no-context-takeover) and every echoed message
                           is compressed`;

/**
 * The TCP port a `--port` value names (0 picks a free one); otherwise prints
 * why not and exits with status 2, through `exit` (the runtime's own exit).
 * @param {string | undefined} text
 * @param {string} program the name to print, e.g. `echo-server`
 * @param {(code: number) => never} [exit]
 * @returns {number}
 */
export function portFromFlag(text, program, exit = (code) => process.exit(code)) {
  const port = Number(text);
  if (Number.isInteger(port) && port >= 0 && port <= 65535) return port;
  console.error(`${program}: --port must be an integer from 0 to 65535, not ${text}`);
  return exit(2);
}

/**
 * The value after `name` in a command line, or `undefined` (for the Deno and
 * Bun servers, which have no `parseArgs`).
 * @param {readonly string[]} args
 * @param {string} name e.g. `--port`
 */
export function flagValue(args, name) {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

/**
 * The session options of an echo server from its command line (`--max-fragments`,
 * `--handshake-timeout`), for the Deno and Bun servers; see {@link echoSessionOptions}.
 * @param {readonly string[]} args
 */
export function echoSessionOptionsFromArgs(args) {
  return echoSessionOptions({
    maxFragments: flagValue(args, '--max-fragments'),
    handshakeTimeout: flagValue(args, '--handshake-timeout'),
    deflate: !args.includes('--no-deflate'),
  });
}

/**
 * The session options of an echo server from its command-line flags (strings
 * as given, or undefined for the default; `deflate` false for `--no-deflate`).
 * Throws a RangeError naming the flag for a value that is not a positive integer.
 * @param {{ maxFragments?: string, handshakeTimeout?: string, deflate?: boolean }} flags
 * @returns {Omit<import('./session.mjs').SessionOptions, 'role'> & import('./session.mjs').SessionHandlers}
 */
export function echoSessionOptions(flags) {
  const positive = (/** @type {string} */ name, /** @type {string | undefined} */ text, /** @type {number} */ fallback) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, not ${text}`);
    return value;
  };
  return {
    server: echoServerHandshake(flags.deflate ?? true),
    connection: { ...ECHO_LIMITS, maxFragments: positive('--max-fragments', flags.maxFragments, ECHO_LIMITS.maxFragments) },
    handshakeTimeoutMs: positive('--handshake-timeout', flags.handshakeTimeout, DEFAULT_HANDSHAKE_TIMEOUT_MS),
    ...echoHandlers,
  };
}

/**
 * Session handlers that echo every message back as the same type.
 * Byte data may be a view of the received chunk; transports hand the session
 * fresh chunks, so it is sent back without a copy.
 * @type {import('./session.mjs').SessionHandlers}
 */
export const echoHandlers = {
  onEvent(session, event) {
    if (event.type === 'text') session.sendText(event.data);
    else if (event.type === 'binary') session.sendBinary(event.data);
  },
};
