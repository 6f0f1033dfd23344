/** Helpers for comparing connection events in tests. Portable: no Node API. */
import type { WebSocketEvent } from 'wscodec';

/** Events as plain data (byte arrays copied into number arrays), comparable with toEqual. */
export const plain = (events: readonly WebSocketEvent[]) =>
  events.map((e) => ('data' in e && e.data instanceof Uint8Array ? { ...e, data: Array.from(e.data) } : e));

/** Events with each error's message replaced by a check that it is there (a person-readable string). */
export const withoutMessages = (events: readonly WebSocketEvent[]) =>
  events.map((e) => (e.type === 'error' ? { type: e.type, code: e.code, hasMessage: e.message.length > 0 } : e));

/** The error event expected for a close code, as {@link withoutMessages} shows it. */
export const failure = (code: number) => ({ type: 'error', code, hasMessage: true });
