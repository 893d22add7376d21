import type { RequestHandler, Router } from 'express';
import type { Connection } from 'mongoose';
import type { NavigationItem } from '../../platform/http/navigation';
import type { RateLimiter } from '../../platform/http/rate-limit';
import type { Logger } from '../../platform/logger';
import type { Notifications } from '../notifications';
import type { AuditLog } from '../audit';
import { accountsRouter } from './accounts.routes';
import { AccountsService } from './accounts.service';
import { adminRouter } from './admin.routes';
import { createAuthenticator, passportMiddleware } from './passport';

export { AccountsService, EMAIL_TEMPLATES, TOKEN_LIFETIME_MS } from './accounts.service';
export type {
  AccountDeletedEvent,
  AccountDeletedListener,
  Actor,
  AuditEntry,
  UserSummary,
} from './accounts.service';
export { ACCOUNT_RATE_LIMITS } from './rate-limits';
export { UNIFORM_ANSWER_MS } from './accounts.routes';
export { PASSWORD_MIN_LENGTH, passwordProblem } from './passwords';

export interface AccountsModuleDeps {
  connection: Connection;
  baseUrl: string;
  notifications: Notifications;
  logger: Logger;
  limiter: RateLimiter;
  audit?: AuditLog;
}

export interface AccountsModule {
  service: AccountsService;
  /** Passport (initialize + session), to run after the session middleware. */
  sessionMiddleware: RequestHandler[];
  routers: Router[];
  navigation: NavigationItem[];
  /** Creates the module's unique indexes and the default organisation. */
  init(): Promise<void>;
}

/** Builds the accounts module: the service, Passport, and the account and admin routers. */
export function createAccountsModule(deps: AccountsModuleDeps): AccountsModule {
  const service = new AccountsService(deps);
  const authenticator = createAuthenticator(service);
  return {
    service,
    sessionMiddleware: passportMiddleware(authenticator),
    routers: [
      accountsRouter({
        accounts: service,
        authenticator,
        limiter: deps.limiter,
        secureCookie: deps.baseUrl.startsWith('https:'),
      }),
      adminRouter({ accounts: service }),
    ],
    navigation: [
      { href: '/admin/users', labelKey: 'admin:nav.users', roles: ['admin'] },
      { href: '/admin/organisations', labelKey: 'admin:nav.organisations', roles: ['admin'] },
      { href: '/admin/audit', labelKey: 'admin:nav.audit', roles: ['admin'] },
    ],
    init: () => service.init(),
  };
}
