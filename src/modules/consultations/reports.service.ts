import mongoose, { isValidObjectId, type Connection } from 'mongoose';
import { ForbiddenError, ValidationError, type FieldError } from '../../platform/errors';
import type { Locale } from '../../platform/i18n';
import type { ConsultationsService } from './consultations.service';
import { isOfficer, type Actor, type BilingualText } from './consultations.types';
import type { NoticesService } from './notices.service';
import { reportModel, type ReportDoc } from './report.model';

export const REPORT_LIMITS = { introduction: 20_000, title: 200, text: 20_000, themes: 30 } as const;
export const REPORT_THEME_FIELDS = ['title', 'heard', 'response'] as const;

export interface ReportTheme {
  title: BilingualText;
  heard: BilingualText;
  response: BilingualText;
}

export interface Report {
  consultationId: string;
  introduction: BilingualText;
  themes: ReportTheme[];
  publishedAt: Date | undefined;
  updatedAt: Date;
}

export interface ReportInput {
  introduction: BilingualText;
  themes: ReportTheme[];
}

const LOCALES: Locale[] = ['en', 'fr'];
const suffix = (locale: Locale) => (locale === 'en' ? 'En' : 'Fr');

/** Form field ids: introductionEn, themeTitleFr_2, themeResponseEn_0 ... */
export function reportFieldId(
  name: 'introduction' | (typeof REPORT_THEME_FIELDS)[number],
  locale: Locale,
  index?: number,
) {
  if (name === 'introduction') return `introduction${suffix(locale)}`;
  return `theme${name[0]?.toUpperCase()}${name.slice(1)}${suffix(locale)}_${index ?? 0}`;
}

function clean(text: BilingualText | undefined): BilingualText {
  return { en: (text?.en ?? '').trim(), fr: (text?.fr ?? '').trim() };
}

function toReport(doc: ReportDoc): Report {
  return {
    consultationId: String(doc.consultationId),
    introduction: clean(doc.introduction),
    themes: (doc.themes ?? []).map((theme) => ({
      title: clean(theme.title),
      heard: clean(theme.heard),
      response: clean(theme.response),
    })),
    publishedAt: doc.publishedAt ?? undefined,
    updatedAt: doc.updatedAt,
  };
}

export interface ReportsServiceOptions {
  connection: Connection;
  consultations: ConsultationsService;
  notices: NoticesService;
  clock?: () => Date;
}

export type ReportsService = ReturnType<typeof createReportsService>;

