// The chat room's hub: every text message from one member goes to all
// members, the sender included. Each broadcast is encoded ONCE as a server
// frame (unmasked, RFC 6455 §5.1) and the same bytes are written to every
// socket, so a room of N costs one encoding, not N.
import { encodeFrame, Opcode } from 'wscodec';

const encoder = new TextEncoder();

export class ChatHub {
  /** @type {Set<import('../session.mjs').WebSocketSession>} */
  #members = new Set();

  /** Number of members in the room. */
  get size() {
    return this.#members.size;
  }

  /** Adds an open session to the room. */
  join(/** @type {import('../session.mjs').WebSocketSession} */ session) {
    this.#members.add(session);
    this.broadcast(`* someone joined (${this.#members.size} in the room)`);
  }

  /** Removes a session (its transport is gone). */
  leave(/** @type {import('../session.mjs').WebSocketSession} */ session) {
    if (this.#members.delete(session)) this.broadcast(`* someone left (${this.#members.size} in the room)`);
  }

  /** Sends `text` to every member whose connection is still open. */
  broadcast(/** @type {string} */ text) {
    const frame = encodeFrame({ opcode: Opcode.Text, payload: encoder.encode(text) });
    for (const member of this.#members) member.sendFrame(frame);
  }

  /** Session handlers for a chat connection. */
  handlers() {
    return {
      /** @param {import('../session.mjs').WebSocketSession} session */
      onOpen: (session) => this.join(session),
      /** @param {import('../session.mjs').WebSocketSession} session @param {import('wscodec').WebSocketEvent} event */
      onEvent: (session, event) => {
        if (event.type === 'text') this.broadcast(event.data);
        // The room is text only (RFC 6455 §7.4.1: 1003, a type it cannot accept).
        else if (event.type === 'binary') session.close(1003, 'the chat room takes text only');
      },
      /** @param {import('../session.mjs').WebSocketSession} session */
      onClose: (session) => this.leave(session),
    };
  }

  /** Closes every member's connection (server shutdown: 1001, RFC 6455 §7.4.1). */
  closeAll() {
    for (const member of this.#members) if (member.state === 'open') member.close(1001, 'server shutting down');
  }
}
