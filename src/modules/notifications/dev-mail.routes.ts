import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { NotFoundError } from '../../platform/errors';

/**
 * Development only (no SMTP_URL, not production): lists the .eml files written under DATA_DIR/mail and shows one.
 * Never mounted in production.
 */
export function devMailRouter(mailDir: string): Router {
  const router = Router();
  const list = async () => {
    const files = await fs.promises.readdir(mailDir).catch(() => [] as string[]);
    return files
      .filter((f) => f.endsWith('.eml'))
      .sort()
      .reverse();
  };

  /** GET /dev/mail */
  router.get('/dev/mail', async (req, res) => {
    const files = await list();
    const messages = await Promise.all(
      files.slice(0, 100).map(async (file) => {
        const raw = await fs.promises.readFile(path.join(mailDir, file), 'utf8');
        const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(raw)?.[1] ?? '';
        return { file, to: header('To'), subject: header('Subject'), date: header('Date') };
      }),
    );
    res.render('dev/mail', { title: req.t('notifications:dev.title'), messages, mailDir });
  });

  /** GET /dev/mail/:file */
  router.get('/dev/mail/:file', async (req, res) => {
    const file = req.params.file;
    if (!(await list()).includes(file)) throw new NotFoundError();
    res.type('text/plain; charset=utf-8').send(await fs.promises.readFile(path.join(mailDir, file), 'utf8'));
  });
  return router;
}
