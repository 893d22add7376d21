import path from 'node:path';
import ejs from 'ejs';
import type { Express } from 'express';
import { localiseHtmlLinks } from '../i18n/urls';
import { VIEWS_DIR } from '../paths';

type EngineCallback = (error: Error | null, html?: string) => void;

/**
 * EJS with one shared layout: a view renders first, then views/layouts/main.ejs wraps it (`body`).
 * A view opts out with `layout: false` in its locals (feeds, emails, partial responses).
 * The result's site-local links get the page's language prefix (`res.locals.linkPrefix`, see platform/http/locale.ts).
 */
export function configureViews(app: Express, options: { cache: boolean }): void {
  const layoutFile = path.join(VIEWS_DIR, 'layouts', 'main.ejs');
  app.engine('ejs', (file: string, locals: object, callback: EngineCallback) => {
    const data = locals as Record<string, unknown>;
    const ejsOptions = { cache: options.cache, filename: file, root: VIEWS_DIR };
    // Pages in French (or at an explicit /en address) keep their language in every site-local link and form.
    const prefix = typeof data.linkPrefix === 'string' ? data.linkPrefix : '';
    const done: EngineCallback = (error, html) =>
      error ? callback(error) : callback(null, localiseHtmlLinks(html ?? '', prefix));
    ejs.renderFile(file, data, ejsOptions, (error, body) => {
      if (error) return callback(error);
      if (data.layout === false) return done(null, body);
      ejs.renderFile(layoutFile, { ...data, body }, { ...ejsOptions, filename: layoutFile }, done);
    });
  });
  app.set('view engine', 'ejs');
  app.set('views', VIEWS_DIR);
  app.set('view cache', options.cache);
}
