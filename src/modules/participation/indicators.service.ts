import { isValidObjectId } from 'mongoose';
import { z } from 'zod';
import { isSector } from '../../platform/classifications';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldError,
} from '../../platform/errors';
import { assertCan, organisationOf } from '../../platform/http/access';
import { hasRole, type AuthenticatedUser } from '../../platform/http/auth';
import type { IndicatorDoc, IndicatorKind, IndicatorModel, IndicatorUnit } from './indicator.model';
import type { ParticipationReports } from './reports.service';

export interface SeriesPoint {
  /** A round's title, or the collection date of a manual data point. */
  label: { en: string; fr: string };
  value: number | null;
  date: Date;
  note?: string;
}

export interface IndicatorView {
  id: string;
  slug: string;
  name: { en: string; fr: string };
  description: { en: string; fr: string };
  kind: IndicatorKind;
  unit: IndicatorUnit;
  sector?: string;
  baseline?: { value: number; date: Date };
  target: { value: number; date: Date };
  published: boolean;
  order: number;
  /** The organisation whose officers and analysts manage it (the access scope; admins manage every one). */
  organisationId: string;
  series: SeriesPoint[];
  latest: SeriesPoint | undefined;
  /** Manual data points as entered (for editing). */
  dataPoints: { value: number; collectedAt: Date; note: string }[];
}

/** The indicator form, as sent (flat strings). Percentages are typed as percents (20 for 20%). */
export interface IndicatorForm {
  slug?: string;
  nameEn?: string;
  nameFr?: string;
  descriptionEn?: string;
  descriptionFr?: string;
  kind?: string;
  unit?: string;
  sector?: string;
  baselineValue?: string;
  baselineDate?: string;
  targetValue?: string;
  targetDate?: string;
  published?: string;
  order?: string;
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseDate(value: string | undefined): Date | undefined {
  if (!value || !DATE.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function parseNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value.trim().replace(',', '.'));
  return Number.isFinite(n) ? n : undefined;
}

const error = (field: string, key: string, values?: Record<string, string | number>): FieldError => ({
  field,
  message: { key: `participation:indicators.errors.${key}`, ...(values ? { values } : {}) },
});

/** Officers, analysts and admins manage indicators. */
function requireStaff(actor: AuthenticatedUser | undefined): void {
  if (!hasRole(actor, 'officer', 'analyst')) throw new ForbiddenError();
}

export class IndicatorsService {
  constructor(
    private readonly indicators: IndicatorModel,
    private readonly reports: ParticipationReports,
  ) {}

  async init(): Promise<void> {
    await this.indicators.init();
  }

  /** Validates the form; returns the document fields or throws ValidationError listing every problem. */
  parseForm(
    form: IndicatorForm,
  ): Omit<IndicatorDoc, '_id' | 'createdAt' | 'updatedAt' | 'dataPoints' | 'organisationId'> {
    const errors: FieldError[] = [];
    const text = (v: string | undefined) => (typeof v === 'string' ? v.trim() : '');
    const slug = text(form.slug).toLowerCase();
    if (!SLUG.test(slug) || slug.length > 80) errors.push(error('slug', 'slug'));
    const name = { en: text(form.nameEn), fr: text(form.nameFr) };
    if (!name.en) errors.push(error('nameEn', 'nameEn'));
    if (!name.fr) errors.push(error('nameFr', 'nameFr'));
    if (name.en.length > 300 || name.fr.length > 300) errors.push(error('nameEn', 'tooLong'));
    const description = {
      en: text(form.descriptionEn).slice(0, 2000),
      fr: text(form.descriptionFr).slice(0, 2000),
    };
    const kind = z.enum(['sector_share', 'participants', 'manual']).safeParse(form.kind);
    if (!kind.success) errors.push(error('kind', 'kind'));
    const unit: IndicatorUnit =
      kind.data === 'sector_share'
        ? 'percent'
        : kind.data === 'participants'
          ? 'number'
          : form.unit === 'number'
            ? 'number'
            : 'percent';
    const sector = text(form.sector);
    if (kind.data === 'sector_share' && !isSector(sector) && sector !== 'not_asked')
      errors.push(error('sector', 'sector'));
    const toStored = (n: number) => (unit === 'percent' ? Math.round(n * 100) / 10_000 : n);
    const inRange = (n: number) => (unit === 'percent' ? n >= 0 && n <= 100 : n >= 0);
    const targetValue = parseNumber(form.targetValue);
    const targetDate = parseDate(form.targetDate);
    if (targetValue === undefined || !inRange(targetValue))
      errors.push(error('targetValue', unit === 'percent' ? 'percent' : 'number'));
    if (!targetDate) errors.push(error('targetDate', 'date'));
    const baselineValue = parseNumber(form.baselineValue);
    const baselineDate = parseDate(form.baselineDate);
    const hasBaseline = Boolean(text(form.baselineValue) || text(form.baselineDate));
    if (hasBaseline && (baselineValue === undefined || !inRange(baselineValue))) {
      errors.push(error('baselineValue', unit === 'percent' ? 'percent' : 'number'));
    }
    if (hasBaseline && !baselineDate) errors.push(error('baselineDate', 'date'));
    const order = parseNumber(form.order) ?? 0;
    if (errors.length) throw new ValidationError(errors);
    return {
      slug,
      name,
      description,
      kind: kind.data as IndicatorKind,
      unit,
      ...(kind.data === 'sector_share' ? { sector } : {}),
      ...(hasBaseline
        ? { baseline: { value: toStored(baselineValue as number), date: baselineDate as Date } }
        : {}),
      target: { value: toStored(targetValue as number), date: targetDate as Date },
      published: form.published === 'on' || form.published === 'true',
      order: Math.trunc(order),
    };
  }

