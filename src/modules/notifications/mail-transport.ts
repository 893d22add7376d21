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

/** SMTP through Nodemailer (SMTP_URL). */
export function smtpTransport(url: string): MailTransport {
  const transporter: Transporter = nodemailer.createTransport(url);
  return {
    async send(mail) {
      await transporter.sendMail(mail);
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
