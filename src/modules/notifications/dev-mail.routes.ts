import fs from 'node:fs';
import path from 'node:path';
import { Router, type Request } from 'express';
import type { Config } from '../../config';
import { NotFoundError } from '../../platform/errors';
import { linkify, readEml } from './eml';

/**
 * The development mailbox shows every email the app wrote, password-reset and invitation links included, so it
 * exists only where nobody else can reach it:
 * - mounted only without a mail server (no SMTP_URL), outside production, when BASE_URL is this machine
 *   (localhost, 127.0.0.0/8 or ::1): an instance whose links point elsewhere is reachable by others;
 * - and each request must come from this machine, straight (see isLocalRequest); anything else is a 404, the
 *   same answer as where it is not mounted.
 */
export function devMailAllowed(config: Pick<Config, 'isProduction' | 'smtpUrl' | 'baseUrl'>): boolean {
  if (config.isProduction || config.smtpUrl) return false;
  try {
    return isLoopbackHost(new URL(config.baseUrl).hostname);
  } catch {
    return false;
  }
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || isLoopbackAddress(host);
}

function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.replace(/^::ffff:/i, '');
  return address === '::1' || /^127(\.\d{1,3}){3}$/.test(v4);
}

/**
 * From this machine, straight: the TCP peer is loopback, so is the client address Express derived (which differs
 * when TRUST_PROXY makes it read X-Forwarded-For), no proxy header says the request was relayed for someone else
 * (a reverse proxy on the same machine connects from loopback), and the Host is a loopback name, so a page on
 * another site cannot reach it through DNS rebinding.
 */
export function isLocalRequest(req: Request): boolean {
  if (!isLoopbackAddress(req.socket.remoteAddress) || !isLoopbackAddress(req.ip)) return false;
  if (req.headers.forwarded || req.headers['x-forwarded-for'] || req.headers['x-real-ip']) return false;
  const host = req.headers.host ?? '';
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return isLoopbackHost(hostname);
}

/** Lists the .eml files written under DATA_DIR/mail and shows one, decoded, with its links clickable. */
export function devMailRouter(mailDir: string): Router {
  const router = Router();
  const list = async () => {
    const files = await fs.promises.readdir(mailDir).catch(() => [] as string[]);
    return files
      .filter((f) => f.endsWith('.eml'))
      .sort()
      .reverse();
  };
  /** The file named in the URL, only if it is one of the listed ones (no path tricks). */
  const fileOf = async (req: Request) => {
    const file = String(req.params.file);
    if (!(await list()).includes(file)) throw new NotFoundError();
    return fs.promises.readFile(path.join(mailDir, file), 'utf8');
  };

  router.use('/dev/mail', (req, _res, next) => {
    next(isLocalRequest(req) ? undefined : new NotFoundError());
  });

  /** GET /dev/mail */
  router.get('/dev/mail', async (req, res) => {
    const files = await list();
    const messages = await Promise.all(
      files.slice(0, 100).map(async (file) => {
        const email = readEml(await fs.promises.readFile(path.join(mailDir, file), 'utf8'));
        return { file, to: email.to, subject: email.subject, date: email.date };
      }),
    );
    res.set('Cache-Control', 'no-store');
    res.render('dev/mail', { title: req.t('notifications:dev.title'), messages, mailDir });
  });

  /** GET /dev/mail/:file : the message as read (decoded text, clickable links). */
  router.get('/dev/mail/:file', async (req, res) => {
    const email = readEml(await fileOf(req));
    res.set('Cache-Control', 'no-store');
    res.render('dev/message', {
      title: email.subject || req.t('notifications:dev.noSubject'),
      email,
      pieces: linkify(email.text),
      rawHref: `/dev/mail/${encodeURIComponent(String(req.params.file))}/raw`,
    });
  });

  /** GET /dev/mail/:file/raw : the .eml file as written. */
  router.get('/dev/mail/:file/raw', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    res.type('text/plain; charset=utf-8').send(await fileOf(req));
  });
  return router;
}
