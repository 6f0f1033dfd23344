/**
 * The echo servers under attack, one process per attack, and their memory as
 * Linux reports it: `VmRSS` (resident now) and `VmHWM` (resident high-water
 * mark) from /proc/<pid>/status. The figure is the process's own, whatever
 * the runtime (Node, Deno, Bun), so the real binaries are spawned, never the
 * npm launchers (whose pid would be a wrapper's).
 *
 * A measurement: the server is warmed up by one ordinary echo, its high-water
 * mark is reset to its resident size (`5` written to /proc/<pid>/clear_refs,
 * Linux ≥ 4.0), and after the attack the peak growth is `VmHWM − VmRSS at the
 * reset`. If the reset is refused, the baseline is the high-water mark itself
 * (the growth is then understated, never overstated).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { NODE, ROOT, startPeer, type Peer } from '../helpers/processes.js';
import { openWs } from '../helpers/ws-client.js';

export type Runtime = 'node' | 'deno' | 'bun';

const COMMANDS: Record<Runtime, [string, string[]]> = {
  node: [NODE, ['examples/echo-server.mjs']],
  deno: [`${ROOT}node_modules/deno/deno`, ['run', '--allow-net', 'examples/deno-echo-server.mjs']],
  bun: [`${ROOT}node_modules/bun/bin/bun.exe`, ['examples/bun-echo-server.mjs']],
};

/** Resident memory of a process, in bytes. */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

export interface EchoServer {
  runtime: Runtime;
  peer: Peer;
  pid: number;
  port: number;
  url: string;
  /** Peak resident growth since the measurement started, in bytes. */
  peakGrowth(): number;
  /** Whether the process is still running. */
  alive(): boolean;
}

/** Starts `runtime`'s echo server with extra flags, warms it up and starts measuring. */
export async function startEchoServer(runtime: Runtime, flags: string[] = []): Promise<EchoServer> {
  const [command, args] = COMMANDS[runtime];
  const peer = startPeer(command, [...args, '--port', '0', ...flags], { cwd: ROOT, env: { DENO_NO_UPDATE_CHECK: '1' } });
  const line = await peer.waitFor((l) => typeof l.text === 'string' && l.text.startsWith('listening on '));
  const url = String(line.text).slice('listening on '.length);
  const pid = peer.child.pid!;
  // Warm-up: one handshake, a small and a 64 KiB echo, so lazy start-up costs are not counted.
  const client = await openWs(url);
  client.ws.send('warm-up');
  await client.next();
  client.ws.send(new Uint8Array(64 * 1024));
  await client.next();
  client.ws.close(1000);
  await client.closed;
  await new Promise((resolve) => setTimeout(resolve, 100));
  let baseline: number;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    baseline = memoryOf(pid).rss;
  } catch {
    baseline = memoryOf(pid).hwm;
  }
  return {
    runtime,
    peer,
    pid,
    port: Number(new URL(url).port),
    url,
    peakGrowth: () => memoryOf(pid).hwm - baseline,
    alive: () => peer.child.exitCode === null && peer.child.signalCode === null,
  };
}