  async create(form: IndicatorForm, actor: AuthenticatedUser | undefined): Promise<IndicatorView> {
    requireStaff(actor);
    const fields = this.parseForm(form);
    try {
      const doc = await this.indicators.create({
        ...fields,
        dataPoints: [],
        organisationId: organisationOf(actor as AuthenticatedUser),
      });
      return this.toView(doc.toObject() as IndicatorDoc);
    } catch (e) {
      if ((e as { code?: unknown }).code === 11000) throw new ValidationError([error('slug', 'slugTaken')]);
      throw e;
    }
  }

  async update(
    id: string,
    form: IndicatorForm,
    actor: AuthenticatedUser | undefined,
  ): Promise<IndicatorView> {
    requireStaff(actor);
    const existing = await this.managedDoc(id, actor);
    const fields = this.parseForm(form);
    try {
      await this.indicators.updateOne(
        { _id: existing._id },
        { $set: fields, ...(fields.baseline ? {} : { $unset: { baseline: 1 } }) },
      );
    } catch (e) {
      if ((e as { code?: unknown }).code === 11000) throw new ValidationError([error('slug', 'slugTaken')]);
      throw e;
    }
    return this.getById(id, { includeUnpublished: true });
  }

  /** Adds a manual data point (value as typed: a percent for percent indicators) with its collection date. */
  async addDataPoint(
    id: string,
    form: { value?: string; collectedAt?: string; note?: string },
    actor: AuthenticatedUser | undefined,
  ): Promise<IndicatorView> {
    requireStaff(actor);
    const doc = await this.managedDoc(id, actor);
    if (doc.kind !== 'manual') throw new ConflictError({ key: 'participation:indicators.errors.notManual' });
    const value = parseNumber(form.value);
    const collectedAt = parseDate(form.collectedAt);
    const errors: FieldError[] = [];
    const percent = doc.unit === 'percent';
    if (value === undefined || value < 0 || (percent && value > 100))
      errors.push(error('value', percent ? 'percent' : 'number'));
    if (!collectedAt) errors.push(error('collectedAt', 'date'));
    if (errors.length) throw new ValidationError(errors);
    const point = {
      value: percent ? Math.round((value as number) * 100) / 10_000 : (value as number),
      collectedAt: collectedAt as Date,
      note: (form.note ?? '').trim().slice(0, 500),
    };
    await this.indicators.updateOne({ _id: doc._id }, { $push: { dataPoints: point } });
    return this.getById(id, { includeUnpublished: true });
  }

  async remove(id: string, actor: AuthenticatedUser | undefined): Promise<void> {
    requireStaff(actor);
    const doc = await this.managedDoc(id, actor);
    await this.indicators.deleteOne({ _id: doc._id });
  }

