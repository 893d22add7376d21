import 'express-session';
import type { Locale, TFunction } from '../platform/i18n';

declare module 'express-session' {
  interface SessionData {
    /** The synchronizer token for CSRF protection (platform/http/csrf.ts). */
    csrfToken?: string;
  }
}

declare global {
  namespace Express {
    interface Request {
      locale: Locale;
      t: TFunction;
    }
  }
}

export {};
