import crypto from 'node:crypto';
import { ObjectId } from 'mongodb';
import type { Locale } from '../../platform/i18n';
import type { Answers, OtherText } from './survey-answers';
import type { ResponseFlag } from './flood-guard';

/**
 * The ids and shapes of stored responses, as pure functions: the service writes these, and the benchmark bulk-loads
 * responses in exactly the app's shapes.
 *
 * Every response a respondent can reach has a deterministic `_id`, so each of their requests reads and writes by
 * `_id` (a point read on MongoDB and, through the patched index lookup, on the embedded engine):
 * - a draft: `d<hash(surveyId, respondentKey)>`;
 * - a submitted response, one per respondent: `r<hash(surveyId, respondentKey)>` (its insert is the exactly-once
 *   decision); several per respondent: `r<hash(surveyId, respondentKey, draftNonce)>`, the nonce being drawn when
 *   the draft is created, so a double submission of one draft is the same id;
 * - through the API, several per respondent: `r<hash(surveyId, 'idem', respondentKey, Idempotency-Key)>`.
 * Respondent keys of anonymous browsers are secrets, so ids carry only a hash (never the key itself).
 */

/** A 192-bit SHA-256 prefix of the parts, base64url (letters, digits, `-`, `_`: safe in an id, a URL and a key). */
export function idHash(...parts: string[]): string {
  return crypto.createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);
}

/** Shape of every id built here: one letter and the hash. */
export const RESPONSE_ID_PATTERN = /^[dr][A-Za-z0-9_-]{32}$/;
export const INVITATION_ID_PATTERN = /^i[A-Za-z0-9_-]{32}$/;

export function draftId(surveyId: string, respondentKey: string): string {
  return `d${idHash(surveyId, respondentKey)}`;
}

/** The submitted response's id: one per respondent, or one per draft (by its nonce) when several are allowed. */
export function submittedId(surveyId: string, respondentKey: string, draftNonce?: string): string {
  return `r${idHash(surveyId, respondentKey, ...(draftNonce === undefined ? [] : [draftNonce]))}`;
}

/** An API submission to a survey that takes several responses per respondent: one per Idempotency-Key. */
export function apiSubmissionId(surveyId: string, respondentKey: string, idempotencyKey: string): string {
  return `r${idHash(surveyId, 'idem', respondentKey, idempotencyKey)}`;
}

/** One invitation per address per survey: the natural key is the id. */
export function invitationId(surveyId: string, normalisedEmail: string): string {
  return `i${idHash(surveyId, normalisedEmail)}`;
}

/** A random nonce (drafts, claim keys). */
export function nonce(): string {
  return crypto.randomBytes(16).toString('base64url');
}

/** Field paths are built from question ids: letters, digits and hyphens only, never `.` or `$`. */
const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/;

export function isSafeKey(key: string): boolean {
  return SAFE_KEY.test(key);
}

/** `${prefix}.${key}` for a safe key; anything else is refused (it would address another field). */
export function fieldPath(prefix: 'answers' | 'otherText', key: string): string {
  if (!isSafeKey(key)) throw new Error(`unsafe answer key: ${JSON.stringify(key)}`);
  return `${prefix}.${key}`;
}

export interface SubmittedResponseInput {
  id: string;
  surveyId: string;
  surveyVersion: number;
  consultationId: string;
  roundId: string;
  respondentKey: string;
  answers: Answers;
  otherText: OtherText;
  sector?: string;
  region?: string;
  organisation?: string;
  locale: Locale;
  channel: 'open' | 'invited';
  /** Never on anonymous surveys. */
  invitationId?: string;
  /** The draft this response came from (web), so a second submission of the same draft is recognised. */
  draftNonce?: string;
  /** API submissions: the key and a hash of the request body (same key, other body: refused). */
  idempotencyKey?: string;
  requestHash?: string;
  /** Flagged at submission (see flood-guard.ts): stored and counted, until an officer excludes it. */
  flag?: ResponseFlag;
  submittedAt: Date;
}

/** A submitted response as stored (`responses` collection). `revision` is 1 and grows with each edit. */
export function submittedResponseDoc(input: SubmittedResponseInput) {
  return {
    _id: input.id,
    surveyId: new ObjectId(input.surveyId),
    surveyVersion: input.surveyVersion,
    consultationId: new ObjectId(input.consultationId),
    roundId: new ObjectId(input.roundId),
    respondentKey: input.respondentKey,
    status: 'submitted' as const,
    answers: input.answers,
    otherText: input.otherText,
    ...(input.sector !== undefined ? { sector: input.sector } : {}),
    ...(input.region !== undefined ? { region: input.region } : {}),
    ...(input.organisation !== undefined ? { organisation: input.organisation } : {}),
    locale: input.locale,
    channel: input.channel,
    ...(input.invitationId !== undefined ? { invitationId: input.invitationId } : {}),
    ...(input.draftNonce !== undefined ? { draftNonce: input.draftNonce } : {}),
    ...(input.idempotencyKey !== undefined ? { idempotencyKey: input.idempotencyKey } : {}),
    ...(input.requestHash !== undefined ? { requestHash: input.requestHash } : {}),
    ...(input.flag !== undefined ? { moderation: { flag: input.flag, excluded: false, seq: 0 } } : {}),
    revision: 1,
    submittedAt: input.submittedAt,
    createdAt: input.submittedAt,
    updatedAt: input.submittedAt,
  };
}

/** The counters of responses per survey, consultation and round (`survey_response_counts`), by `_id`. */
export const RESPONSE_COUNTS_COLLECTION = 'survey_response_counts';

export function countScopeIds(scope: {
  surveyId: string;
  consultationId: string;
  roundId: string;
}): string[] {
  return [`survey:${scope.surveyId}`, `consultation:${scope.consultationId}`, `round:${scope.roundId}`];
}

/**
 * What a counter document holds: `started` drafts, `draftsEnded` (submitted or superseded; open drafts are the
 * difference) and `submitted` responses.
 */
export interface ResponseCountsDoc {
  _id: string;
  counts: { started?: number; draftsEnded?: number; submitted?: number };
}

/** Canonical JSON (keys sorted at every level), for a stable hash of a request body. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(body: unknown): string {
  return crypto.createHash('sha256').update(canonicalJson(body)).digest('base64url');
}

/** An answer a respondent did not give, in exports and counts. */
export const NOT_ANSWERED = 'not_answered';

/** Tokens in links (resume, invitation) longer than this are refused before any work. */
export const MAX_TOKEN_LENGTH = 200;

/** Compares two secrets in constant time. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}
