import pino, { type Logger } from 'pino';

export type { Logger };

/** One JSON logger for the process. Secrets (cookies, passwords, tokens) are redacted wherever they appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'agora' },
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        '*.password',
        '*.passwordConfirmation',
        '*.token',
        '*.sessionSecret',
      ],
      censor: '[redacted]',
    },
  });
}
