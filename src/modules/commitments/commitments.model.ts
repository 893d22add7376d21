import { Schema, type Connection, type Model } from 'mongoose';
import { INDICATOR_SOURCES, PROGRESS, PUBLICATIONS, type BilingualText } from './commitments.types';

/**
 * Every document has a deterministic string `_id` built from natural keys, so each public read is a point read:
 * `plan:<slug>`, `commitment:<slug>:<number>`, `update:<slug>:<number>:<seq>`, `follow:<slug>:<number>:<email>`.
 */
const bilingual = { en: { type: String, default: '' }, fr: { type: String, default: '' } };

export interface PlanDoc {
  _id: string;
  slug: string;
  title: BilingualText;
  summary: BilingualText;
  organisation: BilingualText;
  /** The access scope (an organisation code); absent on plans stored before organisations: the default one. */
  organisationId?: string;
  periodStart: number;
  periodEnd: number;
  publication: (typeof PUBLICATIONS)[number];
  publishedAt?: Date;
  commitmentNumbers: string[];
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

const planSchema = new Schema<PlanDoc>(
  {
    _id: { type: String, required: true },
    slug: { type: String, required: true },
    title: bilingual,
    summary: bilingual,
    organisation: bilingual,
    organisationId: { type: String },
    periodStart: { type: Number, required: true },
    periodEnd: { type: Number, required: true },
    publication: { type: String, enum: PUBLICATIONS, default: 'draft' },
    publishedAt: { type: Date },
    commitmentNumbers: { type: [String], default: [] },
    createdBy: { type: String, required: true },
  },
  { collection: 'action_plans', timestamps: true },
);

export interface MilestoneDoc {
  id: string;
  number: string;
  text: BilingualText;
  status: (typeof PROGRESS)[number];
  /** The sequence number of the status update that set `status` (0: set when the milestone was added). */
  statusSeq: number;
  startDate?: Date;
  endDate?: Date;
}

export interface IndicatorDoc {
  id: string;
  name: BilingualText;
  target: BilingualText;
  targetDate?: Date;
  source: (typeof INDICATOR_SOURCES)[number];
  actual: BilingualText;
  actualDate?: Date;
  sector: string;
  /** Space-separated round ids (a string, not an array: no array inside an array element). */
  rounds: string;
}

export interface CommitmentDoc {
  _id: string;
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
  status: (typeof PROGRESS)[number];
  statusSeq: number;
  publication: (typeof PUBLICATIONS)[number];
  publishedAt?: Date;
  milestones: MilestoneDoc[];
  indicators: IndicatorDoc[];
  consultationIds: string[];
  roundIds: string[];
  review?: {
    rating: (typeof PROGRESS)[number];
    note: BilingualText;
    reviewerName: string;
    reviewerId: string;
    reviewedAt: Date;
  };
  updateCount: number;
  version: number;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

const milestoneSchema = new Schema<MilestoneDoc>(
  {
    id: { type: String, required: true },
    number: { type: String, default: '' },
    text: bilingual,
    status: { type: String, enum: PROGRESS, required: true },
    statusSeq: { type: Number, default: 0 },
    startDate: { type: Date },
    endDate: { type: Date },
  },
  { _id: false },
);

const indicatorSchema = new Schema<IndicatorDoc>(
  {
    id: { type: String, required: true },
    name: bilingual,
    target: bilingual,
    targetDate: { type: Date },
    source: { type: String, enum: INDICATOR_SOURCES, required: true },
    actual: bilingual,
    actualDate: { type: Date },
    sector: { type: String, default: '' },
    rounds: { type: String, default: '' },
  },
  { _id: false },
);

const commitmentSchema = new Schema<CommitmentDoc>(
  {
    _id: { type: String, required: true },
    planSlug: { type: String, required: true },
    number: { type: String, required: true },
    theme: bilingual,
    title: bilingual,
    summary: bilingual,
    leadDepartment: bilingual,
    enquiryEmail: { type: String, default: '' },
    otherActors: bilingual,
    plannedResult: bilingual,
    description: bilingual,
    status: { type: String, enum: PROGRESS, required: true },
    statusSeq: { type: Number, default: 0 },
    publication: { type: String, enum: PUBLICATIONS, default: 'draft' },
    publishedAt: { type: Date },
    milestones: { type: [milestoneSchema], default: [] },
    indicators: { type: [indicatorSchema], default: [] },
    consultationIds: { type: [String], default: [] },
    roundIds: { type: [String], default: [] },
    review: {
      type: new Schema(
        {
          rating: { type: String, enum: PROGRESS },
          note: bilingual,
          reviewerName: String,
          reviewerId: String,
          reviewedAt: Date,
        },
        { _id: false },
      ),
      required: false,
    },
    updateCount: { type: Number, default: 0 },
    version: { type: Number, default: 0 },
    createdBy: { type: String, required: true },
  },
  { collection: 'commitments', timestamps: true },
);
// Staff pages rebuild a plan's list of numbers from this (the public never queries it).
commitmentSchema.index({ planSlug: 1 });

export interface UpdateDoc {
  _id: string;
  planSlug: string;
  number: string;
  seq: number;
  submissionId: string;
  milestoneId: string;
  milestoneNumber: string;
  milestoneText?: BilingualText;
  from: (typeof PROGRESS)[number];
  to: (typeof PROGRESS)[number];
  date: Date;
  note: BilingualText;
  recordedBy: string;
  recordedAt: Date;
}

const updateSchema = new Schema<UpdateDoc>(
  {
    _id: { type: String, required: true },
    planSlug: { type: String, required: true },
    number: { type: String, required: true },
    seq: { type: Number, required: true },
    submissionId: { type: String, required: true },
    milestoneId: { type: String, default: '' },
    milestoneNumber: { type: String, default: '' },
    milestoneText: { type: new Schema(bilingual, { _id: false }), required: false },
    from: { type: String, enum: PROGRESS, required: true },
    to: { type: String, enum: PROGRESS, required: true },
    date: { type: Date, required: true },
    note: bilingual,
    recordedBy: { type: String, required: true },
    recordedAt: { type: Date, required: true },
  },
  { collection: 'commitment_updates' },
);
// The same form submitted twice records one update (the second insert fails on this index).
updateSchema.index({ submissionId: 1 }, { unique: true });
// The plan's feed: its newest updates (a bounded, cached read).
updateSchema.index({ planSlug: 1, recordedAt: -1 });

export interface FollowerDoc {
  _id: string;
  planSlug: string;
  number: string;
  email: string;
  locale: 'en' | 'fr';
  userId?: string;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const followerSchema = new Schema<FollowerDoc>(
  {
    _id: { type: String, required: true },
    planSlug: { type: String, required: true },
    number: { type: String, required: true },
    email: { type: String, required: true },
    locale: { type: String, enum: ['en', 'fr'], default: 'en' },
    userId: { type: String },
    active: { type: Boolean, default: true },
  },
  { collection: 'commitment_followers', timestamps: true },
);
followerSchema.index({ planSlug: 1, number: 1, active: 1 });
followerSchema.index({ userId: 1 });

export type PlanModel = Model<PlanDoc>;
export type CommitmentModel = Model<CommitmentDoc>;
export type UpdateModel = Model<UpdateDoc>;
export type FollowerModel = Model<FollowerDoc>;

export interface CommitmentModels {
  Plans: PlanModel;
  Commitments: CommitmentModel;
  Updates: UpdateModel;
  Followers: FollowerModel;
}

export function commitmentModels(connection: Connection): CommitmentModels {
  const get = <T>(name: string, schema: Schema<T>): Model<T> =>
    (connection.models[name] as Model<T> | undefined) ?? connection.model<T>(name, schema);
  return {
    Plans: get('ActionPlan', planSchema),
    Commitments: get('Commitment', commitmentSchema),
    Updates: get('CommitmentUpdate', updateSchema),
    Followers: get('CommitmentFollower', followerSchema),
  };
}
