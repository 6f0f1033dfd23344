/**
 * The README's "Runtimes" examples are complete programs, so they are run as
 * written (only the port changes): each echo server, in its own runtime,
 * answers a `ws` client; the browser example reads frames from a stream in
 * headless Chromium. A README that drifts from the API fails here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../helpers/chromium.mjs';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { encodeFrame, Opcode } from 'wscodec';

const root = fileURLToPath(new URL('../..', import.meta.url));
const workdir = join(root, '.tmp', 'readme-examples'); // inside the package: `wscodec` resolves to dist/
mkdirSync(workdir, { recursive: true });
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

/** The fenced code block under `### <heading>` in the README's `## <part>` section. */
function example(heading: string, part = 'Runtimes'): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const at = readme.indexOf(`\n## ${part}\n`);
  expect(at, `README has "## ${part}"`).toBeGreaterThan(-1);
  const section = readme.slice(at);
  const start = section.indexOf(`\n### ${heading}\n`);
  expect(start, `README has "### ${heading}" under "## ${part}"`).toBeGreaterThan(-1);
  const block = /```\w*\n([\s\S]*?)\n```/.exec(section.slice(start));
  return block![1]!;
}

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`example exited early:\n${output()}`);
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1', () => done(socket.destroy() !== undefined));
      socket.on('error', () => done(false));
    });
    if (open) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`example never listened on ${port}:\n${output()}`);
}

/** Echo exchange with the `ws` client: one text and one binary message, then a normal close. */
function exchange(port: number): Promise<{ got: unknown[]; code: number }> {
  return new Promise((done, fail) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    const got: unknown[] = [];
    ws.on('open', () => {
      ws.send('hello');
      ws.send(Uint8Array.of(1, 2, 3));
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      got.push(isBinary ? [...data] : data.toString());
      if (got.length === 2) ws.close(1000);
    });
    ws.on('close', (code: number) => done({ got, code }));
    ws.on('error', fail);
  });
}

async function runEchoServer(file: string, source: string, command: string, args: string[]) {
  const port = await freePort();
  writeFileSync(join(workdir, file), source.replace(/\b8080\b/g, String(port)));
  // Its own process group: the npm `deno` and `bun` launchers are Node wrappers,
  // and killing a wrapper alone would leave the real runtime serving.
  const child = spawn(command, [...args, file], {
    cwd: workdir,
    detached: true,
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  try {
    await waitForPort(port, child, () => output);
    expect(await exchange(port)).toEqual({ got: ['hello', [1, 2, 3]], code: 1000 });
  } finally {
    process.kill(-child.pid!, 'SIGKILL');
  }
}

const bin = (...parts: string[]) => join(root, 'node_modules', ...parts);

/** Runs a README snippet with this Node, from inside the package (so `wscodec` is dist/), and returns its output lines. */
function runSnippet(name: string, code: string): Promise<string[]> {
  const file = join(workdir, name);
  writeFileSync(file, code);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [file], { cwd: workdir, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(output.trimEnd().split('\n')) : fail(new Error(`${name} exited ${code}:\n${output}`))));
  });
}

describe('README "In 20 lines" examples', () => {
  it('The connection: a client and a server back to back exchange a message, a ping and the close handshake', async () => {
    expect(await runSnippet('tour-connection.mjs', example('The connection', 'In 20 lines'))).toEqual([
      'server got text',
      'server got ping',
      'client got pong ',
      'client got text HELLO',
      "[ { type: 'close', code: 1000, reason: '' } ]",
      'true true',
    ]);
  });

  it('The handshake: client and server agree on a subprotocol; a plain GET is refused with 426', async () => {
    expect(await runSnippet('tour-handshake.mjs', example('The handshake', 'In 20 lines'))).toEqual([
      "GET /chat [ 'chat.v2', 'chat.v1' ]",
      'accepted chat.v1 chat.v1',
      '426 invalid-upgrade',
    ]);
  });

  it('The frame layer: a masked frame split in two chunks decodes to the text', async () => {
    expect(await runSnippet('tour-frame.mjs', example('The frame layer', 'In 20 lines'))).toEqual(['1 Hello']);
  });
});

