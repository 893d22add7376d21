/**
 * Security class: outages. When the database fails, the API says so honestly (503 problem+json, not a 500), and
 * /readyz reflects this instance's own connection: down while it is down, and still "failing" for a while after
 * the app's own operations failed, so a load balancer stops sending traffic to an instance whose pool is failing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoNetworkError } from 'mongodb';
import type { Connection } from 'mongoose';
import pino from 'pino';
import request from 'supertest';
import { compose, type Composition } from '../../src/composition-root';
import { connect } from '../../src/platform/db/database';
import { EmbeddedFerretDB } from '../../src/platform/db/embedded-ferretdb';
import { testConfig } from '../support/app';

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

describe('database outage', () => {
  const logger = pino({ level: 'silent' });
  const binary = process.env.AGORA_TEST_FERRETDB_BIN as string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agora-outage-'));
  const windowMs = 10 * 60_000;
  let clock = Date.now();
  let engine: EmbeddedFerretDB;
  let connection: Connection;
  let composition: Composition;

  beforeAll(async () => {
    engine = await EmbeddedFerretDB.start({ binary, dataDir, logger });
    connection = await connect(engine.uri, 'outage');
    composition = compose(
      testConfig(),
      logger,
      { connection },
      { readiness: { failureWindowMs: windowMs, now: () => clock } },
    );
    await composition.init();
  }, 60_000);

  afterAll(async () => {
    await composition.stop();
    await connection.close();
    await engine.stop();
  });

  it('when the database stops and comes back, then the API answers 503 problem+json and /readyz follows the app connection', async () => {
    expect((await request(composition.app).get('/readyz')).body).toEqual({
      status: 'ready',
      checks: { database: 'ok' },
    });
    expect((await request(composition.app).get('/api/v1/consultations')).status).toBe(200);

    await engine.stop();

    const api = await request(composition.app).get('/api/v1/consultations').set('Accept-Language', 'fr');
    expect(api.status).toBe(503);
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(api.headers['retry-after']).toBe('5');
    const problem = JSON.parse(api.text) as { status: number; title: string; detail: string };
    expect(problem.status).toBe(503);
    expect(problem.detail).toBeTruthy();
    expect(problem.detail).not.toMatch(/Mongo|ECONNREFUSED|buffering/);

    const page = await request(composition.app).get('/consultations');
    expect(page.status).toBe(503);
    expect(page.headers['content-type']).toMatch(/text\/html/);

    const down = await request(composition.app).get('/readyz');
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ status: 'unavailable', checks: { database: 'unreachable' } });
    expect((await request(composition.app).get('/healthz')).status).toBe(200);

    engine = await EmbeddedFerretDB.start({ binary, dataDir, logger, port: engine.port });
    // The app's own connection answers again...
    expect(
      await eventually(async () => {
        await connection.db?.command({ ping: 1 });
        return connection.readyState === 1;
      }, 60_000),
    ).toBe(true);
    // ...but its operations failed moments ago: not ready until they have stopped failing for the whole window.
    const failing = await request(composition.app).get('/readyz');
    expect(failing.status).toBe(503);
    expect(failing.body).toEqual({ status: 'unavailable', checks: { database: 'failing' } });

    clock += windowMs + 1;
    const ready = await request(composition.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect((await request(composition.app).get('/api/v1/consultations')).status).toBe(200);
  }, 120_000);

  it('when a request fails because the database is unavailable, then /readyz counts it even while ping succeeds', async () => {
    clock += windowMs + 1;
    expect((await request(composition.app).get('/readyz')).status).toBe(200);
    // A pooled operation failing with a driver error, as the app's reads did when replies went astray.
    const boom = new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed');
    const routes = (await import('express')).Router();
    routes.get('/api/v1/test/pool-failure', () => {
      throw boom;
    });
    const withRoute = compose(
      testConfig(),
      logger,
      { connection },
      {
        extraRouters: [routes],
        readiness: { failureWindowMs: windowMs, now: () => clock },
      },
    );
    expect((await request(withRoute.app).get('/readyz')).status).toBe(200);
    const failed = await request(withRoute.app).get('/api/v1/test/pool-failure');
    expect(failed.status).toBe(503);
    expect((await request(withRoute.app).get('/readyz')).body).toEqual({
      status: 'unavailable',
      checks: { database: 'failing' },
    });
    clock += windowMs + 1;
    expect((await request(withRoute.app).get('/readyz')).status).toBe(200);
    await withRoute.stop();
  });
});
