/**
 * Codec server ← real clients written by others: Python's `websockets` and
 * `wsproto`, and the native `WebSocket` of Deno and Bun. Each client runs as a
 * process against an echo server built on the package (helpers/codec-server.ts)
 * and reports its checks; the server side records how each connection closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCodecServer, type CodecServer } from './helpers/codec-server.js';
import { BUN, DENO, PYTHON, expectedEchoChecks, killAll, runChecks } from './helpers/processes.js';

const MiB = 1 << 20;
const CLOSE_CHECKS = ['client-close', 'server-close'];
const PEER_CHECKS = ['send-fragmented-text', 'send-fragmented-binary', 'receive-fragmented', 'client-ping', 'server-ping'];

let server: CodecServer;
beforeAll(async () => {
  server = await startCodecServer();
});
afterAll(async () => {
  await killAll();
  await server?.stop();
});

/** Runs a client peer; asserts every expected check passed and the server saw the expected close codes. */
async function runPeer(command: string, args: string[], expected: string[], serverCodes: number[]) {
  const before = server.closes.length;
  const { code, checks, stderr } = await runChecks(command, [...args, server.url]);
  for (const name of expected) {
    const result = checks.get(name);
    expect({ name, ok: result?.ok }, `${JSON.stringify(result?.detail)}; stderr: ${stderr}`).toEqual({ name, ok: true });
  }
  expect([...checks.values()].filter((c) => !c.ok)).toEqual([]);
  expect(code).toBe(0);
  // One connection for the messages and the client's close, one for the
  // server's close, one per violation.
  const closes = await server.closedCount(before + 2 + serverCodes.length - 1);
  const codes = closes.slice(before).map((c) => c.code);
  for (const expectedCode of serverCodes) expect(codes).toContain(expectedCode);
  await server.sawClose({ code: 4001, reason: 'bye from client' }, before);
}

describe('codec server ← Python websockets client', () => {
  it('echoes 0 B–16 MiB, fragments, ping/pong, closes both ways, fails an unmasked frame with 1002', async () => {
    const expected = [...expectedEchoChecks(16 * MiB), ...PEER_CHECKS, ...CLOSE_CHECKS, 'violation-unmasked'];
    await runPeer(PYTHON, ['websockets_client.py'], expected, [4001, 1002]);
  });
});

describe('codec server ← Python wsproto client', () => {
  it('echoes 0 B–16 MiB, fragments, ping/pong, closes both ways, fails violations with 1002 and 1007', async () => {
    const expected = [
      ...expectedEchoChecks(16 * MiB),
      ...PEER_CHECKS,
      ...CLOSE_CHECKS,
      'violation-unmasked',
      'violation-invalid-utf8',
    ];
    await runPeer(PYTHON, ['wsproto_client.py'], expected, [4001, 1002, 1007]);
  });
});

// The WHATWG WebSocket API cannot send fragments, pings or bad frames: the
// runtimes check messages, server pings, fragmented receipt and both closes.
const NATIVE_CHECKS = ['receive-fragmented', 'server-ping', ...CLOSE_CHECKS];

describe('codec server ← Deno native WebSocket', () => {
  it('echoes 0 B–16 MiB, answers server pings, closes both ways', async () => {
    await runPeer(DENO, ['run', '--allow-net', 'native-client-cli.mjs'], [...expectedEchoChecks(16 * MiB), ...NATIVE_CHECKS], [4001]);
  });
});

describe('codec server ← Bun native WebSocket', () => {
  it('echoes 0 B–16 MiB, answers server pings, closes both ways', async () => {
    await runPeer(BUN, ['native-client-cli.mjs'], [...expectedEchoChecks(16 * MiB), ...NATIVE_CHECKS], [4001]);
  });
});
