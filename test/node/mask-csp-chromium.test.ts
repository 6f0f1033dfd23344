/**
 * The masking kernel in a browser page: Chromium takes the WebAssembly SIMD
 * path, and a page whose Content-Security-Policy forbids compiling
 * WebAssembly (no 'wasm-unsafe-eval') silently falls back to the JavaScript
 * loop, with the same bytes (RFC 6455 §5.3). The page loads the built dist/.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type Chromium } from '../helpers/chromium.mjs';

const root = resolve(import.meta.dirname, '../..');
const dist = join(root, 'dist') + sep;

// Masks 1 MiB with an offset through the package and checks it byte by byte.
const script = `import { applyMask, maskKernel } from '/dist/index.js';
const key = Uint8Array.of(7, 0x80, 0xfe, 0x31);
const data = new Uint8Array((1 << 20) + 5).map((_, i) => (i * 31) & 0xff);
const copy = data.slice();
applyMask(data, key, 2);
let bad = 0;
for (let i = 0; i < data.length; i++) if (data[i] !== (copy[i] ^ key[(2 + i) % 4])) bad++;
window.__result = { kernel: maskKernel(), bad };
`;

let server: Server;
let origin = '';
let browser: Chromium | undefined;
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // No 'wasm-unsafe-eval' (nor 'unsafe-eval'): compiling WebAssembly is refused.
    const csp = url.searchParams.has('csp') ? { 'content-security-policy': "script-src 'self'" } : {};
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html', ...csp }).end('<!doctype html><script type="module" src="/test.js"></script>');
    } else if (url.pathname === '/test.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', ...csp }).end(script);
    } else {
      const path = resolve(root, `.${decodeURIComponent(url.pathname)}`);
      if (!path.startsWith(dist) || extname(path) !== '.js') return void res.writeHead(404).end();
      try {
        res.writeHead(200, { 'content-type': 'text/javascript', ...csp }).end(readFileSync(path));
      } catch {
        res.writeHead(404).end();
      }
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function run(query: string): Promise<{ kernel: string; bad: number }> {
  const tab = await browser!.context.newPage();
  try {
    await tab.goto(`${origin}/${query}`);
    await tab.waitForFunction(() => (window as { __result?: unknown }).__result !== undefined, null, { timeout: 30_000 });
    return await tab.evaluate(() => (window as unknown as { __result: { kernel: string; bad: number } }).__result);
  } finally {
    await tab.close();
  }
}

describe('masking kernel in Chromium', () => {
  it('uses WebAssembly SIMD in an ordinary page', async () => {
    const result = await run('');
    console.log(`chromium ${browser!.version}, ordinary page: masking kernel ${result.kernel}`);
    expect(result).toEqual({ kernel: 'wasm-simd', bad: 0 });
  });

  it("falls back to the JavaScript loop, silently and correctly, under a CSP without 'wasm-unsafe-eval'", async () => {
    const result = await run('?csp');
    console.log(`chromium ${browser!.version}, CSP script-src 'self': masking kernel ${result.kernel}`);
    expect(result).toEqual({ kernel: 'js', bad: 0 });
  });
});
