import 'express-session';
import type { Locale, TFunction } from '../platform/i18n';

declare module 'express-session' {
  interface SessionData {
    /** The synchronizer token for CSRF protection (platform/http/csrf.ts). */
    csrfToken?: string;
    /**
     * The outcome of an invitation upload, shown once by the page it redirects to (the multipart form carries its
     * CSRF token in the URL, so the result is never rendered at that URL).
     */
    invitationFlash?: {
      surveyId: string;
      result?: { invited: number; alreadyInvited: number; invalid: string[] };
      values?: Record<string, string | string[]>;
      errors?: { field: string; message: string }[];
      reminded?: number;
    };
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
