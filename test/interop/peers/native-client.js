// Checks run by a runtime's own `WebSocket` (the WHATWG API) against a server
// under test: headless Chromium (loaded as a page script), Deno and Bun (via
// native-client-cli.mjs). Defines `globalThis.runNativeScenarios(url, maxSize)`
// which resolves to a list of `{ check, ok, detail }`.
//
// The server must echo messages and obey the `cmd:` text commands described
// in websockets_server.py. The WebSocket API cannot send fragmented messages,
// pings or malformed frames, so those checks are left to the other peers.
(() => {
  // Boundaries of the 7-bit, 16-bit and 64-bit length encodings (RFC 6455 §5.2).
  const SIZES = [0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20];
  const PATTERN = new TextEncoder().encode('héllo wörld € 𝄞 ');
  const TIMEOUT_MS = 60_000;

  /** A string whose UTF-8 encoding is exactly `size` bytes. */
  function textOf(size) {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i += PATTERN.length) bytes.set(PATTERN.subarray(0, Math.min(PATTERN.length, size - i)), i);
    const text = new TextDecoder().decode(bytes).replace(/\uFFFD/g, '');
    return text + 'x'.repeat(size - new TextEncoder().encode(text).length);
  }

  function binaryOf(size) {
    const bytes = new Uint8Array(size);
    let x = 0x9e3779b9 ^ size;
    for (let i = 0; i < size; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      bytes[i] = x & 0xff;
    }
    return bytes;
  }

  function sameBytes(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** A socket whose messages and close are awaited in order. */
  function open(url) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      const queue = [];
      const waiters = [];
      let closed;
      const closedPromise = new Promise((r) => (closed = r));
      ws.onmessage = (e) => {
        const value = typeof e.data === 'string' ? e.data : new Uint8Array(e.data);
        const w = waiters.shift();
        if (w) w(value);
        else queue.push(value);
      };
      ws.onclose = (e) => closed({ code: e.code, reason: e.reason, wasClean: e.wasClean });
      ws.onerror = () => reject(new Error('WebSocket error'));
      ws.onopen = () =>
        resolve({
          ws,
          next: () => withTimeout(queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r))),
          closed: () => withTimeout(closedPromise),
        });
    });
  }

  function withTimeout(promise) {
    return Promise.race([
      promise,
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), TIMEOUT_MS)),
    ]);
  }

  globalThis.runNativeScenarios = async (url, maxSize = SIZES[SIZES.length - 1]) => {
    const results = [];
    const check = (name, ok, detail = null) => results.push({ check: name, ok: Boolean(ok), detail });
    try {
      let c = await open(url);
      // WebSocket.extensions: the server's Sec-WebSocket-Extensions answer ('' for none).
      check('extensions', true, c.ws.extensions);
      for (const size of SIZES.filter((n) => n <= maxSize)) {
        const text = textOf(size);
        c.ws.send(text);
        const echoedText = await c.next();
        check(`echo-text-${size}`, echoedText === text, { received: echoedText.length });
        const binary = binaryOf(size);
        c.ws.send(binary);
        const echoedBinary = await c.next();
        check(`echo-binary-${size}`, echoedBinary instanceof Uint8Array && sameBytes(echoedBinary, binary), {
          received: echoedBinary.length,
        });
      }
      c.ws.send('cmd:fragments:5');
      const fragmented = await c.next();
      check('receive-fragmented', fragmented === 'part0;part1;part2;part3;part4;', fragmented);
      c.ws.send('cmd:ping:hello');
      const pong = await c.next();
      check('server-ping', pong === 'pong:hello', pong);
      c.ws.close(4001, 'bye from client');
      const clientClose = await c.closed();
      check('client-close', clientClose.wasClean && clientClose.code === 4001, clientClose);

      c = await open(url);
      c.ws.send('cmd:close:4002:bye from server');
      const serverClose = await c.closed();
      // Not `wasClean`: Bun reports false for any server-initiated close (seen
      // with `ws` as the server too), Deno against some servers.
      check('server-close', serverClose.code === 4002 && serverClose.reason === 'bye from server', serverClose);
    } catch (error) {
      check('no-exception', false, String(error));
    }
    return results;
  };
})();
