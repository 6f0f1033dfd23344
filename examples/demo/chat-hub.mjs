// The chat room's hub: every text message from one member goes to all
// members, the sender included. Each broadcast is a PreparedMessage: encoded
// (and compressed, where members share the same compression parameters
// without context takeover) once, not once per member, while each member's
// connection still checks its own state and message order.
import { PreparedMessage } from 'wscodec';

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
    const message = new PreparedMessage(text);
    for (const member of this.#members) member.sendPrepared(message);
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
