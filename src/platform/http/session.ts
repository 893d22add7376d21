import session from 'express-session';
import MongoStore from 'connect-mongo';
import type { RequestHandler } from 'express';
import type { Connection } from 'mongoose';

export const SESSION_COOKIE = 'agora.sid';

export interface SessionOptions {
  connection: Connection;
  secret: string;
  maxAgeMs: number;
  secureCookie: boolean;
}

/**
 * Sessions live in MongoDB so any number of app instances can serve the same user. FerretDB has no TTL indexes,
 * so expired sessions are deleted on an interval instead ("interval" mode), which works on both databases.
 * Sessions are created only when something is stored in them (a CSRF token for a form, a signed-in user).
 */
export function createSessionMiddleware(options: SessionOptions): {
  middleware: RequestHandler;
  store: MongoStore;
} {
  const store = MongoStore.create({
    client: options.connection.getClient(),
    dbName: options.connection.db?.databaseName,
    collectionName: 'sessions',
    autoRemove: 'interval',
    autoRemoveInterval: 10, // minutes
    stringify: false,
    touchAfter: 60, // seconds: do not rewrite an unchanged session on every request
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
