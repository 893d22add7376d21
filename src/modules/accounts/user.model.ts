import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { AGE_RANGES, GENDERS, REGIONS, SECTORS } from '../../platform/classifications';
import type { AgeRange, Gender, Region, Sector } from '../../platform/classifications';
import { ROLES, type Role } from '../../platform/http/auth';
import { LOCALES, type Locale } from '../../platform/i18n';

export type UserStatus = 'active' | 'deactivated';

export interface UserProfile {
  organisation?: string;
  sector?: Sector;
  region?: Region;
  /** Set when the user ticked the demographics consent box; gender and age range exist only while it is set. */
  demographicsConsentAt?: Date;
  gender?: Gender;
  ageRange?: AgeRange;
}

export interface UserDocument {
  _id: Types.ObjectId;
  /** Lowercased and trimmed; unique. */
  email: string;
  passwordHash: string;
  name: string;
  roles: Role[];
  status: UserStatus;
  emailVerifiedAt: Date | null;
  locale: Locale;
  profile: UserProfile;
  /** Staff: the organisation they act for (platform/http/access.ts); unset means the default organisation. */
  organisationId?: string;
  lastSignInAt: Date | null;
  deactivatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const profileSchema = new Schema<UserProfile>(
  {
    organisation: { type: String, maxlength: 200 },
    sector: { type: String, enum: SECTORS },
    region: { type: String, enum: REGIONS },
    demographicsConsentAt: { type: Date },
    gender: { type: String, enum: GENDERS },
    ageRange: { type: String, enum: AGE_RANGES },
  },
  { _id: false },
);

const userSchema = new Schema<UserDocument>(
  {
    email: { type: String, required: true, lowercase: true, trim: true, maxlength: 254 },
    passwordHash: { type: String, required: true },
    name: { type: String, required: true, maxlength: 100 },
    roles: { type: [{ type: String, enum: ROLES }], default: ['participant'] },
    status: { type: String, enum: ['active', 'deactivated'], default: 'active' },
    emailVerifiedAt: { type: Date, default: null },
    locale: { type: String, enum: LOCALES, default: 'en' },
    profile: { type: profileSchema, default: () => ({}) },
    organisationId: { type: String, maxlength: 40 },
    lastSignInAt: { type: Date, default: null },
    deactivatedAt: { type: Date, default: null },
  },
  { collection: 'users', timestamps: true, versionKey: false },
);
userSchema.index({ email: 1 }, { unique: true });
userSchema.index({ createdAt: -1 });

export function userModel(connection: Connection): Model<UserDocument> {
  return connection.models.User ?? connection.model<UserDocument>('User', userSchema);
}

/**
 * The email index as documents: `_id` is the normalised address, so finding an account by its email (sign-in,
 * sign-up, password reset) is one point read on any engine. Written before the user document it points to, so an
 * address is reserved first; a key whose user does not exist (a sign-up that died half-way) is taken over.
 */
export interface UserEmailDocument {
  _id: string;
  userId: Types.ObjectId;
}

const userEmailSchema = new Schema<UserEmailDocument>(
  {
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
  },
  { collection: 'user_emails', versionKey: false },
);

export function userEmailModel(connection: Connection): Model<UserEmailDocument> {
  return connection.models.UserEmail ?? connection.model<UserEmailDocument>('UserEmail', userEmailSchema);
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
