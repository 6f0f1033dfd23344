/**
 * Protocol constants of RFC 6455. This module is a leaf: it imports nothing,
 * so every layer (frame, connection, handshake, extensions) can depend on it
 * without creating an import cycle.
 *
 * @module
 */

/**
 * Frame opcodes (RFC 6455 §5.2, §11.8). Opcodes 0x3–0x7 and 0xB–0xF are
 * reserved; a peer that sends one fails the connection (§5.2).
 */
export const Opcode = {
  /** A continuation of a fragmented message (§5.4). */
  Continuation: 0x0,
  /** The first frame of a text message: UTF-8 data (§5.6). */
  Text: 0x1,
  /** The first frame of a binary message (§5.6). */
  Binary: 0x2,
  /** Close control frame (§5.5.1). */
  Close: 0x8,
  /** Ping control frame (§5.5.2). */
  Ping: 0x9,
  /** Pong control frame (§5.5.3). */
  Pong: 0xa,
} as const;

/** One of the opcode values defined by RFC 6455 (see {@link Opcode}). */
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/**
 * Close status codes (RFC 6455 §7.4.1 and the IANA "WebSocket Close Code
 * Number Registry", §11.7). Codes marked "never sent" are reserved for
 * reporting and must not appear in a Close frame on the wire (§7.4.1).
 */
export const CloseCode = {
  /** 1000: the purpose of the connection was fulfilled. */
  NormalClosure: 1000,
  /** 1001: an endpoint is going away (server shutdown, page navigation). */
  GoingAway: 1001,
  /** 1002: the peer violated the protocol. */
  ProtocolError: 1002,
  /** 1003: the endpoint received a type of data it cannot accept. */
  UnsupportedData: 1003,
  /** 1004: reserved; never sent. */
  Reserved: 1004,
  /** 1005: reported when a Close frame carried no status code; never sent. */
  NoStatusReceived: 1005,
  /** 1006: reported when the transport closed without a Close frame; never sent. */
  AbnormalClosure: 1006,
  /** 1007: a message's data was inconsistent with its type (e.g. invalid UTF-8 in text). */
  InvalidFramePayloadData: 1007,
  /** 1008: a message violated the endpoint's policy. */
  PolicyViolation: 1008,
  /** 1009: a message was too big to process. */
  MessageTooBig: 1009,
  /** 1010: (client) the server did not negotiate a required extension. */
  MandatoryExtension: 1010,
  /** 1011: (server) an unexpected condition prevented fulfilling the request. */
  InternalError: 1011,
  /** 1012: the service is restarting (IANA registry). */
  ServiceRestart: 1012,
  /** 1013: try again later (IANA registry). */
  TryAgainLater: 1013,
  /** 1014: a gateway or proxy received an invalid upstream response (IANA registry). */
  BadGateway: 1014,
  /** 1015: reported when the TLS handshake failed; never sent. */
  TlsHandshake: 1015,
} as const;

/** A registered close code (see {@link CloseCode}); any other number in 3000–4999 is also valid on the wire. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Whether `code` may appear in a Close frame on the wire (RFC 6455 §7.4.1,
 * §7.4.2): 1000–1003, 1007–1014 (registered), and 3000–4999 (libraries,
 * frameworks and applications). 0–999, 1004–1006, 1015, the unassigned
 * 1016–2999 and anything above 4999 are refused.
 */
export function isValidCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 3000 && code <= 4999) return true;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}

/** Largest payload of a control frame (RFC 6455 §5.5). */
export const MAX_CONTROL_PAYLOAD = 125;

/** Largest payload length a JavaScript number represents exactly (2^53 − 1). */
export const MAX_SAFE_PAYLOAD = Number.MAX_SAFE_INTEGER;
