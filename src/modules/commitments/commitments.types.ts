import type { Actor } from '../../platform/http/auth';

/** Text kept in both official languages. A draft may have one side empty; a published item has both. */
export interface BilingualText {
  en: string;
  fr: string;
}

/**
 * The progress scale of the Open Government Partnership's reporting, used for a commitment's overall status, each
 * milestone's status and the independent reviewer's rating. Ordered from least to most done.
 */
export const PROGRESS = ['not_started', 'limited', 'substantial', 'complete'] as const;
export type Progress = (typeof PROGRESS)[number];

export function isProgress(value: unknown): value is Progress {
  return typeof value === 'string' && (PROGRESS as readonly string[]).includes(value);
}

export const PUBLICATIONS = ['draft', 'published'] as const;
export type Publication = (typeof PUBLICATIONS)[number];

/** Who is acting: the signed-in user as services need it (no HTTP objects). */
/** Whom the service acts for (one type for every module; its organisation scopes plans). */
export type { Actor };

export interface Plan {
  id: string;
  slug: string;
  title: BilingualText;
  summary: BilingualText;
  /** The government publishing the plan, e.g. "Government of Canada": display text, not an access scope. */
  organisation: BilingualText;
  /**
   * The organisation (department or team) whose staff manage the plan, its commitments and indicators: the access
   * scope (platform/http/access.ts). Plans stored before it existed read as the default organisation.
   */
  organisationId: string;
  periodStart: number;
  periodEnd: number;
  publication: Publication;
  publishedAt: Date | undefined;
  /** The commitments' numbers, in order: the plan page reads each commitment by its id. */
  commitmentNumbers: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface Milestone {
  /** Stable within the commitment (forms and status changes name it). */
  id: string;
  /** "19.1"; empty for an "other completed milestone" that was not planned. */
  number: string;
  text: BilingualText;
  status: Progress;
  startDate: Date | undefined;
  endDate: Date | undefined;
}

export const INDICATOR_SOURCES = ['manual', 'rounds'] as const;
export type IndicatorSource = (typeof INDICATOR_SOURCES)[number];

/**
 * A key indicator. Its latest actual data is either typed by an officer with its collection date (`manual`), or
 * computed live from the participation of the linked engagement rounds that are completed (`rounds`: the share of
 * participants who gave `sector`).
 */
export interface KeyIndicator {
  id: string;
  name: BilingualText;
  target: BilingualText;
  targetDate: Date | undefined;
  source: IndicatorSource;
  actual: BilingualText;
  actualDate: Date | undefined;
  sector: string;
  roundIds: string[];
}

export interface Review {
  rating: Progress;
  note: BilingualText;
  reviewerName: string;
  reviewedAt: Date;
}

export interface Commitment {
  id: string;
  planSlug: string;
  number: string;
  theme: BilingualText;
  title: BilingualText;
  summary: BilingualText;
  leadDepartment: BilingualText;
  enquiryEmail: string;
  otherActors: BilingualText;
  plannedResult: BilingualText;
  description: BilingualText;
  /** The government's self-assessment. */
  status: Progress;
  publication: Publication;
  publishedAt: Date | undefined;
  milestones: Milestone[];
  indicators: KeyIndicator[];
  consultationIds: string[];
  roundIds: string[];
  /** The independent reviewer's rating, beside the self-assessment. */
  review: Review | undefined;
  /** How many status updates the timeline holds (updates are `<id>:<1..n>`). */
  updateCount: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** One dated status change, with its note: an entry of the timeline and of the feeds. */
export interface StatusUpdate {
  id: string;
  planSlug: string;
  number: string;
  seq: number;
  /** '' for the commitment's overall status, else the milestone's id. */
  milestoneId: string;
  milestoneNumber: string;
  milestoneText: BilingualText | undefined;
  from: Progress;
  to: Progress;
  date: Date;
  note: BilingualText;
  recordedAt: Date;
}

export interface PlanInput {
  slug?: string;
  title: BilingualText;
  summary: BilingualText;
  organisation: BilingualText;
  periodStart: string;
  periodEnd: string;
}

export interface CommitmentInput {
  number: string;
  theme: BilingualText;
  title: BilingualText;
  summary: BilingualText;
  leadDepartment: BilingualText;
  enquiryEmail: string;
  otherActors: BilingualText;
  plannedResult: BilingualText;
  description: BilingualText;
  /** Only when creating: later changes are status updates with a note. */
  status?: string;
  consultationIds: string[];
  roundIds: string[];
}

export interface MilestoneInput {
  number: string;
  text: BilingualText;
  /** Only when adding: later changes are status updates with a note. */
  status?: string;
  startDate: string;
  endDate: string;
}

export interface IndicatorInput {
  name: BilingualText;
  target: BilingualText;
  targetDate: string;
  source: string;
  actual: BilingualText;
  actualDate: string;
  sector: string;
  roundIds: string[];
}

export interface StatusChangeInput {
  /** '' for the overall status, else a milestone id. */
  milestoneId: string;
  status: string;
  date: string;
  note: BilingualText;
  /** Generated with the form: the same submission recorded twice is one update. */
  submissionId: string;
}
