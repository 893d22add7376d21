import path from 'node:path';
import express, { type Express, type Request, type RequestHandler, type Router } from 'express';
import type { i18n } from 'i18next';
import type { Config } from './config';
import type { Logger } from './platform/logger';
import { PUBLIC_DIR, ROOT } from './platform/paths';
import { hasRole } from './platform/http/auth';
import type { NavigationItem } from './platform/http/navigation';
import { csrfProtection } from './platform/http/csrf';
import { errorHandler, notFoundHandler } from './platform/http/error-handler';
import { healthRouter, type Readiness } from './platform/http/health';
import { languageChoice, languagePrefix, localeMiddleware } from './platform/http/locale';
import type { Locale } from './platform/i18n';
import { requestLogger } from './platform/http/request-logger';
import { securityHeaders } from './platform/http/security-headers';
import { configureViews } from './platform/http/view-engine';

export interface AppDeps {
  config: Config;
  logger: Logger;
  i18n: i18n;
  /** Whether this instance's database connection works (/readyz); told about requests the database failed. */
  readiness: Readiness;
  session: RequestHandler;
  /** Middleware that runs after the session (e.g. Passport), in order. */
  sessionMiddleware?: RequestHandler[];
  /** The modules' routers, mounted in order after the platform middleware. */
  routers: Router[];
  /** State-changing requests that need no CSRF token because their URL is a signed capability (see csrf.ts). */
  csrfExempt?: (req: Request) => boolean;
  /** Main menu entries; an entry with `roles` shows only to users holding one of them. */
  navigation?: NavigationItem[];
  /** A signed-in person chose a language with the toggle: it becomes their profile's language. */
  onLanguageChosen?: (user: Express.User, locale: Locale) => Promise<void>;
}

export type { NavigationItem };

/** Request body limits: a survey page or a long comment fits; anything bigger is refused with 413. */
export const BODY_LIMITS = { json: '200kb', form: '200kb', formParameters: 500 } as const;

/** Builds the Express application. No listening and no I/O here, so tests build as many as they need. */
export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const app = express();
  const https = config.baseUrl.startsWith('https:');

  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  configureViews(app, { cache: config.env !== 'development' });
  app.locals.productName = 'Agora';
  app.locals.baseUrl = config.baseUrl;

  app.use(requestLogger(logger));
  app.use(securityHeaders({ isProduction: config.isProduction, https }));
  app.use(healthRouter(deps.readiness));
  // `/fr/...` and `/en/...` name the language; the prefix is removed here, so routes never see it.
  app.use(languagePrefix());

  const staticOptions = { maxAge: config.isProduction ? '7d' : 0, index: false as const };
  app.use('/public', express.static(PUBLIC_DIR, staticOptions));
  for (const font of ['lato', 'noto-sans']) {
    app.use(
      `/public/fonts/${font}`,
      express.static(path.join(ROOT, 'node_modules', '@fontsource', font, 'files'), staticOptions),
    );
  }

  app.use(localeMiddleware(deps.i18n, { secureCookie: https, baseUrl: config.baseUrl }));
  // Flat form fields only (extended: false): a field is a string or a list of strings, never an object,
  // so no form can smuggle an operator object or a prototype key into a query.
  app.use(
    express.urlencoded({
      extended: false,
      limit: BODY_LIMITS.form,
      parameterLimit: BODY_LIMITS.formParameters,
    }),
  );
  app.use(express.json({ limit: BODY_LIMITS.json, strict: true }));
  app.use(deps.session);
  app.use(csrfProtection({ exempt: deps.csrfExempt }));
  for (const middleware of deps.sessionMiddleware ?? []) app.use(middleware);
  app.use(languageChoice(deps.onLanguageChosen));
  app.use((req, res, next) => {
    res.locals.currentPath = req.path;
    res.locals.user = req.user;
    res.locals.navigation = (deps.navigation ?? [])
      .filter((item) => !item.roles || hasRole(req.user, ...item.roles))
      .map((item) => ({ href: item.href, label: req.t(item.labelKey) }));
    next();
  });

  for (const router of deps.routers) app.use(router);

  app.use(notFoundHandler());
  app.use(
    errorHandler(logger, deps.i18n, {
      onDatabaseUnavailable: (error) => deps.readiness.recordFailure(error),
    }),
  );
  return app;
}