describe('README "Writing a driver"', () => {
  it('Keepalive: a ping when due, the round trip from its pong, the next deadline, and a dead peer after the timeout', async () => {
    expect(await runSnippet('keepalive.mjs', example('Keepalive', 'Writing a driver'))).toEqual([
      'round trip 42 ms',
      'next check at 60042',
      'false true',
    ]);
  });
});

describe('README runtime examples', () => {
  it('Node client (net): handshake, ping, message, close handshake, then the server closes TCP', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((done) => server.once('listening', done));
    const closes: number[] = [];
    server.on('connection', (ws) => {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      ws.on('close', (code) => closes.push(code));
    });
    try {
      const port = (server.address() as AddressInfo).port;
      const code = example('Node client (`net`)').replace(/\b8080\b/g, String(port));
      expect(await runSnippet('node-client.mjs', code)).toEqual(['pong', 'got Hello', 'close 1000', 'TCP closed']);
      expect(closes).toEqual([1000]);
    } finally {
      server.close();
    }
  });

  it('Node (net): the echo server echoes and closes cleanly', async () => {
    await runEchoServer('node-net.mjs', example('Node (`net`)'), process.execPath, []);
  });

  it('Deno: the echo server echoes and closes cleanly', async () => {
    writeFileSync(join(workdir, 'import-map.json'), JSON.stringify({ imports: { wscodec: '../../dist/index.js' } }));
    const deno = [bin('deno', 'bin.cjs'), 'run', '--no-lock', '--allow-net=127.0.0.1', '--import-map=import-map.json'];
    await runEchoServer('deno.ts', example('Deno'), process.execPath, deno);
  });

  it('Bun: the echo server echoes and closes cleanly', async () => {
    await runEchoServer('bun.ts', example('Bun'), bin('bun', 'bin', 'bun.exe'), []);
  });

  it('Browser: the stream reader logs each frame and stops at an invalid one', async () => {
    const capture = Buffer.concat([
      encodeFrame({ opcode: Opcode.Text, payload: new TextEncoder().encode('hello') }),
      encodeFrame({ opcode: Opcode.Binary, payload: new Uint8Array(300) }),
      Uint8Array.of(0x83, 0x00), // reserved opcode: RFC 6455 §5.2 → 1002
    ]);
    const page = `<script type="importmap">{"imports":{"wscodec":"/dist/index.js"}}</script><script type="module" src="/example.js"></script>`;
    const files: Record<string, [string, Uint8Array | string]> = {
      '/': ['text/html', page],
      '/example.js': ['text/javascript', example('Browser')],
      '/capture.bin': ['application/octet-stream', capture],
      '/dist/index.js': ['text/javascript', readFileSync(join(root, 'dist/index.js'))],
    };
    const server: Server = createServer((req, res) => {
      const path = req.url ?? '/';
      const file = files[path] ?? (/^\/dist\/[\w.-]+\.js$/.test(path) ? ['text/javascript', readFileSync(join(root, path))] as const : undefined);
      if (!file) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const browser = await launchChromium();
    try {
      const tab = await browser.page();
      const logged: string[] = [];
      let end = () => {};
      const ended = new Promise<void>((done) => (end = done));
      tab.on('console', (m) => {
        if (m.text().startsWith('Failed to load resource')) return;
        logged.push(`${m.type()}: ${m.text()}`);
        if (m.type() === 'error') end();
      });
      tab.on('pageerror', (e) => {
        logged.push(`pageerror: ${e.message}`);
        end();
      });
      await tab.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await ended;
      expect(logged).toHaveLength(3);
      expect(logged.slice(0, 2)).toEqual(['log: text: hello', 'log: opcode 2, 300 bytes, fin true']);
      expect(logged[2]).toMatch(/^error: invalid frame \(close code 1002\): /);
    } finally {
      await browser.close();
      server.close();
    }
  });
});
