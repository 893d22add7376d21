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
  /**
   * Refuses every recipient at `domain` at RCPT TO with `code`: 550 (the default) like a mailbox that does not exist,
   * a 4xx like a mailbox that is only unavailable for now. `accept(domain)` lifts it.
   */
  refuse(domain: string, code?: number): void;
  accept(domain: string): void;
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
  const refused = new Map<string, number>();
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = refused.get(address.address.split('@').pop()?.toLowerCase() ?? '');
      if (!code) return callback();
      const error = new Error(
        code >= 500
          ? `5.1.1 <${address.address}>: Recipient address rejected: User unknown`
          : '4.2.1 Mailbox busy',
      ) as Error & { responseCode: number };
      error.responseCode = code;
      callback(error);
    },
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
    refuse: (domain, code = 550) => {
      refused.set(domain.toLowerCase(), code);
    },
    accept: (domain) => {
      refused.delete(domain.toLowerCase());
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
