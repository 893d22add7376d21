import crypto from 'node:crypto';
import mongoose, { type Connection, type Model } from 'mongoose';
import { isAgeRange, isGender } from '../../platform/classifications';
import {
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type ErrorCode,
  type MessageRef,
} from '../../platform/errors';
import { DEFAULT_ORGANISATION_ID, organisationOf } from '../../platform/http/access';
import type { Actor, AuthenticatedUser, Role } from '../../platform/http/auth';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import type { Locale } from '../../platform/i18n';
import type { Logger } from '../../platform/logger';
import type { Notifications } from '../notifications';
import { accountTokenModel, type AccountTokenDocument, type TokenPurpose } from './account-token.model';
import type { ProfileInput } from './accounts.schemas';
import {
  argon2Hasher,
  hashPassword,
  passwordProblem,
  verifyDummyPassword,
  verifyPassword,
  type PasswordHasher,
} from './passwords';
import { organisationModel, type OrganisationDocument } from './organisation.model';
import { AuditLog, type AuditAction, type AuditEntry } from '../audit';
import { SessionRevoker } from './session-revoker';
import {
  normaliseEmail,
  userEmailModel,
  userModel,
  type UserDocument,
  type UserEmailDocument,
} from './user.model';

/** How long emailed links stay valid. */
export const TOKEN_LIFETIME_MS: Record<TokenPurpose, number> = {
  'verify-email': 48 * 3600_000,
  'reset-password': 3600_000,
};

/** The email templates this module sends (views/emails/<template>/). */
export const EMAIL_TEMPLATES = {
  verifyEmail: 'account-verify-email',
  accountExists: 'account-exists',
  resetPassword: 'account-reset-password',
  passwordChanged: 'account-password-changed',
} as const;

/** The email that carries each kind of link: its template, the page it opens, its lifetime as it reads. */
const LINK_EMAILS: Record<
  TokenPurpose,
  { template: string; path: string; lifetime: (ms: number) => Record<string, number> }
> = {
  'verify-email': {
    template: EMAIL_TEMPLATES.verifyEmail,
    path: '/verify-email/',
    lifetime: (ms) => ({ hours: ms / 3600_000 }),
  },
  'reset-password': {
    template: EMAIL_TEMPLATES.resetPassword,
    path: '/password-reset/',
    lifetime: (ms) => ({ minutes: ms / 60_000 }),
  },
};

/** The acting user, as routes pass it to the service. */
/** Whom the service acts for (one type for every module). */
export type { Actor };

/** What other modules are told when an account is deleted, so they can anonymise what they hold about it. */
export interface AccountDeletedEvent {
  userId: string;
  /** The respondent key the user's responses were recorded under (`user:<id>`). */
  respondentKey: string;
}
export type AccountDeletedListener = (event: AccountDeletedEvent) => Promise<void>;

export type CredentialsResult =
  | { outcome: 'signed-in'; user: AuthenticatedUser }
  | { outcome: 'invalid' }
  | { outcome: 'unverified'; email: string }
  | { outcome: 'deactivated' };

export interface UserSummary {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  status: 'active' | 'deactivated';
  emailVerified: boolean;
  createdAt: Date;
  lastSignInAt: Date | null;
  /** The organisation whose rounds, consultations and surveys this account may act on as staff. */
  organisationId: string;
}

export interface Organisation {
  id: string;
  name: { en: string; fr: string };
}

/** The code of an organisation: lower-case letters, digits and hyphens (it appears in URLs and exports). */
export const ORGANISATION_CODE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

export type { AuditEntry };

export interface Page<T> {
  items: T[];
  page: number;
  pageCount: number;
  total: number;
}

export interface AccountsServiceDeps {
  connection: Connection;
  baseUrl: string;
  notifications: Notifications;
  logger: Logger;
  now?: () => Date;
  /** Sign-in's password checks (argon2id); tests pass a counting wrapper. */
  passwords?: PasswordHasher;
  /** The audit log (one is made on the connection if not given: the command line, tests). */
  audit?: AuditLog;
}

