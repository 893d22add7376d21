import fs from 'node:fs';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';

export interface MailToSend {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  messageId: string;
}

export interface MailTransport {
  send(mail: MailToSend): Promise<void>;
  close(): void;
}

/**
 * The mail server refused the recipient for good: a 5xx reply to RCPT TO (`550 5.1.1 no such user`). Sending again
 * would be refused again, so the outbox stops and tells its bounce listeners. `reason` is the reply's codes only
 * (`550 5.1.1`): its text often repeats the address.
 */
export class RecipientRefusedError extends Error {
  constructor(readonly reason: string) {
    super(`recipient refused: ${reason}`);
    this.name = 'RecipientRefusedError';
  }
}

/** `550 5.1.1` from a reply such as `550 5.1.1 <x@example.ca>: user unknown`. */
function replyCodes(response: unknown, fallback: number): string {
  const match =
    typeof response === 'string' ? /^(\d{3})(?:[ -](\d\.\d{1,3}\.\d{1,3}))?/.exec(response) : null;
  return match ? [match[1], match[2]].filter(Boolean).join(' ') : String(fallback);
}

/**
 * The codes of a permanent refusal of the recipient, from a Nodemailer error; undefined for anything else: a
 * temporary refusal (4xx), a connection or time-out error, and also a 5xx to the sender (MAIL FROM), to the message
 * (DATA) or to the login, which say the app's mail settings or content are wrong, not the address, and stay retried.
 */
export function permanentRecipientRefusal(error: unknown): string | undefined {
  const e = error as { command?: unknown; responseCode?: unknown; response?: unknown } | null;
  if (!e || e.command !== 'RCPT TO' || typeof e.responseCode !== 'number') return undefined;
  if (e.responseCode < 500 || e.responseCode > 599) return undefined;
  return replyCodes(e.response, e.responseCode);
}

/** SMTP through Nodemailer (SMTP_URL). A recipient refused for good is a RecipientRefusedError. */
export function smtpTransport(url: string): MailTransport {
  const transporter: Transporter = nodemailer.createTransport(url);
  return {
    async send(mail) {
      let info: { rejected?: unknown[]; rejectedErrors?: unknown[] };
      try {
        info = (await transporter.sendMail(mail)) as typeof info;
      } catch (error) {
        const reason = permanentRecipientRefusal(error);
        throw reason ? new RecipientRefusedError(reason) : error;
      }
      // With one recipient a refusal is an error above; a server that accepts the message while listing the
      // recipient as rejected is read the same way.
      const rejected = (info.rejected ?? []).map((r) =>
        String(typeof r === 'object' && r ? (r as { address?: string }).address : r).toLowerCase(),
      );
      if (rejected.includes(mail.to.toLowerCase())) {
        const reason = (info.rejectedErrors ?? []).map(permanentRecipientRefusal).find(Boolean);
        // A rejection without a permanent reply (4xx) is retried like any failure.
        throw reason ? new RecipientRefusedError(reason) : new Error('recipient temporarily refused');
      }
    },
    close: () => transporter.close(),
  };
}

/**
 * Development without SMTP_URL: each message is written as an .eml file under DATA_DIR/mail, viewable in any mail
 * client and listed at /dev/mail.
 */
export function fileTransport(dir: string): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const info = (await transporter.sendMail(mail)) as unknown as { message: Buffer };
      await fs.promises.mkdir(dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const safeId = mail.messageId.replace(/[^\w.-]/g, '');
      await fs.promises.writeFile(path.join(dir, `${stamp}-${safeId}.eml`), info.message);
    },
    close: () => transporter.close(),
  };
}
