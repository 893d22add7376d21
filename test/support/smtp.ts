import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface TestSmtpServer {
  /** For SMTP_URL. */
  url: string;
  /** Every message accepted so far, parsed (subject, text, html, headers, to). */
  messages: ParsedMail[];
  /** While true, the server refuses every message with a temporary error (451), like a mail server that is down. */
  failing: boolean;
  /** Messages accepted for one address. */
  to(address: string): ParsedMail[];
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback for tests: Nodemailer talks SMTP to it exactly as to a production server.
 * A message is parsed before it is acknowledged, so once notifications.drain() returns it is in `messages`.
 */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const state = { failing: false };
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      if (state.failing) {
        stream.resume();
        stream.on('end', () => {
          const error = new Error('Mailbox temporarily unavailable') as Error & { responseCode: number };
          error.responseCode = 451;
          callback(error);
        });
        return;
      }
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get failing() {
      return state.failing;
    },
    set failing(value: boolean) {
      state.failing = value;
    },
    to: (address) =>
      messages.filter((m) =>
        (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).some((t) =>
          t.value.some((v) => v.address?.toLowerCase() === address.toLowerCase()),
        ),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
