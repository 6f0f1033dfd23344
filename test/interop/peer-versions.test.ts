/**
 * Every interop peer is installed and runnable; prints each one's version so
 * a run's log says exactly which implementations the codec was checked against.
 */
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH } from '../helpers/chromium.mjs';
import { BUN, DENO, PYTHON, killAll, startPeer } from './helpers/processes.js';

afterAll(killAll);

async function versionOf(command: string, args: string[]): Promise<string> {
  const peer = startPeer(command, args);
  expect(await peer.exited(30_000), `${command}: ${peer.stderr()}`).toBe(0);
  return peer.lines.map((line) => String(line.text ?? JSON.stringify(line))).join(' ').trim();
}

describe('interop peers', () => {
  it('are installed; their versions are printed', async () => {
    const versions = {
      ws: (createRequire(import.meta.url)('ws/package.json') as { version: string }).version,
      'python3-websockets / wsproto': await versionOf(PYTHON, [
        '-c',
        'import websockets, wsproto; print("websockets", websockets.__version__, "wsproto", wsproto.__version__)',
      ]),
      chromium: await versionOf(CHROMIUM_PATH, ['--version']),
      deno: (await versionOf(DENO, ['--version'])).split(' (')[0]!,
      bun: await versionOf(BUN, ['--version']),
    };
    console.log(`interop peers: ${JSON.stringify(versions, null, 2)}`);
    for (const version of Object.values(versions)) expect(version).toMatch(/\d+\.\d+/);
  });
});
