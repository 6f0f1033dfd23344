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


/**
 * The close code of the first Close frame in `bytes` (frames as the other side
 * sent them; masked or not), or undefined if there is none.
 */
export function firstCloseCode(bytes: Uint8Array): number | undefined {
  let pos = 0;
  while (pos + 2 <= bytes.length) {
    const opcode = bytes[pos]! & 0x0f;
    const masked = (bytes[pos + 1]! & 0x80) !== 0;
    let length = bytes[pos + 1]! & 0x7f;
    pos += 2;
    if (length === 126) {
      length = (bytes[pos]! << 8) | bytes[pos + 1]!;
      pos += 2;
    } else if (length === 127) {
      length = 0;
      for (let i = 0; i < 8; i++) length = length * 256 + bytes[pos + i]!;
      pos += 8;
    }
    const key = masked ? bytes.subarray(pos, pos + 4) : undefined;
    if (masked) pos += 4;
    if (opcode === 0x8) {
      if (length < 2) return 1005;
      const b0 = bytes[pos]! ^ (key ? key[0]! : 0);
      const b1 = bytes[pos + 1]! ^ (key ? key[1]! : 0);
      return (b0 << 8) | b1;
    }
    pos += length;
  }
  return undefined;
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
