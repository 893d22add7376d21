/**
 * `npm run user:create -- --email ada@example.ca --name "Ada Lovelace" --role admin [--role officer] [--locale fr]`
 *
 * Creates a verified, active account with the given roles: the first administrator, or scripted setups. The password
 * is never an argument (it would land in shell history and `ps`): it is read from AGORA_USER_PASSWORD, or typed at a
 * hidden prompt, or read from the first line of standard input when that is not a terminal. The same password policy
 * as the sign-up form applies. The creation is written to the audit log as done from the command line.
 */
import readline from 'node:readline';
import { Writable } from 'node:stream';
import type { Connection } from 'mongoose';
import { loadConfig, ConfigError } from '../src/config';
import { openDatabase } from '../src/platform/db/database';
import { AccountsService } from '../src/modules/accounts';
import { ValidationError } from '../src/platform/errors';
import { ROLES, type Role } from '../src/platform/http/auth';
import { createI18n, isLocale, type Locale } from '../src/platform/i18n';
import { createLogger } from '../src/platform/logger';
import { z } from 'zod';

export interface CreateUserArgs {
  email: string;
  name: string;
  roles: Role[];
  locale: Locale;
}

const USAGE =
  'Usage: npm run user:create -- --email <address> --name "<full name>" [--role participant|officer|analyst|admin]... [--locale en|fr]\n' +
  'The password is read from AGORA_USER_PASSWORD, a hidden prompt, or the first line of standard input.\n';

/** Parses the command line; throws an Error whose message says what is wrong. */
export function parseCreateUserArgs(argv: string[]): CreateUserArgs {
  const values: Record<string, string[]> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const match = /^--(email|name|role|locale)(?:=(.*))?$/.exec(flag);
    if (!match) throw new Error(`Unknown argument: ${flag}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${match[1]} needs a value`);
    (values[match[1] as string] ??= []).push(value);
  }
  const email = z.email().safeParse(values.email?.[0]?.trim().toLowerCase());
  if (!email.success) throw new Error('--email must be an email address');
  const name = values.name?.[0]?.trim();
  if (!name || name.length > 100) throw new Error('--name must be 1 to 100 characters');
  const roles = values.role ?? [];
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length) throw new Error(`Unknown role(s): ${unknown.join(', ')} (use ${ROLES.join(', ')})`);
  const locale = values.locale?.[0] ?? 'en';
  if (!isLocale(locale)) throw new Error('--locale must be en or fr');
  return { email: email.data, name, roles: roles as Role[], locale };
}

/** Reads the password without echoing it (terminal), or the first line of piped input. */
export async function readPassword(input: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (!input.isTTY) {
    const lines = readline.createInterface({ input });
    for await (const line of lines) {
      lines.close();
      return line;
    }
    return '';
  }
  const muted = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const ask = (prompt: string) =>
    new Promise<string>((resolve) => {
      process.stderr.write(prompt);
      const rl = readline.createInterface({ input, output: muted, terminal: true });
      rl.question('', (answer) => {
        rl.close();
        process.stderr.write('\n');
        resolve(answer);
      });
    });
  const first = await ask('Password: ');
  const second = await ask('Password again: ');
  if (first !== second) throw new Error('The two passwords differ');
  return first;
}

/** Creates the user on `connection`; returns the message to print. */
export async function createUserCommand(
  args: CreateUserArgs,
  password: string,
  deps: { connection: Connection; baseUrl: string },
): Promise<string> {
  const accounts = new AccountsService({
    connection: deps.connection,
    baseUrl: deps.baseUrl,
    // Creating a user sends no email; a send here would be a bug, so make it loud.
    notifications: { send: () => Promise.reject(new Error('user:create sends no email')) },
    logger: createLogger('silent'),
  });
  await accounts.init();
  const user = await accounts.createUser({ ...args, password });
  return `Created ${user.email} (${user.roles.join(', ')}), id ${user.id}. The email address is marked as verified.\n`;
}

async function main(): Promise<void> {
  let args: CreateUserArgs;
  try {
    args = parseCreateUserArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const password = process.env.AGORA_USER_PASSWORD ?? (await readPassword());
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const database = await openDatabase(config, logger);
  try {
    process.stdout.write(
      await createUserCommand(args, password, {
        connection: database.connection,
        baseUrl: config.baseUrl,
      }),
    );
  } catch (error) {
    if (error instanceof ValidationError) {
      const t = createI18n().getFixedT('en');
      for (const problem of error.fieldErrors) {
        process.stderr.write(`${problem.field}: ${t(problem.message.key, problem.message.values ?? {})}\n`);
      }
      process.exitCode = 1;
    } else {
      throw error;
    }
  } finally {
    await database.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
