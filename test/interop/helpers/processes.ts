/**
 * Spawning peer programs for the interop tests: every child is tracked so an
 * `afterAll(killAll)` ends whatever is still running, and every wait has a
 * bound so a hung peer fails its test instead of the whole run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const PEERS = fileURLToPath(new URL('../peers/', import.meta.url));
export const PYTHON = '/usr/bin/python3';
export const DENO = `${ROOT}node_modules/.bin/deno`;
export const BUN = `${ROOT}node_modules/.bin/bun`;
/** The Node running the tests (Node 20 under `vitest`), never node_modules/.bin/node. */
export const NODE = process.execPath;

const running = new Set<ChildProcess>();

/** One JSON line printed by a peer. */
export type PeerLine = Record<string, unknown>;

/** A running peer: its JSON stdout lines as they come, and its exit. */
export interface Peer {
  child: ChildProcess;
  lines: PeerLine[];
  stderr: () => string;
  /** Resolves with the first line (past or future) matching `predicate`. */
  waitFor(predicate: (line: PeerLine) => boolean, timeoutMs?: number): Promise<PeerLine>;
  /** Resolves with the exit code once the process ends. */
  exited(timeoutMs?: number): Promise<number | null>;
}

export function startPeer(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Peer {
  // Its own process group, so that killAll also ends what it spawned (the npm
  // `deno` command is a Node wrapper around the real binary).
  const child = spawn(command, args, {
    cwd: options.cwd ?? PEERS,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  const lines: PeerLine[] = [];
  const listeners = new Set<() => void>();
  let stdoutRest = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    const parts = (stdoutRest + text).split('\n');
    stdoutRest = parts.pop() ?? '';
    for (const part of parts) {
      if (part.trim() === '') continue;
      try {
        lines.push(JSON.parse(part) as PeerLine);
      } catch {
        lines.push({ text: part });
      }
    }
    for (const listener of listeners) listener();
  });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-20_000);
  });
  const exit = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      running.delete(child);
      resolve(code);
    });
    child.on('error', (error) => {
      running.delete(child);
      stderr += String(error);
      resolve(-1);
    });
  });
  return {
    child,
    lines,
    stderr: () => stderr,
    waitFor(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const look = (): boolean => {
          const found = lines.find(predicate);
          if (found === undefined) return false;
          cleanup();
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`peer ${command} ${args.join(' ')}: no matching line in ${timeoutMs} ms; stderr: ${stderr}`));
        }, timeoutMs);
        const onExit = () => {
          if (!look()) {
            cleanup();
            reject(new Error(`peer ${command} exited without a matching line; stderr: ${stderr}`));
          }
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(onLine);
          child.off('exit', onExit);
        };
        const onLine = () => void look();
        if (look()) return;
        listeners.add(onLine);
        child.on('exit', onExit);
      });
    },
    exited(timeoutMs = 120_000) {
      return Promise.race([
        exit,
        new Promise<number | null>((_, reject) =>
          setTimeout(() => reject(new Error(`peer ${command} still running after ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs).unref(),
        ),
      ]);
    },
  };
}

/** Runs a client peer to its end; returns its exit code and its `{check, ok}` lines. */
export async function runChecks(command: string, args: string[], timeoutMs = 120_000) {
  const peer = startPeer(command, args);
  const code = await peer.exited(timeoutMs);
  const checks = new Map<string, { ok: boolean; detail: unknown }>();
  for (const line of peer.lines) {
    if (typeof line.check === 'string') checks.set(line.check, { ok: line.ok === true, detail: line.detail });
  }
  return { code, checks, stderr: peer.stderr() };
}

/** Ends every peer still running, with whatever it spawned (for `afterAll`). */
export async function killAll(): Promise<void> {
  const exits = [...running].map(
    (child) =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }),
  );
  await Promise.all(exits);
}

/** The check names every client peer reports, for the sizes it was given. */
export function expectedEchoChecks(maxSize: number): string[] {
  const sizes = [0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20].filter((n) => n <= maxSize);
  return sizes.flatMap((n) => [`echo-text-${n}`, `echo-binary-${n}`]);
}
