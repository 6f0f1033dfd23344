// The echo behaviour shared by the echo server on Node, Deno and Bun and by
// the echo client: runtime-neutral, on top of session.mjs.
import { DEFAULT_HTTP_HEAD_LIMITS } from 'wscodec';
import { PerMessageDeflateClient, PerMessageDeflateServer } from 'wscodec/deflate';
import { DEFAULT_CLOSE_TIMEOUT_MS } from './session.mjs';

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

/** The `--no-deflate` flag, as the echo servers' `--help` states it. */
export const ECHO_HELP_SERVER_DEFLATE = `  --no-deflate    decline permessage-deflate (RFC 7692). By default every offer
                  a client may make is accepted (any window bits, either
                  no-context-takeover) and every echoed message is compressed`;

/**
 * Connection limits that admit the Autobahn|Testsuite performance cases
 * (section 9: messages up to 16 MiB, up to 65,536 fragments per message).
 * @type {Omit<import('wscodec').WebSocketConnectionOptions, 'role' | 'extensions'>}
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
  compressed input   inflated up to the message size limit, no further (1009)`;

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
