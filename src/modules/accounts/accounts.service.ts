import crypto from 'node:crypto';
import mongoose, { type Connection, type Model } from 'mongoose';
import { isAgeRange, isGender } from '../../platform/classifications';
import { ForbiddenError, NotFoundError, ValidationError, type MessageRef } from '../../platform/errors';
import type { AuthenticatedUser, Role } from '../../platform/http/auth';
import { isDuplicateKey } from '../../platform/db/duplicate-key';
import type { Locale } from '../../platform/i18n';
import type { Logger } from '../../platform/logger';
import type { Notifications } from '../notifications/notifications.types';
import { accountTokenModel, type AccountTokenDocument, type TokenPurpose } from './account-token.model';
import type { ProfileInput } from './accounts.schemas';
import { auditModel, type AuditAction, type AuditEntryDocument } from './audit.model';
import { hashPassword, passwordProblem, verifyDummyPassword, verifyPassword } from './passwords';
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
export type Actor = Pick<AuthenticatedUser, 'id' | 'email' | 'roles'>;

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
}

export interface AuditEntry {
  id: string;
  at: Date;
  action: AuditAction;
  actorEmail: string | null;
  targetId: string;
  targetEmail: string | null;
  before: string[];
  after: string[];
}

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
  };
}

function fieldError(field: string, message: MessageRef): ValidationError {
  return new ValidationError([{ field, message }]);
}

/**
 * Accounts: sign-up, credentials, email verification, password reset and change, profile, deletion, and the
 * administration of roles and status. No HTTP here: routes pass typed input and the acting user.
 */
export class AccountsService {
  private readonly users: Model<UserDocument>;
  private readonly tokens: Model<AccountTokenDocument>;
  private readonly emails: Model<UserEmailDocument>;
  private readonly audit: Model<AuditEntryDocument>;
  private readonly sessions: SessionRevoker;
  private readonly now: () => Date;
  private readonly deletedListeners: AccountDeletedListener[] = [];
  /** Resolves once the unique indexes exist. */
  readonly ready: Promise<void>;

  constructor(private readonly deps: AccountsServiceDeps) {
    this.users = userModel(deps.connection);
    this.tokens = accountTokenModel(deps.connection);
    this.audit = auditModel(deps.connection);
    this.sessions = new SessionRevoker(deps.connection);
    this.now = deps.now ?? (() => new Date());
    this.emails = userEmailModel(deps.connection);
    this.ready = Promise.all([this.users.init(), this.tokens.init(), this.audit.init(), this.emails.init()])
      .then(() => this.indexEmails())
      .then(() => undefined);
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
    await this.ready;
    const passwordHash = await hashPassword(input.password);
    const { userId, holder } = await this.reserveEmail(input.email);
    if (holder) return this.sendAccountExists(holder);
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
    await this.sendLink(user, 'verify-email');
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
    if (!user) {
      await verifyDummyPassword(password);
      return { outcome: 'invalid' };
    }
    if (!(await verifyPassword(user.passwordHash, password))) return { outcome: 'invalid' };
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
      throw fieldError('currentPassword', { key: 'accounts:errors.password.incorrect' });
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
      throw fieldError('password', { key: 'accounts:errors.password.incorrect' });
    }
    const userId = user._id.toString();
    for (const listener of this.deletedListeners) {
      await listener({ userId, respondentKey: `user:${userId}` });
    }
    await this.tokens.deleteMany({ userId: user._id });
    await this.users.deleteOne({ _id: user._id });
    await this.emails.deleteOne({ _id: normaliseEmail(user.email), userId: user._id });
    await this.sessions.endSessions(userId);
    await this.audit.updateMany({ targetId: user._id }, { $set: { targetEmail: null } });
    await this.audit.updateMany({ actorId: user._id }, { $set: { actorEmail: null } });
    await this.writeAudit('user.deleted', null, user, [], []);
    this.deps.logger.info({ userId }, 'account deleted');
  }

  // ---- Administration ------------------------------------------------------------------------------------------

  /** Creates an account directly (the `user:create` command, tests): verified, with the given roles. */
  /** How many accounts exist (the demo loader only fills an empty database). */
  async countUsers(): Promise<number> {
    await this.ready;
    return this.users.countDocuments({});
  }

  async createUser(
    input: { email: string; name: string; password: string; roles: Role[]; locale?: Locale },
    actor: Actor | null = null,
  ): Promise<UserSummary> {
    const problem = passwordProblem(input.password, [input.email, input.name]);
    if (problem) throw fieldError('password', problem);
    const roles = [...new Set<Role>(['participant', ...input.roles])];
    await this.ready;
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

  async listAudit(query: { targetId?: string; page?: number }): Promise<Page<AuditEntry>> {
    const filter: Record<string, unknown> = {};
    if (query.targetId) filter.targetId = query.targetId;
    const total = await this.audit.countDocuments(filter);
    const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const page = Math.min(query.page ?? 1, pageCount);
    const entries = await this.audit
      .find(filter)
      .sort({ at: -1, _id: -1 })
      .skip((page - 1) * PAGE_SIZE)
      .limit(PAGE_SIZE)
      .lean();
    return {
      items: entries.map((e) => ({
        id: e._id.toString(),
        at: e.at,
        action: e.action,
        actorEmail: e.actorEmail,
        targetId: e.targetId.toString(),
        targetEmail: e.targetEmail,
        before: e.before,
        after: e.after,
      })),
      page,
      pageCount,
      total,
    };
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
    await this.audit.create({
      at: this.now(),
      action,
      actorId: actor ? actor.id : null,
      actorEmail: actor ? actor.email : null,
      targetId: target._id,
      targetEmail: action === 'user.deleted' ? null : target.email,
      before,
      after,
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