/** "What we heard": after a consultation closes, the themes raised and the organisation's response to each. */
export function createReportsService(options: ReportsServiceOptions) {
  const Reports = reportModel(options.connection);
  const clock = options.clock ?? (() => new Date());

  function requireOfficer(actor: Actor) {
    if (!isOfficer(actor)) throw new ForbiddenError();
  }

  function normalise(input: ReportInput): ReportInput {
    return {
      introduction: clean(input.introduction),
      // A row left entirely empty is not a theme.
      themes: input.themes
        .map((theme) => ({
          title: clean(theme.title),
          heard: clean(theme.heard),
          response: clean(theme.response),
        }))
        .filter((theme) => REPORT_THEME_FIELDS.some((name) => theme[name].en || theme[name].fr)),
    };
  }

  function lengthErrors(input: ReportInput): FieldError[] {
    const errors: FieldError[] = [];
    for (const locale of LOCALES) {
      if (input.introduction[locale].length > REPORT_LIMITS.introduction) {
        errors.push({
          field: reportFieldId('introduction', locale),
          message: { key: 'consultations:errors.tooLong', values: { max: REPORT_LIMITS.introduction } },
        });
      }
      input.themes.forEach((theme, index) => {
        for (const name of REPORT_THEME_FIELDS) {
          const max = name === 'title' ? REPORT_LIMITS.title : REPORT_LIMITS.text;
          if (theme[name][locale].length > max) {
            errors.push({
              field: reportFieldId(name, locale, index),
              message: { key: 'consultations:errors.tooLong', values: { max } },
            });
          }
        }
      });
    }
    if (input.themes.length > REPORT_LIMITS.themes) {
      errors.push({
        field: reportFieldId('title', 'en', REPORT_LIMITS.themes),
        message: { key: 'consultations:report.errors.tooManyThemes', values: { max: REPORT_LIMITS.themes } },
      });
    }
    return errors;
  }

  /** What is still missing before the report can be published (field ids of the report form). */
  function missingForPublication(input: ReportInput): FieldError[] {
    const missing: FieldError[] = [];
    for (const locale of LOCALES) {
      if (!input.introduction[locale]) {
        missing.push({
          field: reportFieldId('introduction', locale),
          message: { key: `consultations:report.missing.introduction${suffix(locale)}` },
        });
      }
    }
    if (!input.themes.length) {
      missing.push({
        field: reportFieldId('title', 'en', 0),
        message: { key: 'consultations:report.missing.themes' },
      });
    }
    input.themes.forEach((theme, index) => {
      for (const name of REPORT_THEME_FIELDS) {
        for (const locale of LOCALES) {
          if (!theme[name][locale]) {
            missing.push({
              field: reportFieldId(name, locale, index),
              message: {
                key: `consultations:report.missing.${name}${suffix(locale)}`,
                values: { number: index + 1 },
              },
            });
          }
        }
      }
    });
    return missing;
  }

  async function getReport(consultationId: string): Promise<Report | null> {
    if (!isValidObjectId(consultationId)) return null;
    const doc = await Reports.findOne({
      consultationId: new mongoose.Types.ObjectId(consultationId),
    }).lean<ReportDoc>();
    return doc ? toReport(doc) : null;
  }

  async function getPublishedReport(consultationId: string): Promise<Report | null> {
    const report = await getReport(consultationId);
    return report?.publishedAt ? report : null;
  }

  /** Saves the report's text. A published report stays complete; a draft may be partial. */
  async function saveReport(consultationId: string, input: ReportInput, actor: Actor): Promise<Report> {
    requireOfficer(actor);
    await options.consultations.getConsultationById(consultationId, { includeDrafts: true });
    const report = normalise(input);
    const errors = lengthErrors(report);
    if (errors.length) throw new ValidationError(errors);
    const existing = await getReport(consultationId);
    if (existing?.publishedAt) {
      const missing = missingForPublication(report);
      if (missing.length)
        throw new ValidationError(missing, { key: 'consultations:report.mustStayComplete' });
    }
    const doc = await Reports.findOneAndUpdate(
      { consultationId: new mongoose.Types.ObjectId(consultationId) },
      { $set: { introduction: report.introduction, themes: report.themes, updatedBy: actor.id } },
      { upsert: true, returnDocument: 'after' },
    ).lean<ReportDoc>();
    if (!doc) throw new Error('report upsert returned nothing');
    return toReport(doc);
  }

  /**
   * Saves and publishes: only once the consultation has closed, and only complete in both languages. Followers
   * and participants who opted in are emailed once, however many times this is called.
   */
  async function publishReport(consultationId: string, input: ReportInput, actor: Actor): Promise<Report> {
    requireOfficer(actor);
    const consultation = await options.consultations.getConsultationById(consultationId, {
      includeDrafts: true,
    });
    const report = normalise(input);
    const errors = [...lengthErrors(report)];
    if (consultation.status !== 'closed' && consultation.status !== 'archived') {
      throw new ValidationError([
        { field: 'report', message: { key: 'consultations:report.errors.notClosed' } },
      ]);
    }
    errors.push(...missingForPublication(report));
    if (errors.length) throw new ValidationError(errors, { key: 'consultations:report.incomplete' });
    const now = clock();
    await Reports.updateOne(
      { consultationId: new mongoose.Types.ObjectId(consultationId) },
      { $set: { introduction: report.introduction, themes: report.themes, updatedBy: actor.id } },
      { upsert: true },
    );
    await Reports.updateOne(
      { consultationId: new mongoose.Types.ObjectId(consultationId), publishedAt: null },
      { $set: { publishedAt: now } },
    );
    await options.notices.announceReport(consultation, now);
    const saved = await getReport(consultationId);
    if (!saved) throw new Error('report vanished after publishing');
    return saved;
  }

  /** Publication dates of the reports of these consultations (for feeds and listings). */
  async function publishedDates(consultationIds: string[]): Promise<Map<string, Date>> {
    const ids = consultationIds
      .filter((id) => isValidObjectId(id))
      .map((id) => new mongoose.Types.ObjectId(id));
    const dates = new Map<string, Date>();
    if (!ids.length) return dates;
    const docs = await Reports.find(
      { consultationId: mongoose.trusted({ $in: ids }), publishedAt: mongoose.trusted({ $ne: null }) },
      { consultationId: 1, publishedAt: 1 },
    ).lean<ReportDoc[]>();
    for (const doc of docs) if (doc.publishedAt) dates.set(String(doc.consultationId), doc.publishedAt);
    return dates;
  }

  return {
    async init() {
      await Reports.init();
    },
    getReport,
    getPublishedReport,
    saveReport,
    publishReport,
    missingForPublication: (input: ReportInput) => missingForPublication(normalise(input)),
    publishedDates,
  };
}
