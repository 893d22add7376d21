import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { Logger } from '../logger';

/**
 * FerretDB runs under a small shell supervisor so that it can never outlive this process:
 * - the supervisor holds the read end of a pipe whose write end only this process has (its stdin);
 *   when this process dies, even by SIGKILL, the pipe reaches end-of-file and the supervisor stops FerretDB;
 * - SIGTERM/SIGINT to the supervisor are passed on to FerretDB, and the supervisor exits when FerretDB has.
 */
const SUPERVISOR = `
exec 3<&0
"$@" </dev/null &
child=$!
( while read -r _ <&3; do :; done; kill -TERM "$child" 2>/dev/null ) &
watcher=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
status=0
while :; do
  wait "$child"; status=$?
  kill -0 "$child" 2>/dev/null || break
done
kill "$watcher" 2>/dev/null
exit "$status"
`;

export interface EmbeddedFerretDBOptions {
  binary: string;
  /** FerretDB's SQLite files go here (one file per database). */
  dataDir: string;
  logger: Logger;
  /** How long to wait for the first successful ping. */
  startTimeoutMs?: number;
  /** A fixed port (e.g. to restart on the same address); a free one is picked when omitted. */
  port?: number;
}

async function freePort(): Promise<number> {
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

export class EmbeddedFerretDB {
  private exited: Promise<number | null>;
  private hasExited = false;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly port: number,
    private readonly logger: Logger,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.hasExited = true;
        resolve(code);
      }),
    );
  }

  /** A connection string without a database name; append `/<db>`. */
  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}`;
  }

  /** The supervisor's pid (FerretDB is its child). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.hasExited;
  }

  static async start(options: EmbeddedFerretDBOptions): Promise<EmbeddedFerretDB> {
    if (options.port) return EmbeddedFerretDB.startOnce(options);
    // Two attempts: the free port we picked may be taken by someone else before FerretDB binds it.
    try {
      return await EmbeddedFerretDB.startOnce(options);
    } catch (error) {
      options.logger.warn({ err: error }, 'embedded FerretDB did not start; trying another port');
      return EmbeddedFerretDB.startOnce(options);
    }
  }

  private static async startOnce(options: EmbeddedFerretDBOptions): Promise<EmbeddedFerretDB> {
    const dataDir = path.resolve(options.dataDir);
    await fs.promises.mkdir(dataDir, { recursive: true });
    const port = options.port ?? (await freePort());
    const args = [
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--state-dir=-',
      '--log-level=warn',
    ];
    const child = spawn('/bin/sh', ['-c', SUPERVISOR, 'ferretdb-supervisor', options.binary, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const engine = new EmbeddedFerretDB(child, port, options.logger);
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim()) options.logger.debug({ ferretdb: line.trim() }, 'ferretdb');
      }
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    // Nothing is ever written to the pipe; it only has to stay open while we live.
    child.stdin.on('error', () => undefined);
    try {
      await engine.waitUntilReady(options.startTimeoutMs ?? 30_000);
    } catch (error) {
      await engine.stop();
      throw error;
    }
    options.logger.info({ port, dataDir }, 'embedded FerretDB started');
    return engine;
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (this.hasExited) throw new Error('FerretDB exited during start-up (see its log lines above)');
      const client = new MongoClient(this.uri, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
      try {
        await client.connect();
        await client.db('admin').command({ ping: 1 });
        return;
      } catch (error) {
        lastError = error;
      } finally {
        await client.close().catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`FerretDB did not answer ping within ${timeoutMs} ms: ${String(lastError)}`);
  }

  /** Stops FerretDB and waits for it to exit; kills it after `timeoutMs`. Safe to call twice. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.hasExited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.logger.warn('embedded FerretDB did not stop in time; killing it');
      this.child.kill('SIGKILL');
      // With the supervisor gone, closing the pipe makes its watcher stop FerretDB.
      this.child.stdin.destroy();
    }, timeoutMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
      this.child.stdin.destroy();
    }
  }
}
