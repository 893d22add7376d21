import { z } from 'zod';
import type {
  CommitmentInput,
  IndicatorInput,
  MilestoneInput,
  PlanInput,
  StatusChangeInput,
} from './commitments.types';

/** A flat form field: a string, or the first of several (a tampered form); missing is ''. */
const field = z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().optional().default(''));
/** A group of checkboxes: none, one (a string) or several (a list). */
const fieldList = z.preprocess(
  (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.string()).default([]),
);

export const planFormSchema = z.object({
  slug: field,
  titleEn: field,
  titleFr: field,
  summaryEn: field,
  summaryFr: field,
  organisationEn: field,
  organisationFr: field,
  periodStart: field,
  periodEnd: field,
});
export type PlanForm = z.infer<typeof planFormSchema>;

export const planInputFromForm = (f: PlanForm): PlanInput => ({
  slug: f.slug,
  title: { en: f.titleEn, fr: f.titleFr },
  summary: { en: f.summaryEn, fr: f.summaryFr },
  organisation: { en: f.organisationEn, fr: f.organisationFr },
  periodStart: f.periodStart,
  periodEnd: f.periodEnd,
});

export const commitmentFormSchema = z.object({
  number: field,
  themeEn: field,
  themeFr: field,
  titleEn: field,
  titleFr: field,
  summaryEn: field,
  summaryFr: field,
  leadDepartmentEn: field,
  leadDepartmentFr: field,
  enquiryEmail: field,
  otherActorsEn: field,
  otherActorsFr: field,
  plannedResultEn: field,
  plannedResultFr: field,
  descriptionEn: field,
  descriptionFr: field,
  status: field,
  consultationIds: fieldList,
  roundIds: fieldList,
});
export type CommitmentForm = z.infer<typeof commitmentFormSchema>;

export const commitmentInputFromForm = (f: CommitmentForm): CommitmentInput => ({
  number: f.number,
  theme: { en: f.themeEn, fr: f.themeFr },
  title: { en: f.titleEn, fr: f.titleFr },
  summary: { en: f.summaryEn, fr: f.summaryFr },
  leadDepartment: { en: f.leadDepartmentEn, fr: f.leadDepartmentFr },
  enquiryEmail: f.enquiryEmail,
  otherActors: { en: f.otherActorsEn, fr: f.otherActorsFr },
  plannedResult: { en: f.plannedResultEn, fr: f.plannedResultFr },
  description: { en: f.descriptionEn, fr: f.descriptionFr },
  status: f.status,
  consultationIds: f.consultationIds,
  roundIds: f.roundIds,
});

export const milestoneFormSchema = z.object({
  number: field,
  textEn: field,
  textFr: field,
  status: field,
  startDate: field,
  endDate: field,
});
export type MilestoneForm = z.infer<typeof milestoneFormSchema>;

export const milestoneInputFromForm = (f: MilestoneForm): MilestoneInput => ({
  number: f.number,
  text: { en: f.textEn, fr: f.textFr },
  status: f.status,
  startDate: f.startDate,
  endDate: f.endDate,
});

export const indicatorFormSchema = z.object({
  nameEn: field,
  nameFr: field,
  targetEn: field,
  targetFr: field,
  targetDate: field,
  source: field,
  actualEn: field,
  actualFr: field,
  actualDate: field,
  sector: field,
  roundIds: fieldList,
});
export type IndicatorForm = z.infer<typeof indicatorFormSchema>;

export const indicatorInputFromForm = (f: IndicatorForm): IndicatorInput => ({
  name: { en: f.nameEn, fr: f.nameFr },
  target: { en: f.targetEn, fr: f.targetFr },
  targetDate: f.targetDate,
  source: f.source,
  actual: { en: f.actualEn, fr: f.actualFr },
  actualDate: f.actualDate,
  sector: f.sector,
  roundIds: f.roundIds,
});

export const statusFormSchema = z.object({
  milestoneId: field,
  status: field,
  date: field,
  noteEn: field,
  noteFr: field,
  submissionId: field,
});
export type StatusForm = z.infer<typeof statusFormSchema>;

export const statusInputFromForm = (f: StatusForm): StatusChangeInput => ({
  milestoneId: f.milestoneId,
  status: f.status,
  date: f.date,
  note: { en: f.noteEn, fr: f.noteFr },
  submissionId: f.submissionId,
});

export const reviewFormSchema = z.object({ rating: field, noteEn: field, noteFr: field });

/** The plan page's filters. Unknown values are dropped (the page shows everything rather than failing). */
export const planFiltersSchema = z.object({
  status: z.string().max(40).optional().catch(undefined),
  department: z.string().max(120).optional().catch(undefined),
  theme: z.string().max(120).optional().catch(undefined),
});
