import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ROOT } from '../platform/paths';

/**
 * The only reader of process.env. Every variable is parsed and validated once; a bad value stops the process with
 * a message naming the variable (see .env.example for the full list).
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const optionalString = z
  .string()
  .transform((v) => v.trim())
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce
    .number({ error: 'must be a whole number between 0 and 65535' })
    .int('must be a whole number between 0 and 65535')
    .min(0, 'must be a whole number between 0 and 65535')
    .max(65535, 'must be a whole number between 0 and 65535')
    .default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  BASE_URL: optionalString.pipe(
    z
      .url({
        protocol: /^https?$/,
        error: 'must be an absolute http(s) URL such as https://engage.example.ca',
      })
      .optional(),
  ),
  MONGODB_URI: optionalString.pipe(
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\/.+/, 'must be a MongoDB connection string (mongodb:// or mongodb+srv://)')
      .optional(),
  ),
  DATA_DIR: z.string().min(1).default('./data'),
  SESSION_SECRET: optionalString.pipe(
    z.string().min(32, 'must be at least 32 characters (generate one with: openssl rand -hex 32)').optional(),
  ),
  SESSION_MAX_AGE_HOURS: z.coerce.number().positive('must be a positive number of hours').default(8),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  // Loopback only by default: a proxy on this machine (nginx, a sidecar) may say who the client is; nobody else can.
  TRUST_PROXY: z
    .string()
    .default('loopback')
    .transform((v, ctx): boolean | number | string => {
      const value = v.trim();
      if (value === '' || value === 'false') return false;
      if (value === 'true') return true;
      if (/^\d+$/.test(value)) return Number(value);
      // A comma-separated list of addresses, subnets or Express's names (loopback, linklocal, uniquelocal).
      if (/^[\w.:/, -]+$/.test(value)) return value;
      ctx.addIssue({
        code: 'custom',
        message: 'must be false, true, a number of hops or a list of addresses',
      });
      return z.NEVER;
    }),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  FLOOD_THRESHOLD: z.coerce
    .number()
    .int('must be a whole number of at least 1')
    .min(1, 'must be a whole number of at least 1')
    .default(120),
  FLOOD_WINDOW_SECONDS: z.coerce
    .number()
    .int('must be a whole number of seconds between 10 and 86400')
    .min(10, 'must be a whole number of seconds between 10 and 86400')
    .max(86_400, 'must be a whole number of seconds between 10 and 86400')
    .default(300),
  SMTP_URL: optionalString.pipe(
    z
      .string()
      .regex(
        /^smtps?:\/\/.+/,
        'must be an smtp:// or smtps:// URL, e.g. smtp://user:password@mail.example.ca:587',
      )
      .optional(),
  ),
  MAIL_FROM: optionalString.pipe(
    z
      .string()
      .regex(/^[^\r\n]*<?[^\s@<>]+@[^\s@<>]+>?$/, 'must be an address such as "Agora <no-reply@example.ca>"')
      .optional(),
  ),
  MAIL_WORKER_INTERVAL_MS: z.coerce.number().int().positive().default(5_000),
  DEMO_DATA: z.enum(['auto', 'off'], { error: 'must be auto or off' }).default('auto'),
  SUPPRESSION_THRESHOLD: z.coerce
    .number()
    .int('must be a whole number of at least 1')
    .min(1, 'must be a whole number of at least 1')
    .default(5),
  FERRETDB_BIN: optionalString,
  OPEN_DATA_LICENCE_URL: optionalString.pipe(
    z
      .url({
        protocol: /^https?$/,
        error: 'must be the absolute http(s) URL of the licence of the open data',
      })
      .optional(),
  ),
});

/** The licence of the open data unless OPEN_DATA_LICENCE_URL says otherwise. */
export const OPEN_GOVERNMENT_LICENCE_CANADA = 'https://open.canada.ca/en/open-government-licence-canada';

export type Environment = 'development' | 'test' | 'production';

export interface Config {
  env: Environment;
  isProduction: boolean;
  port: number;
  host: string;
  baseUrl: string;
  /** Unset means: start the embedded FerretDB. */
  mongodbUri: string | undefined;
  dataDir: string;
  sessionSecret: string;
  sessionMaxAgeMs: number;
  logLevel: (typeof LOG_LEVELS)[number];
  trustProxy: boolean | number | string;
  /**
   * A survey is "under a flood" while its anonymous submissions in one window (this one or the last) reach
   * `threshold`: anonymous respondents then pass a challenge before their response counts (docs/security.md).
   */
  flood: { threshold: number; windowSeconds: number };
  shutdownTimeoutMs: number;
  ferretdbBin: string | undefined;
  /** Unset outside production: emails are written as .eml files under DATA_DIR/mail. */
  smtpUrl: string | undefined;
  mailFrom: string;
  mailWorkerIntervalMs: number;
  /** Public breakdowns hide counts from 1 to this minus one. */
  suppressionThreshold: number;
  /** The licence of the open data, linked from /open-data, datapackage.json and the DCAT catalogue. */
  openDataLicenceUrl: string;
  /** Load the demo on the first start of an empty embedded database (never in production, never with MONGODB_URI). */
  demoOnFirstStart: boolean;
}

/** Thrown when the environment does not describe a runnable configuration; its message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Outside production a missing SESSION_SECRET is generated once and kept under DATA_DIR, so sessions survive
 * restarts on a developer's machine. Production has no such fallback.
 */
function developmentSessionSecret(dataDir: string): string {
  const file = path.join(dataDir, '.session-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const secret = crypto.randomBytes(32).toString('hex');
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const given = env[name];
        return `${name}: ${issue.message}${given === undefined ? '' : ` (got ${JSON.stringify(given)})`}`;
      }),
    );
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  const problems: string[] = [];
  if (isProduction && !e.SESSION_SECRET) {
    problems.push('SESSION_SECRET: is required in production (at least 32 random characters)');
  }
  if (isProduction && !e.BASE_URL) {
    problems.push('BASE_URL: is required in production (the public address, used in emails and links)');
  }
  if (isProduction && !e.SMTP_URL) {
    problems.push('SMTP_URL: is required in production (the mail server that sends notifications)');
  }
  if (isProduction && !e.MAIL_FROM) {
    problems.push('MAIL_FROM: is required in production (the sender address of notifications)');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = path.resolve(ROOT, e.DATA_DIR);
  const config: Config = {
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    host: e.HOST,
    baseUrl: (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    mongodbUri: e.MONGODB_URI,
    dataDir,
    sessionSecret: e.SESSION_SECRET ?? developmentSessionSecret(dataDir),
    sessionMaxAgeMs: e.SESSION_MAX_AGE_HOURS * 3600_000,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    flood: { threshold: e.FLOOD_THRESHOLD, windowSeconds: e.FLOOD_WINDOW_SECONDS },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    ferretdbBin: e.FERRETDB_BIN,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM ?? 'Agora <no-reply@localhost>',
    mailWorkerIntervalMs: e.MAIL_WORKER_INTERVAL_MS,
    suppressionThreshold: e.SUPPRESSION_THRESHOLD,
    openDataLicenceUrl: e.OPEN_DATA_LICENCE_URL ?? OPEN_GOVERNMENT_LICENCE_CANADA,
    demoOnFirstStart: e.DEMO_DATA === 'auto' && !isProduction && !e.MONGODB_URI,
  };
  return Object.freeze(config);
}
