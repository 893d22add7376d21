import session from 'express-session';
import type { RequestHandler } from 'express';
import type { Connection } from 'mongoose';
import type { Logger } from '../logger';
import { MongoSessionStore } from './session-store';

export const SESSION_COOKIE = 'agora.sid';

export interface SessionOptions {
  connection: Connection;
  secret: string;
  maxAgeMs: number;
  secureCookie: boolean;
  logger?: Logger;
}

/**
 * Sessions live in MongoDB so any number of app instances can serve the same user (see session-store.ts: one
 * document read by `_id` per request, expired sessions deleted in the background). A session is created only when
 * something is stored in it (a CSRF token for a form, a signed-in user); anonymous survey respondents never get one.
 */
export function createSessionMiddleware(options: SessionOptions): {
  middleware: RequestHandler;
  store: MongoSessionStore;
} {
  const store = new MongoSessionStore(options.connection, {
    defaultMaxAgeMs: options.maxAgeMs,
    logger: options.logger,
  });
  const middleware = session({
    name: SESSION_COOKIE,
    secret: options.secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secureCookie,
      maxAge: options.maxAgeMs,
    },
  });
  return { middleware, store };
}
