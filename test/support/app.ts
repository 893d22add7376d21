import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Express, Router } from 'express';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config';
import { compose, type ComposeOptions, type Composition } from '../../src/composition-root';
import type { Logger } from '../../src/platform/logger';
import { createTestDatabase, type TestDatabase } from './database';
import { startSmtpServer, type TestSmtpServer } from './smtp';

export function testConfig(overrides: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    SESSION_SECRET: 'test-secret-that-is-long-enough-0123456789',
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'agora-test-data-')),
    BASE_URL: 'http://agora.test',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

/** A logger whose JSON lines are kept in memory, for tests that assert on what was logged. */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = pino({ level: 'info' }, stream);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export interface TestApp {
  app: Express;
  composition: Composition;
  db: TestDatabase;
  config: Config;
  /** The email outbox; call notifications.drain() to deliver queued emails (to the test SMTP server). */
  notifications: Composition['notifications'];
  /** The consultations module (services, and notices.runScheduledNotifications(now) for the periodic job). */
  consultations: Composition['consultations'];
  close(): Promise<void>;
}

export interface TestAppOptions {
  config?: Config;
  logger?: Logger;
  /** Extra routers mounted before the app's own (test-only endpoints). */
  routers?: Router[];
  /** Render email templates from this folder (fixtures) instead of views/emails. */
  emailTemplatesDir?: string;
  /** Intervals of the background jobs, for tests that call composition.start(). */
  intervals?: ComposeOptions['intervals'];
}

/** The real app, composed as in production, on a private database. */
export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = options.config ?? testConfig();
  const logger = options.logger ?? pino({ level: 'silent' });
  const composition = compose(config, logger, db, {
    extraRouters: options.routers ?? [],
    emailTemplatesDir: options.emailTemplatesDir,
    intervals: options.intervals,
  });
  await composition.init();
  return {
    app: composition.app,
    composition,
    db,
    config,
    notifications: composition.notifications,
    consultations: composition.consultations,
    async close() {
      await composition.stop();
      await db.drop();
    },
  };
}

/** A test app whose emails go to a fresh local SMTP server: the setup of every test that reads the emails sent. */
export async function startAppWithSmtp(): Promise<{ ctx: TestApp; smtp: TestSmtpServer }> {
  const smtp = await startSmtpServer();
  const ctx = await buildTestApp({
    config: testConfig({ SMTP_URL: smtp.url, MAIL_FROM: 'Agora <no-reply@agora.test>' }),
  });
  return { ctx, smtp };
}

export async function closeAppWithSmtp(
  ctx: TestApp | undefined,
  smtp: TestSmtpServer | undefined,
): Promise<void> {
  await ctx?.close();
  await smtp?.close();
}