  /** An indicator `actor` may manage, for its edit form: another organisation's is a NotFoundError. */
  async getForStaff(id: string, actor: AuthenticatedUser | undefined): Promise<IndicatorView> {
    requireStaff(actor);
    return this.toView(await this.managedDoc(id, actor));
  }

  /** The indicator, if `actor`'s organisation manages it (admins: any); otherwise NotFoundError, like an unknown id. */
  private async managedDoc(id: string, actor: AuthenticatedUser | undefined): Promise<IndicatorDoc> {
    const doc = await this.findDoc(id);
    assertCan(actor, 'analyse', { organisationId: organisationOf(doc) });
    return doc;
  }

  async list(options: { includeUnpublished?: boolean; exact?: boolean } = {}): Promise<IndicatorView[]> {
    const filter = options.includeUnpublished ? {} : { published: true };
    const docs = await this.indicators.find(filter).sort({ order: 1, createdAt: 1 }).lean<IndicatorDoc[]>();
    return Promise.all(docs.map((doc) => this.toView(doc, options.exact ?? false)));
  }

  /** The target of the published share indicator for `sector`, without computing its series (for the trend chart). */
  async sectorShareTarget(sector: string): Promise<{ value: number; date: Date } | undefined> {
    const doc = await this.indicators
      .findOne({ kind: 'sector_share', sector: String(sector), published: true })
      .sort({ order: 1, createdAt: 1 })
      .lean<IndicatorDoc>();
    return doc ? { value: doc.target.value, date: new Date(doc.target.date) } : undefined;
  }

  async getById(
    id: string,
    options: { includeUnpublished?: boolean; exact?: boolean } = {},
  ): Promise<IndicatorView> {
    const doc = await this.findDoc(id);
    if (!doc.published && !options.includeUnpublished) throw new NotFoundError();
    return this.toView(doc, options.exact ?? false);
  }

  async getBySlug(
    slug: string,
    options: { includeUnpublished?: boolean; exact?: boolean } = {},
  ): Promise<IndicatorView> {
    const doc = await this.indicators.findOne({ slug: String(slug) }).lean<IndicatorDoc>();
    if (!doc || (!doc.published && !options.includeUnpublished)) throw new NotFoundError();
    return this.toView(doc, options.exact ?? false);
  }

  private async findDoc(id: string): Promise<IndicatorDoc> {
    if (!isValidObjectId(id)) throw new NotFoundError();
    const doc = await this.indicators.findById(id).lean<IndicatorDoc>();
    if (!doc) throw new NotFoundError();
    return doc;
  }

  /** Computed indicators read the participation rollups per round; manual ones their data points. */
  private async toView(doc: IndicatorDoc, exact = false): Promise<IndicatorView> {
    let series: SeriesPoint[];
    if (doc.kind === 'manual') {
      series = [...doc.dataPoints]
        .sort((a, b) => new Date(a.collectedAt).getTime() - new Date(b.collectedAt).getTime())
        .map((p) => {
          const iso = new Date(p.collectedAt).toISOString().slice(0, 10);
          return { label: { en: iso, fr: iso }, value: p.value, date: new Date(p.collectedAt), note: p.note };
        });
    } else {
      const trend = await this.reports.trend(
        doc.kind === 'sector_share' ? (doc.sector as string) : 'civil_society',
        { exact },
      );
      // An indicator reports actual data: only completed rounds count (their figures are frozen), each dated by
      // its completion, the day its figures became final (never its planned end, which may still be ahead).
      series = trend
        .filter((entry) => entry.status === 'completed')
        .map((entry) => ({
          label: entry.title,
          value: doc.kind === 'sector_share' ? entry.share : entry.participants,
          date: entry.completedAt ?? entry.endsOn,
        }));
    }
    const latest = [...series].reverse().find((p) => p.value !== null);
    return {
      id: String(doc._id),
      slug: doc.slug,
      name: doc.name,
      description: doc.description,
      kind: doc.kind,
      unit: doc.unit,
      ...(doc.sector ? { sector: doc.sector } : {}),
      ...(doc.baseline?.date
        ? { baseline: { value: doc.baseline.value, date: new Date(doc.baseline.date) } }
        : {}),
      target: { value: doc.target.value, date: new Date(doc.target.date) },
      published: doc.published,
      order: doc.order,
      organisationId: organisationOf(doc),
      series,
      latest,
      dataPoints: doc.dataPoints,
    };
  }
}
