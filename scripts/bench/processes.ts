/**
 * The bench's child processes: the app (the real server entry) and the bare insertOne handler, each in its own
 * process on 127.0.0.1, so the load generator never shares an event loop with what it measures, and the app's
 * memory can be read from /proc.
 *
 * Each child watches its stdin (a pipe only the bench holds): when the bench dies in any way, the pipe closes and
 * the child exits, so no server outlives a bench run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { nowMs } from './stats';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ChildServer {
  name: string;
  port: number;
  pid: number;
  /** The last lines it wrote (shown when it fails). */
  output(): string;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
// Last resort on any exit of the bench: the stdin pipes close anyway, this only makes it immediate.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts `node <script>` with `env`, and waits until GET /readyz on `port` answers 200 (or fails after a minute). */
export async function startChild(
  name: string,
  script: string,
  port: number,
  env: Record<string, string>,
): Promise<ChildServer> {
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  child.stdin?.on('error', () => undefined);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      children.delete(child);
      resolve();
    }),
  );
  const server: ChildServer = {
    name,
    port,
    pid: child.pid as number,
    output: () => tail,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
      child.stdin?.destroy();
    },
  };
  const deadline = nowMs() + 60_000;
  for (;;) {
    if (exited) throw new Error(`${name} exited during start-up:\n${tail}`);
    if (await answersReady(port)) return server;
    if (nowMs() > deadline) {
      await server.stop();
      throw new Error(`${name} did not answer /readyz within 60 s:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function answersReady(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) })
    .then(async (res) => {
      await res.arrayBuffer();
      return res.status === 200;
    })
    .catch(() => false);
}

/** The compiled entry scripts, next to this file in dist/. */
export function distScript(relative: string): string {
  return path.join(__dirname, relative);
}

/** A process's resident memory now and at its peak since the last reset (kB -> MB), from /proc/<pid>/status. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/**
 * Resets a process's peak resident memory (VmHWM) to its current size (Linux: `5` into /proc/<pid>/clear_refs).
 * Returns false when the kernel refuses, in which case only the sampled peak is meaningful.
 */
export function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Samples a process's VmRSS every `everyMs` until stopped; returns the highest value seen (MB). */
export function rssSampler(pid: number, everyMs = 50): { stop(): number } {
  let peak = 0;
  const sample = () => {
    try {
      peak = Math.max(peak, memoryOf(pid).rssMb);
    } catch {
      // the process is gone; keep what was seen
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
