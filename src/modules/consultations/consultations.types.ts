import type { Actor } from '../../platform/http/auth';

/** Text kept in both official languages. A draft may have one side empty; a published item has both. */
export interface BilingualText {
  en: string;
  fr: string;
}

/** Who is acting: the signed-in user as services need it (no HTTP objects). */
/** Whom the service acts for (one type for every module). */
export type { Actor };

export const ROUND_STATUSES = ['draft', 'active', 'completed'] as const;
/** A draft round is visible to staff only; active and completed rounds are public. */
export type RoundStatus = (typeof ROUND_STATUSES)[number];

export interface Round {
  id: string;
  slug: string;
  title: BilingualText;
  description: BilingualText;
  startsOn: Date;
  endsOn: Date;
  status: RoundStatus;
  /** Set while the round is completed: its figures are the snapshot taken then (see docs/consultations.md). */
  completedAt: Date | undefined;
  /** Completions and reopenings, oldest first; reopenings are shown publicly with their reason. */
  events: RoundEvent[];
  /** The organisation whose staff may see it as a draft and manage it (platform/http/access.ts). */
  organisationId: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface RoundEvent {
  type: 'completed' | 'reopened';
  at: Date;
  actorId: string;
  reason?: string;
  completedAt?: Date;
}

/**
 * Freezes a round's published figures at its completion: the participation module keeps a snapshot of the
 * round's counts under (roundId, completedAt), and every public figure of a completed round is read from it.
 */
export interface RoundFreezer {
  freeze(roundId: string, completedAt: Date): Promise<void>;
}

/** Where completions and reopenings are audited (the shared staff audit log). */
export interface RoundAuditLog {
  record(entry: {
    action: 'round.completed' | 'round.reopened';
    actor: Actor;
    roundId: string;
    at: Date;
    detail: string;
  }): Promise<void>;
}

/**
 * What an officer decides: a consultation is a draft, published, or archived. Whether a published consultation is
 * upcoming, open or closed follows from its dates and the clock, so it never needs a job to flip it and every
 * reader (pages, surveys, the API) agrees on "open now".
 */
export const PUBLICATIONS = ['draft', 'published', 'archived'] as const;
export type Publication = (typeof PUBLICATIONS)[number];

/** The status people see: computed from publication + dates at a given moment (see consultationStatus()). */
export const CONSULTATION_STATUSES = ['draft', 'upcoming', 'open', 'closed', 'archived'] as const;
export type ConsultationStatus = (typeof CONSULTATION_STATUSES)[number];

export interface Consultation {
  id: string;
  slug: string;
  roundId: string;
  title: BilingualText;
  summary: BilingualText;
  /** Markdown source; render with platform/markdown (sanitised) before showing it. */
  body: BilingualText;
  themes: string[];
  leadOrganisation: BilingualText;
  contactEmail: string;
  opensAt: Date;
  closesAt: Date;
  publication: Publication;
  /** Computed at read time from publication, opensAt, closesAt and the service's clock. */
  status: ConsultationStatus;
  /** True when status is 'open': a published, non-archived consultation whose opening date has passed and whose closing date has not. */
  isOpen: boolean;
  publishedAt: Date | undefined;
  createdBy: string;
  /** The organisation whose staff may see it as a draft, manage and analyse it (platform/http/access.ts). */
  organisationId: string;
  /** Other organisations whose staff may view and analyse it (set by admins). */
  sharedWith: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface RoundInput {
  slug?: string;
  title: BilingualText;
  description: BilingualText;
  startsOn: Date;
  endsOn: Date;
  status: RoundStatus;
}

export interface ConsultationInput {
  /** Left empty, it is made from the English (or French) title. */
  slug?: string;
  roundId: string;
  title: BilingualText;
  summary: BilingualText;
  body: BilingualText;
  themes: string[];
  leadOrganisation: BilingualText;
  contactEmail: string;
  opensAt: Date;
  closesAt: Date;
}

/**
 * How many responses each consultation has: the surveys module's port (its responses service), passed to
 * createConsultationsModule by the composition root; without it every count is 0 (see zeroResponseCounts).
 */
export interface ResponseCountSource {
  countByConsultation(consultationIds: string[]): Promise<Map<string, number>>;
}

/** The surveys attached to a consultation, as the consultation page lists them. Empty until surveys is wired. */
export interface AttachedSurvey {
  id: string;
  title: BilingualText;
  /** Where a participant answers it, e.g. /surveys/<id>. */
  href: string;
  isOpen: boolean;
}

export interface SurveyDirectory {
  listForConsultation(consultationId: string): Promise<AttachedSurvey[]>;
}

/** Whether the actor may manage rounds, consultations and reports (officers; admins hold every role). */
export function isOfficer(actor: Pick<Actor, 'roles'> | undefined): boolean {
  return Boolean(actor && (actor.roles.includes('officer') || actor.roles.includes('admin')));
}
