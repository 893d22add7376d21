import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { ROOT } from '../../src/platform/paths';
import { connect } from '../../src/platform/db/database';
import { EmbeddedFerretDB } from '../../src/platform/db/embedded-ferretdb';
import { MissingGoError, ensureFerretDB } from '../../src/platform/db/ferretdb-binary';
import { compose } from '../../src/composition-root';
import { testConfig } from '../support/app';

/** Runs src/server.ts in a child process, as `npm start` would run the build. */
function startServer(env: NodeJS.ProcessEnv) {
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'test/support/register-ts.js'), 'src/server.ts'],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'development',
        PORT: '0',
        LOG_LEVEL: 'info',
        FERRETDB_BIN: process.env.AGORA_TEST_FERRETDB_BIN,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<number>((resolve, reject) => {
    const check = () => {
      const line = stdout.split('\n').find((l) => l.includes('"msg":"listening"'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    };
    child.stdout.on('data', check);
    void exited.then((code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  listening.catch(() => undefined); // tests that expect an exit never await it
  return { child, exited, listening, output: () => ({ stdout, stderr }) };
}

function ferretdbPids(dataDir: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', `sqlite-url=file:${dataDir}`])
      .toString()
      .trim()
      .split('\n')
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

// Each test starts the whole app from its TypeScript sources in a child process: slow on a loaded 2-core machine.
jest.setTimeout(120_000);

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'agora-proc-'));
const running: ChildProcess[] = [];
afterAll(() => running.forEach((child) => child.kill('SIGKILL')));

describe('server process', () => {
  it('when a variable is invalid, then it refuses to start and names the variable', async () => {
    const server = startServer({ PORT: 'abc', DATA_DIR: tempDir() });
    expect(await server.exited).toBe(1);
    expect(server.output().stderr).toContain('PORT: must be a whole number between 0 and 65535 (got "abc")');
  });

  it('when production has no session secret, then it refuses to start and says so', async () => {
    const server = startServer({
      NODE_ENV: 'production',
      BASE_URL: 'https://x.example',
      DATA_DIR: tempDir(),
    });
    expect(await server.exited).toBe(1);
    expect(server.output().stderr).toContain('SESSION_SECRET: is required in production');
  });

  it('when Go is missing and FerretDB is not built, then the message says what to install or set', async () => {
    const dir = tempDir();
    const attempt = ensureFerretDB(undefined, () => undefined, {
      binary: path.join(dir, 'ferretdb'),
      env: { PATH: dir },
    });
    await expect(attempt).rejects.toBeInstanceOf(MissingGoError);
    await expect(attempt).rejects.toThrow(/install Go 1\.24 or newer[\s\S]*or set MONGODB_URI/);
  });

  it('when it gets SIGTERM, then it stops cleanly and leaves no ferretdb process behind', async () => {
    const dataDir = tempDir();
    const server = startServer({ DATA_DIR: dataDir });
    running.push(server.child);
    const port = await server.listening;
    const home = await fetch(`http://127.0.0.1:${port}/?lang=fr`, { redirect: 'manual' });
    expect(home.status).toBe(303);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect(ferretdbPids(dataDir).length).toBeGreaterThan(0);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output().stdout).toContain('"msg":"stopped"');
    expect(ferretdbPids(dataDir)).toEqual([]);
  });

  it('when the app process is killed outright, then its ferretdb stops too', async () => {
    const dataDir = tempDir();
    const server = startServer({ DATA_DIR: dataDir });
    running.push(server.child);
    await server.listening;
    expect(ferretdbPids(dataDir).length).toBeGreaterThan(0);
    server.child.kill('SIGKILL');
    await server.exited;
    expect(await eventually(() => ferretdbPids(dataDir).length === 0, 10_000)).toBe(true);
  });
});

describe('first start', () => {
  it('when the embedded database is empty, then the demo is loaded and its accounts are printed', async () => {
    const server = startServer({ DATA_DIR: tempDir(), DEMO_DATA: 'auto' });
    running.push(server.child);
    const port = await server.listening;
    expect(server.output().stdout).toMatch(/analyst +analyst@demo\.agora\.example +password: \S{16}/);
    const trend = (await (await fetch(`http://127.0.0.1:${port}/api/v1/participation/trend`)).json()) as {
      rounds: { round: string; share: number }[];
    };
    expect(trend.rounds.map((r) => [r.round, r.share])).toEqual(
      expect.arrayContaining([
        ['engagement-2016', 0.08],
        ['engagement-2018', 0.2],
      ]),
    );
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 240_000);
});

describe('readiness', () => {
  it('when the database stops, then /readyz answers 503; when it is back, 200', async () => {
    const dataDir = tempDir();
    const logger = pino({ level: 'silent' });
    const binary = process.env.AGORA_TEST_FERRETDB_BIN as string;
    let engine = await EmbeddedFerretDB.start({ binary, dataDir, logger });
    const connection = await connect(engine.uri, 'readiness');
    const composition = compose(testConfig(), logger, { connection });
    try {
      expect((await request(composition.app).get('/readyz')).status).toBe(200);

      await engine.stop();
      const down = await request(composition.app).get('/readyz');
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ status: 'unavailable', checks: { database: 'unreachable' } });
      expect((await request(composition.app).get('/healthz')).status).toBe(200);

      engine = await EmbeddedFerretDB.start({ binary, dataDir, logger, port: engine.port });
      const back = await eventually(
        async () => (await request(composition.app).get('/readyz')).status === 200,
        // Reconnecting, then the readiness failure window (15 s after the app's last failed operation).
        60_000,
      );
      expect(back).toBe(true);
    } finally {
      await composition.stop();
      await connection.close();
      await engine.stop();
    }
  }, 120_000);
});