export const PAGE_SIZE = 25;

function sha256(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function toAuthenticatedUser(user: UserDocument): AuthenticatedUser {
  const profile: AuthenticatedUser['profile'] = {};
  if (user.profile?.organisation) profile.organisation = user.profile.organisation;
  if (user.profile?.sector) profile.sector = user.profile.sector;
  if (user.profile?.region) profile.region = user.profile.region;
  if (user.profile?.demographicsConsentAt) {
    if (user.profile.gender) profile.gender = user.profile.gender;
    if (user.profile.ageRange) profile.ageRange = user.profile.ageRange;
  }
  return {
    id: user._id.toString(),
    email: user.email,
    name: user.name,
    roles: user.roles.length ? user.roles : ['participant'],
    locale: user.locale,
    profile,
    organisationId: organisationOf(user),
  };
}

function toSummary(user: UserDocument): UserSummary {
  return {
    id: user._id.toString(),
    email: user.email,
    name: user.name,
    roles: user.roles,
    status: user.status,
    emailVerified: Boolean(user.emailVerifiedAt),
    createdAt: user.createdAt,
    lastSignInAt: user.lastSignInAt,
    organisationId: organisationOf(user),
  };
}

function fieldError(field: string, message: MessageRef, code?: ErrorCode): ValidationError {
  return new ValidationError([{ field, message }], undefined, code ? { code } : undefined);
}

function toOrganisation(doc: OrganisationDocument): Organisation {
  return { id: doc._id, name: { en: doc.name.en, fr: doc.name.fr } };
}

/**
 * Accounts: sign-up, credentials, email verification, password reset and change, profile, deletion, and the
 * administration of roles and status. No HTTP here: routes pass typed input and the acting user.
 */
export class AccountsService {
  private readonly users: Model<UserDocument>;
  private readonly tokens: Model<AccountTokenDocument>;
  private readonly emails: Model<UserEmailDocument>;
  private readonly organisations: Model<OrganisationDocument>;
  /** The audit log: account changes and sign-ups are recorded here, with every other staff action. */
  readonly audit: AuditLog;
  private readonly sessions: SessionRevoker;
  private readonly now: () => Date;
  private readonly deletedListeners: AccountDeletedListener[] = [];
  private indexing?: Promise<void>;

  constructor(private readonly deps: AccountsServiceDeps) {
    this.users = userModel(deps.connection);
    this.tokens = accountTokenModel(deps.connection);
    this.audit = deps.audit ?? new AuditLog(deps.connection, { now: deps.now });
    this.sessions = new SessionRevoker(deps.connection);
    this.now = deps.now ?? (() => new Date());
    this.emails = userEmailModel(deps.connection);
    this.organisations = organisationModel(deps.connection);
  }

  /**
   * Creates the unique indexes and the default organisation, once (the composition root's init(), or the first
   * write that needs them); nothing is done at construction.
   */
  init(): Promise<void> {
    this.indexing ??= Promise.all([
      this.users.init(),
      this.tokens.init(),
      this.audit.init(),
      this.emails.init(),
    ])
      .then(() => this.indexEmails())
      .then(() => this.ensureDefaultOrganisation())
      .then(() => undefined);
    return this.indexing;
  }

  /**
   * The organisation that owns everything written before organisations existed, and staff never given one
   * (platform/http/access.ts reads a missing organisation as this one). Idempotent: an upsert by `_id` that never
   * overwrites a name an admin changed.
   */
  private async ensureDefaultOrganisation(): Promise<void> {
    await this.organisations
      .updateOne(
        { _id: DEFAULT_ORGANISATION_ID },
        {
          $setOnInsert: {
            name: { en: 'Default organisation', fr: 'Organisation par défaut' },
            createdAt: this.now(),
          },
        },
        { upsert: true },
      )
      .catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error;
      });
  }

  /** Every organisation, by code (a small collection: departments and teams). */
  async listOrganisations(): Promise<Organisation[]> {
    const docs = await this.organisations.find({}).sort({ _id: 1 }).lean<OrganisationDocument[]>();
    return docs.map(toOrganisation);
  }

  async findOrganisation(id: string): Promise<Organisation | null> {
    const doc = await this.organisations.findById(String(id)).lean<OrganisationDocument>();
    return doc ? toOrganisation(doc) : null;
  }

  /** Creates an organisation, or renames it when `code` exists and `rename` is set. Admins only. */
  async saveOrganisation(
    actor: Actor,
    input: { code: string; nameEn: string; nameFr: string },
    opts: { rename?: boolean } = {},
  ): Promise<Organisation> {
    if (!actor.roles.includes('admin')) throw new ForbiddenError();
    const errors: { field: string; message: MessageRef }[] = [];
    const code = input.code.trim().toLowerCase();
    const name = { en: input.nameEn.trim(), fr: input.nameFr.trim() };
    if (!ORGANISATION_CODE.test(code))
      errors.push({ field: 'code', message: { key: 'admin:errors.orgCode' } });
    for (const [field, value] of [
      ['nameEn', name.en],
      ['nameFr', name.fr],
    ] as const) {
      if (!value) errors.push({ field, message: { key: 'admin:errors.orgNameRequired' } });
      else if (value.length > 200) errors.push({ field, message: { key: 'admin:errors.orgNameTooLong' } });
    }
    if (errors.length) throw new ValidationError(errors);
    if (opts.rename) {
      const doc = await this.organisations
        .findOneAndUpdate({ _id: code }, { $set: { name } }, { returnDocument: 'after' })
        .lean<OrganisationDocument>();
      if (!doc) throw new NotFoundError();
      await this.audit.record({
        actor: { id: actor.id, email: actor.email },
        action: 'organisation.renamed',
        target: { type: 'organisation', id: code, label: name.en },
        details: { en: name.en, fr: name.fr },
      });
      return toOrganisation(doc);
    }
    try {
      const doc = await this.organisations.create({ _id: code, name });
      await this.audit.record({
        actor: { id: actor.id, email: actor.email },
        action: 'organisation.created',
        target: { type: 'organisation', id: code, label: name.en },
        details: { en: name.en, fr: name.fr },
        key: code,
      });
      return toOrganisation(doc.toObject());
    } catch (error) {
      if (isDuplicateKey(error)) throw fieldError('code', { key: 'admin:errors.orgCodeTaken' });
      throw error;
    }
  }

  /** Moves a staff account to another organisation (audited). Applies on the user's next request. */
  async setOrganisation(actor: Actor, id: string, organisationId: string): Promise<void> {
    const user = await this.requireUser(id);
    if (!(await this.findOrganisation(organisationId))) {
      throw fieldError('organisationId', { key: 'admin:errors.orgUnknown' });
    }
    const before = organisationOf(user);
    if (before === organisationId) return;
    await this.users.updateOne({ _id: user._id }, { $set: { organisationId } });
    await this.audit.record({
      actor: { id: actor.id, email: actor.email },
      action: 'user.organisation_changed',
      target: { type: 'user', id: user._id.toString(), label: user.email },
      details: { from: before, to: organisationId },
    });
  }

  /** Accounts created before the email index existed get their key (once: only when the counts differ). */
  private async indexEmails(): Promise<void> {
    const [users, keys] = await Promise.all([this.users.countDocuments({}), this.emails.countDocuments({})]);
    if (users <= keys) return;
    for await (const user of this.users.find({}, { email: 1 }).lean().cursor()) {
      await this.emails
        .updateOne(
          { _id: normaliseEmail(user.email) },
          { $setOnInsert: { userId: user._id } },
          { upsert: true },
        )
        .catch((error: unknown) => {
          if (!isDuplicateKey(error)) throw error;
        });
    }
  }

  /** The account of an address: two point reads (the email key, then the user). */
  private async findByEmail(email: string): Promise<UserDocument | null> {
    const key = await this.emails.findById(normaliseEmail(email)).lean();
    return key ? this.users.findById(key.userId).lean() : null;
  }

  /**
   * Reserves an address for a new account. Returns the id the account must have, and the account that already
   * holds the address, if any (a key whose account does not exist is taken over with the id it holds).
   */
  private async reserveEmail(
    email: string,
  ): Promise<{ userId: mongoose.Types.ObjectId; holder: UserDocument | null }> {
    const userId = new mongoose.Types.ObjectId();
    try {
      await this.emails.create({ _id: normaliseEmail(email), userId });
      return { userId, holder: null };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    const key = await this.emails.findById(normaliseEmail(email)).lean();
    if (!key) return this.reserveEmail(email); // deleted in between: reserve again
    return { userId: key.userId, holder: await this.users.findById(key.userId).lean() };
  }

  /**
   * Registers a listener called when an account is deleted, before the user document goes. Listeners must be
   * idempotent: if one fails, deletion stops and the user can try again.
   */
  onAccountDeleted(listener: AccountDeletedListener): void {
    this.deletedListeners.push(listener);
  }

  // ---- Sign-up and sign-in -------------------------------------------------------------------------------------

  /**
   * Creates an unverified account and emails a verification link. When the email is already registered, nothing is
   * created and the owner gets an email saying so instead; the caller cannot tell the two apart, and the same
   * password hashing is done either way, so neither can the clock.
   */
  async signUp(input: { name: string; email: string; password: string; locale: Locale }): Promise<void> {
    const problem = passwordProblem(input.password, [input.email, input.name]);
    if (problem) throw fieldError('password', problem);
    await this.init();
    const passwordHash = await hashPassword(input.password);
    const { userId, holder } = await this.reserveEmail(input.email);
    if (holder) {
      // A sign-up whose audit entry was lost (a crash right after the account was created) is repeated by the
      // person: the entry is written now, under the account's key, so it is never there twice.
      if (!holder.emailVerifiedAt && holder.roles.length <= 1)
        await this.auditSignUp(holder, holder.createdAt);
      return this.sendAccountExists(holder);
    }
    let user: UserDocument;
    try {
      user = (
        await this.users.create({
          _id: userId,
          email: input.email,
          name: input.name,
          passwordHash,
          locale: input.locale,
          roles: ['participant'],
        })
      ).toObject();
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // A simultaneous sign-up with the same email won the race: same answer as for an existing account.
      const winner = await this.findByEmail(input.email);
      if (winner) await this.sendAccountExists(winner);
      return;
    }
    await this.auditSignUp(user);
    await this.sendLink(user, 'verify-email');
  }

  /** A sign-up's entry: the new person is the actor; keyed by the account, so it is written once. */
  private async auditSignUp(user: UserDocument, at?: Date): Promise<void> {
    const id = user._id.toString();
    await this.audit.record({
      actor: { id, email: user.email },
      action: 'user.signed_up',
      target: { type: 'user', id, label: user.email },
      key: id,
      ...(at ? { at } : {}),
    });
  }

  private async sendAccountExists(user: UserDocument): Promise<void> {
    await this.deps.notifications.send({
      template: EMAIL_TEMPLATES.accountExists,
      to: user.email,
      locale: user.locale,
      data: {
        name: user.name,
        signInUrl: `${this.deps.baseUrl}/sign-in`,
        resetUrl: `${this.deps.baseUrl}/password-reset`,
      },
    });
  }

  /** Issues a fresh link of this kind and emails it to the user, in their language. */
  private async sendLink(user: UserDocument, purpose: TokenPurpose): Promise<void> {
    const token = await this.issueToken(user, purpose);
    const email = LINK_EMAILS[purpose];
    await this.deps.notifications.send({
      template: email.template,
      to: user.email,
      locale: user.locale,
      data: {
        name: user.name,
        url: `${this.deps.baseUrl}${email.path}${token}`,
        ...email.lifetime(TOKEN_LIFETIME_MS[purpose]),
      },
    });
  }

  /**
   * Checks an email and password. Unknown emails cost the same time as wrong passwords. Only the holder of the
   * right password learns that the account is unverified or deactivated.
   */
  async verifyCredentials(email: string, password: string): Promise<CredentialsResult> {
    const user = await this.findByEmail(email);
    const hasher = this.deps.passwords ?? argon2Hasher;
    if (!user) {
      await verifyDummyPassword(password, hasher);
      return { outcome: 'invalid' };
    }
    if (!(await hasher.verify(user.passwordHash, password))) return { outcome: 'invalid' };
    if (user.status !== 'active') return { outcome: 'deactivated' };
    if (!user.emailVerifiedAt) return { outcome: 'unverified', email: user.email };
    await this.users.updateOne({ _id: user._id }, { $set: { lastSignInAt: this.now() } });
    return { outcome: 'signed-in', user: toAuthenticatedUser(user) };
  }

  /** The signed-in user for a session's user id; undefined when the account is gone or deactivated. */
  async findAuthenticatedUser(id: string): Promise<AuthenticatedUser | undefined> {
    if (!mongoose.isValidObjectId(id) || !/^[0-9a-f]{24}$/.test(id)) return undefined;
    const user = await this.users.findOne({ _id: id, status: 'active' }).lean();
    return user ? toAuthenticatedUser(user) : undefined;
  }

  // ---- Email verification --------------------------------------------------------------------------------------

  /** Sends a new verification link if `email` belongs to an unverified account; otherwise does nothing, silently. */
  async resendVerification(email: string): Promise<void> {
    const user = await this.findByEmail(email);
    if (user && !user.emailVerifiedAt && user.status === 'active') await this.sendLink(user, 'verify-email');
  }

  /** True when `token` is an unused, unexpired link of this kind (to show the confirmation form). */
  async isTokenUsable(purpose: TokenPurpose, token: string): Promise<boolean> {
    return Boolean(await this.findUsableToken(purpose, token));
  }

  /** Marks the email as verified and spends the token; false when the link is unknown, used or expired. */
  async verifyEmail(token: string): Promise<boolean> {
    return (await this.confirmEmail(token)).verified;
  }

  /**
   * Verifies the email and says whom the link may sign in: the link's owner, when their account is active and holds
   * no staff role (an emailed link is a weaker proof than a password, so staff still sign in with theirs). The
   * token is spent first, by one conditional update, so of two uses of one link only one ever signs anyone in.
   */
  async confirmEmail(token: string): Promise<{ verified: boolean; user?: AuthenticatedUser }> {
    const spent = await this.spendToken('verify-email', token);
    if (!spent) return { verified: false };
    const now = this.now();
    await this.users.updateOne(
      { _id: spent.userId, emailVerifiedAt: null },
      { $set: { emailVerifiedAt: now } },
    );
    const user = await this.users.findOne({ _id: spent.userId, status: 'active' }).lean();
    if (!user || user.roles.some((role) => role !== 'participant')) return { verified: true };
    await this.users.updateOne({ _id: user._id }, { $set: { lastSignInAt: now } });
    return { verified: true, user: toAuthenticatedUser(user) };
  }

  /** The address a usable verification link belongs to (shown on its confirmation page), or undefined. */
  async verificationLinkEmail(token: string): Promise<string | undefined> {
    const pending = await this.findUsableToken('verify-email', token);
    if (!pending) return undefined;
    const user = await this.users.findOne({ _id: pending.userId }).lean();
    return user?.email;
  }

  // ---- Passwords -----------------------------------------------------------------------------------------------

  /** Emails a reset link when the account exists; answers the same, silently, when it does not. */
  async requestPasswordReset(email: string): Promise<void> {
    const user = await this.findByEmail(email);
    if (user?.status === 'active') await this.sendLink(user, 'reset-password');
  }

  /**
   * Sets a new password from a reset link. The link proves the email is theirs, so it also verifies it. Every
   * session of the user ends, and every other reset link is spent.
   * Returns false when the link is unknown, used or expired.
   */
  async resetPassword(token: string, password: string): Promise<boolean> {
    const pending = await this.findUsableToken('reset-password', token);
    if (!pending) return false;
    const user = await this.users.findOne({ _id: pending.userId, status: 'active' }).lean();
    if (!user) return false;
    const problem = passwordProblem(password, [user.email, user.name]);
    if (problem) throw fieldError('password', problem);
    const passwordHash = await hashPassword(password);
    if (!(await this.spendToken('reset-password', token))) return false;
    const now = this.now();
    await this.users.updateOne(
      { _id: user._id },
      { $set: { passwordHash, emailVerifiedAt: user.emailVerifiedAt ?? now } },
    );
    await this.tokens.updateMany(
      { userId: user._id, purpose: 'reset-password', usedAt: null },
      { $set: { usedAt: now } },
    );
    await this.sessions.endSessions(user._id.toString());
    await this.sendPasswordChanged(user);
    return true;
  }

  /** Changes the password of the signed-in user, who gives the current one; their other sessions end. */
  async changePassword(
    actor: Actor,
    input: { currentPassword: string; newPassword: string },
    currentSessionId: string,
  ): Promise<void> {
    const user = await this.requireUser(actor.id);
    if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
      throw fieldError('currentPassword', { key: 'accounts:errors.password.incorrect' }, 'wrong_password');
    }
    const problem = passwordProblem(input.newPassword, [user.email, user.name]);
    if (problem) throw fieldError('newPassword', problem);
    const passwordHash = await hashPassword(input.newPassword);
    await this.users.updateOne({ _id: user._id }, { $set: { passwordHash } });
    await this.sessions.endSessions(user._id.toString(), currentSessionId);
    await this.sendPasswordChanged(user);
  }

  private async sendPasswordChanged(user: UserDocument): Promise<void> {
    await this.deps.notifications.send({
      template: EMAIL_TEMPLATES.passwordChanged,
      to: user.email,
      locale: user.locale,
      data: { name: user.name, resetUrl: `${this.deps.baseUrl}/password-reset` },
    });
  }

  // ---- Profile -------------------------------------------------------------------------------------------------

  /** The full profile for the profile page (including the consent date). */
  async getProfile(actor: Actor): Promise<{
    name: string;
    email: string;
    locale: Locale;
    organisation?: string;
    sector?: string;
    region?: string;
    demographicsConsentAt?: Date;
    gender?: string;
    ageRange?: string;
    createdAt: Date;
  }> {
    const user = await this.requireUser(actor.id);
    const p = user.profile ?? {};
    return {
      name: user.name,
      email: user.email,
      locale: user.locale,
      organisation: p.organisation,
      sector: p.sector,
      region: p.region,
      demographicsConsentAt: p.demographicsConsentAt,
      gender: p.demographicsConsentAt ? p.gender : undefined,
      ageRange: p.demographicsConsentAt ? p.ageRange : undefined,
      createdAt: user.createdAt,
    };
  }

  /** The language chosen with the site's language toggle becomes the profile's (emails come in it). */
  async setLocale(actor: Actor, locale: Locale): Promise<void> {
    await this.users.updateOne({ _id: actor.id }, { $set: { locale } });
  }

  /**
   * Saves the profile. Gender and age range are kept only with consent: without the box ticked they are deleted,
   * whatever was sent.
   */
  async updateProfile(actor: Actor, input: ProfileInput): Promise<void> {
    const user = await this.requireUser(actor.id);
    const set: Record<string, unknown> = { name: input.name, locale: input.locale };
    const unset: Record<string, ''> = {};
    for (const field of ['organisation', 'sector', 'region'] as const) {
      if (input[field]) set[`profile.${field}`] = input[field];
      else unset[`profile.${field}`] = '';
    }
    if (input.demographicsConsent === 'yes') {
      set['profile.demographicsConsentAt'] = user.profile?.demographicsConsentAt ?? this.now();
      for (const [field, valid] of [
        ['gender', isGender],
        ['ageRange', isAgeRange],
      ] as const) {
        if (valid(input[field])) set[`profile.${field}`] = input[field];
        else unset[`profile.${field}`] = '';
      }
    } else {
      unset['profile.demographicsConsentAt'] = '';
      unset['profile.gender'] = '';
      unset['profile.ageRange'] = '';
    }
    const update: Record<string, unknown> = { $set: set };
    if (Object.keys(unset).length) update.$unset = unset;
    await this.users.updateOne({ _id: user._id }, update);
  }

  /**
   * Deletes the account after checking the password. Other modules' listeners anonymise what they hold first;
   * then links, sessions and the user document go, and the audit log keeps only ids.
   */
  async deleteAccount(actor: Actor, password: string): Promise<void> {
    const user = await this.requireUser(actor.id);
    if (!(await verifyPassword(user.passwordHash, password))) {
      throw fieldError('password', { key: 'accounts:errors.password.incorrect' }, 'wrong_password');
    }
    const userId = user._id.toString();
    for (const listener of this.deletedListeners) {
      await listener({ userId, respondentKey: `user:${userId}` });
    }
    await this.tokens.deleteMany({ userId: user._id });
    await this.users.deleteOne({ _id: user._id });
    await this.emails.deleteOne({ _id: normaliseEmail(user.email), userId: user._id });
    await this.sessions.endSessions(userId);
    await this.audit.forgetUser(userId);
    await this.writeAudit('user.deleted', null, user, [], []);
    this.deps.logger.info({ userId }, 'account deleted');
  }

  // ---- Administration ------------------------------------------------------------------------------------------

  /** Creates an account directly (the `user:create` command, tests): verified, with the given roles. */
  /** How many accounts exist (the demo loader only fills an empty database). */
  async countUsers(): Promise<number> {
    await this.init();
    return this.users.countDocuments({});
  }

  async createUser(
    input: { email: string; name: string; password: string; roles: Role[]; locale?: Locale },
    actor: Actor | null = null,
  ): Promise<UserSummary> {
    const problem = passwordProblem(input.password, [input.email, input.name]);
    if (problem) throw fieldError('password', problem);
    const roles = [...new Set<Role>(['participant', ...input.roles])];
    await this.init();
    const { userId, holder } = await this.reserveEmail(input.email);
    if (holder) throw fieldError('email', { key: 'accounts:errors.email.taken' });
    let user: UserDocument;
    try {
      user = (
        await this.users.create({
          _id: userId,
          email: input.email,
          name: input.name,
          passwordHash: await hashPassword(input.password),
          roles,
          locale: input.locale ?? 'en',
          emailVerifiedAt: this.now(),
        })
      ).toObject();
    } catch (error) {
      if (isDuplicateKey(error)) throw fieldError('email', { key: 'accounts:errors.email.taken' });
      throw error;
    }
    await this.writeAudit('user.created', actor, user, [], roles);
    return toSummary(user);
  }

  async listUsers(query: { q?: string; role?: Role; page?: number }): Promise<Page<UserSummary>> {
    const filter: Record<string, unknown> = {};
    if (query.q) {
      const pattern = mongoose.trusted({ $regex: escapeRegex(query.q), $options: 'i' });
      filter.$or = [{ email: pattern }, { name: pattern }];
    }
    if (query.role) filter.roles = query.role;
    const total = await this.users.countDocuments(filter);
    const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const page = Math.min(query.page ?? 1, pageCount);
    const users = await this.users
      .find(filter)
      .sort({ email: 1 })
      .skip((page - 1) * PAGE_SIZE)
      .limit(PAGE_SIZE)
      .lean();
    return { items: users.map(toSummary), page, pageCount, total };
  }

  async getUser(id: string): Promise<UserSummary> {
    return toSummary(await this.requireUser(id));
  }

  /** Replaces a user's roles (participant is always kept). An admin cannot remove their own admin role. */
  async setRoles(actor: Actor, id: string, roles: Role[]): Promise<void> {
    const user = await this.requireUser(id);
    const next = [...new Set<Role>(['participant', ...roles])];
    if (user._id.toString() === actor.id && !next.includes('admin')) {
      throw fieldError('roles', { key: 'admin:errors.ownAdminRole' });
    }
    const before = [...user.roles].sort();
    const after = [...next].sort();
    if (before.join() === after.join()) return;
    await this.users.updateOne({ _id: user._id }, { $set: { roles: next } });
    await this.writeAudit('user.roles_changed', actor, user, before, after);
  }

  /** Deactivates an account: its sessions end now and sign-in is refused until an admin reactivates it. */
  async deactivate(actor: Actor, id: string): Promise<void> {
    const user = await this.requireUser(id);
    if (user._id.toString() === actor.id) throw new ForbiddenError({ key: 'admin:errors.ownAccount' });
    const result = await this.users.updateOne(
      { _id: user._id, status: 'active' },
      { $set: { status: 'deactivated', deactivatedAt: this.now() } },
    );
    await this.sessions.endSessions(user._id.toString());
    if (result.modifiedCount) await this.writeAudit('user.deactivated', actor, user, [], []);
  }

  async reactivate(actor: Actor, id: string): Promise<void> {
    const user = await this.requireUser(id);
    const result = await this.users.updateOne(
      { _id: user._id, status: 'deactivated' },
      { $set: { status: 'active', deactivatedAt: null } },
    );
    if (result.modifiedCount) await this.writeAudit('user.reactivated', actor, user, [], []);
  }

  /** The newest entries about an account (its page's history). */
  async listAudit(query: { targetId: string }): Promise<AuditEntry[]> {
    return (await this.audit.list({ targetType: 'user', targetId: query.targetId })).items;
  }

  // ---- Internals -----------------------------------------------------------------------------------------------

  private async requireUser(id: string): Promise<UserDocument> {
    if (!/^[0-9a-f]{24}$/.test(id)) throw new NotFoundError();
    const user = await this.users.findOne({ _id: id }).lean();
    if (!user) throw new NotFoundError();
    return user;
  }

  private async writeAudit(
    action: AuditAction,
    actor: Actor | null,
    target: UserDocument,
    before: string[],
    after: string[],
  ): Promise<void> {
    const id = target._id.toString();
    await this.audit.record({
      actor: actor ? { id: actor.id, email: actor.email } : null,
      action,
      target: { type: 'user', id, label: action === 'user.deleted' ? null : target.email },
      details: before.length || after.length ? { before, after } : {},
      // Creation and deletion happen once per account: a retry (or the sign-up repair below) adds nothing.
      ...(action === 'user.created' || action === 'user.deleted' || action === 'user.signed_up'
        ? { key: id }
        : {}),
    });
  }

  private async issueToken(user: UserDocument, purpose: TokenPurpose): Promise<string> {
    const token = crypto.randomBytes(32).toString('base64url');
    await this.tokens.create({
      _id: sha256(token),
      tokenHash: sha256(token),
      purpose,
      userId: user._id,
      expiresAt: new Date(this.now().getTime() + TOKEN_LIFETIME_MS[purpose]),
      usedAt: null,
    });
    return token;
  }

  private async findUsableToken(purpose: TokenPurpose, token: string): Promise<AccountTokenDocument | null> {
    return this.tokens
      .findOne({
        _id: sha256(token),
        purpose,
        usedAt: null,
        expiresAt: mongoose.trusted({ $gt: this.now() }),
      })
      .lean();
  }

  /** Marks the token used: of two simultaneous uses, one wins (one conditional update is atomic). */
  private async spendToken(purpose: TokenPurpose, token: string): Promise<AccountTokenDocument | null> {
    return this.tokens
      .findOneAndUpdate(
        {
          _id: sha256(token),
          purpose,
          usedAt: null,
          expiresAt: mongoose.trusted({ $gt: this.now() }),
        },
        { $set: { usedAt: this.now() } },
        { returnDocument: 'after' },
      )
      .lean();
  }
}
