/**
 * Raw TCP peers that break the protocol on purpose: a client that performs a
 * real handshake then writes hand-made frames, and helpers to read the Close
 * frame the other side answers with.
 */
import { connect, type Socket } from 'node:net';
import { computeAcceptKey } from 'wscodec';
import { concat, rawFrame as buildFrame } from '../../helpers/bytes.ts';

export { concat };

/**
 * A frame from its first header byte (FIN, RSV, opcode) and payload, masked
 * with `key` when given, declaring `announcedLength` (RFC 6455 §5.2).
 */
export function rawFrame(firstByte: number, payload: Uint8Array, key?: Uint8Array, announcedLength = payload.length): Uint8Array {
  const fin = (firstByte & 0x80) !== 0;
  return buildFrame({ opcode: firstByte & 0x0f, rsv: (firstByte >> 4) & 7, fin, payload, mask: key ?? false, length: announcedLength });
}

/** Everything a socket receives until the peer closes it (or `timeoutMs` passes). */
export function collectUntilClose(socket: Socket, timeoutMs = 10_000): Promise<{ bytes: Uint8Array; closed: boolean }> {
  const chunks: Uint8Array[] = [];
  socket.on('data', (chunk: Uint8Array) => chunks.push(chunk));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ bytes: concat(chunks), closed: false });
    }, timeoutMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ bytes: concat(chunks), closed: true });
    });
    socket.on('error', () => {});
  });
}


/** A frame as read back from the wire: its payload unmasked. */
export interface ReadFrame {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  payload: Uint8Array;
}

/** The whole frames in `bytes` (as the other side sent them; masked or not), in order. */
export function readFrames(bytes: Uint8Array): ReadFrame[] {
  const frames: ReadFrame[] = [];
  let pos = 0;
  while (pos + 2 <= bytes.length) {
    const first = bytes[pos]!;
    const masked = (bytes[pos + 1]! & 0x80) !== 0;
    let length = bytes[pos + 1]! & 0x7f;
    let start = pos + 2;
    if (length === 126) {
      length = (bytes[start]! << 8) | bytes[start + 1]!;
      start += 2;
    } else if (length === 127) {
      length = 0;
      for (let i = 0; i < 8; i++) length = length * 256 + bytes[start + i]!;
      start += 8;
    }
    const key = masked ? bytes.subarray(start, start + 4) : undefined;
    if (masked) start += 4;
    if (start + length > bytes.length) break;
    let payload = bytes.subarray(start, start + length);
    if (key) payload = payload.map((b, i) => b ^ key[i & 3]!);
    frames.push({ fin: (first & 0x80) !== 0, rsv1: (first & 0x40) !== 0, opcode: first & 0x0f, payload });
    pos = start + length;
  }
  return frames;
}

/**
 * The close code of the first Close frame in `bytes` (frames as the other side
 * sent them; masked or not), 1005 for one without a code, or undefined if
 * there is none.
 */
export function firstCloseCode(bytes: Uint8Array): number | undefined {
  const close = readFrames(bytes).find((frame) => frame.opcode === 0x8);
  if (close === undefined) return undefined;
  return close.payload.length < 2 ? 1005 : (close.payload[0]! << 8) | close.payload[1]!;
}

const HANDSHAKE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** Opens a TCP connection and completes a client handshake by hand; resolves once the 101 head is read. */
export function rawClient(port: number): Promise<{ socket: Socket; rest: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(
        `GET /raw HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${HANDSHAKE_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101') || !head.includes(computeAcceptKey(HANDSHAKE_KEY))) {
        reject(new Error(`handshake refused: ${head}`));
        return;
      }
      resolve({ socket, rest: Buffer.from(head.slice(end + 4), 'latin1') });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}
