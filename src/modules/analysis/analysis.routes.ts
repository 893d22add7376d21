import { Router, type Request } from 'express';
import { REGION_CATEGORIES, SECTOR_CATEGORIES } from '../../platform/classifications';
import { csvDocument } from '../../platform/csv';
import { BadRequestError } from '../../platform/errors';
import { requireRole } from '../../platform/http/auth';
import type { Logger } from '../../platform/logger';
import { formatDate, type Locale } from '../../platform/i18n';
import { breakdownSections, formatCount, formatShare } from '../participation';
import type { AnalysedQuestion, AnalysisService, Completion, ExportColumn } from './analysis.service';
import type { SnapshotHead } from './answer-snapshot';

/** Turns a completion into text for the views. */
function completionView(c: Completion, locale: Locale) {
  return {
    draft: formatCount(c.draft, locale),
    submitted: formatCount(c.submitted, locale),
    rate: formatShare(c.rate, locale),
  };
}

/** Label lookups and formatted numbers for one question's summary; the view only prints. */
function questionView(q: AnalysedQuestion, req: Request) {
  const locale = req.locale;
  const labelOf = (list: { id: string; label: { en: string; fr: string } }[] | undefined, key: string) =>
    key === 'other' ? req.t('analysis:other') : (list?.find((o) => o.id === key)?.label[locale] ?? key);
  const s = q.summary;
  const rows = (() => {
    switch (s.kind) {
      case 'choice':
        return s.rows.map((r) => ({
          label: labelOf(q.question.options, r.key),
          count: formatCount(r.count, locale),
          share: formatShare(r.share, locale),
        }));
      case 'numeric':
        return s.distribution.map((r) => ({
          label: r.key,
          count: formatCount(r.count, locale),
          share: formatShare(r.share, locale),
        }));
      default:
        return [];
    }
  })();
  const number = (n: number | null) =>
    n === null
      ? '–'
      : new Intl.NumberFormat(locale === 'fr' ? 'fr-CA' : 'en-CA', { maximumFractionDigits: 2 }).format(n);
  return {
    id: q.question.id,
    type: q.question.type,
    label: q.question.label[locale],
    section: q.sectionTitle[locale],
    retired: q.retired,
    kind: s.kind,
    answered: formatCount(s.answered, locale),
    answeredCount: s.answered,
    multiple: s.kind === 'choice' && s.multiple,
    rows,
    stats:
      s.kind === 'numeric'
        ? { mean: number(s.mean), median: number(s.median), min: number(s.min), max: number(s.max) }
        : s.kind === 'date'
          ? { earliest: s.earliest ?? '–', latest: s.latest ?? '–' }
          : undefined,
    matrix:
      s.kind === 'matrix'
        ? {
            scale: (q.question.scale ?? []).map((o) => o.label[locale]),
            rows: s.rows.map((r) => ({
              label: labelOf(q.question.rows, r.key),
              answered: formatCount(r.answered, locale),
              cells: r.cells.map((c) => `${formatCount(c.count, locale)} (${formatShare(c.share, locale)})`),
            })),
          }
        : undefined,
    ranking:
      s.kind === 'ranking'
        ? s.rows.map((r) => ({
            label: labelOf(q.question.options, r.key),
            averageRank: number(r.averageRank),
            firstPlace: formatCount(r.firstPlace, locale),
          }))
        : undefined,
    texts: q.texts?.items.map((item) => item.text) ?? [],
    /** The written answers' own page (all of them, paged), when the snapshot has any for this question. */
    textsTotal: q.texts?.total ?? 0,
    asOf: q.question.type === 'number' || q.question.type === 'date',
  };
}

/** The survey page's filters from the query string (a value outside the categories is a 400). */
function surveyFilters(req: Request) {
  return {
    sector: filterParam(req.query.sector, SECTOR_CATEGORIES),
    region: filterParam(req.query.region, REGION_CATEGORIES),
    q: typeof req.query.q === 'string' && req.query.q !== '' ? req.query.q.slice(0, 200) : undefined,
    cross:
      typeof req.query.cross === 'string' && req.query.cross !== ''
        ? req.query.cross.slice(0, 60)
        : undefined,
  };
}

/** The filters back as a query string (`?sector=...`), or '' with none. */
function filterQuery(filters: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

function snapshotView(snapshot: SnapshotHead, locale: Locale) {
  return {
    at: snapshot.at ? formatDate(snapshot.at, locale, true) : null,
    running: snapshot.running,
  };
}

function filterParam(value: unknown, allowed: readonly string[]): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !allowed.includes(value))
    throw new BadRequestError({ key: 'analysis:errors.filter' });
  return value;
}

function codebook(columns: ExportColumn[]) {
  return columns.map((c) => ({
    column: c.id,
    question: c.questionId ?? null,
    type: c.type,
    label_en: c.label.en,
    label_fr: c.label.fr,
    values:
      c.values ??
      (c.valueLabels
        ? c.valueLabels.map((v) => ({ code: v.id, label_en: v.label.en, label_fr: v.label.fr }))
        : null),
  }));
}

export function analysisRouter(analysis: AnalysisService, logger?: Logger): Router {
  const router = Router();
  const staff = requireRole('officer', 'analyst');

  /** GET /analysis — every round with its participants. */
  router.get('/analysis', staff, async (req, res) => {
    const rounds = await analysis.rounds();
    res.render('analysis/index', {
      title: req.t('analysis:index.title'),
      rounds: rounds.map(({ round, report }) => ({
        slug: round.slug,
        title: round.title[req.locale],
        status: round.status,
        participants: formatCount(report.participants, req.locale),
        responses: formatCount(report.responses, req.locale),
        civilSociety: formatShare(
          report.bySector.find((c) => c.key === 'civil_society')?.share ?? null,
          req.locale,
        ),
      })),
    });
  });

  /** GET /analysis/rounds/:slug */
  router.get('/analysis/rounds/:slug', staff, async (req, res) => {
    const data = await analysis.round(req.params.slug as string);
    res.render('analysis/round', {
      title: req.t('analysis:round.title', { round: data.round.title[req.locale] }),
      round: data.round,
      participants: formatCount(data.report.participants, req.locale),
      completion: completionView(data.completion, req.locale),
      sections: breakdownSections(data.report, req.t, req.locale),
      consultations: data.consultations.map(({ consultation, report }) => ({
        id: consultation.id,
        title: consultation.title[req.locale],
        status: consultation.status,
        participants: formatCount(report.participants, req.locale),
        civilSociety: formatShare(
          report.bySector.find((c) => c.key === 'civil_society')?.share ?? null,
          req.locale,
        ),
      })),
      threshold: 0,
    });
  });

  /** GET /analysis/consultations/:id */
  router.get('/analysis/consultations/:id', staff, async (req, res) => {
    const data = await analysis.consultation(req.params.id as string);
    res.render('analysis/consultation', {
      title: req.t('analysis:consultation.title', { consultation: data.consultation.title[req.locale] }),
      consultation: data.consultation,
      round: data.round,
      participants: formatCount(data.report.participants, req.locale),
      completion: completionView(data.completion, req.locale),
      sections: breakdownSections(data.report, req.t, req.locale),
      surveys: data.surveys.map(({ survey, completion }) => ({
        id: survey.id,
        title: survey.definition.title[req.locale],
        status: survey.status,
        version: survey.version,
        completion: completionView(completion, req.locale),
      })),
      threshold: 0,
    });
  });

  /** GET /analysis/surveys/:id?sector=&region=&q=&cross= — answers question by question. */
  router.get('/analysis/surveys/:id', staff, async (req, res) => {
    const filters = surveyFilters(req);
    const data = await analysis.survey(req.params.id as string, filters);
    const choiceQuestions = data.questions.filter((q) =>
      ['single_choice', 'dropdown', 'multiple_choice'].includes(q.question.type),
    );
    const crossView =
      data.cross && data.crossQuestion
        ? {
            label: data.crossQuestion.label[req.locale],
            columns: SECTOR_CATEGORIES.map((key) => req.t(`classifications:sector.${key}`)),
            totals: data.cross.totals.map((t) => formatCount(t.count, req.locale)),
            rows: data.cross.rows.map((row) => ({
              label:
                row.key === 'other'
                  ? req.t('analysis:other')
                  : (data.crossQuestion?.options?.find((o) => o.id === row.key)?.label[req.locale] ??
                    row.key),
              cells: row.cells.map(
                (c) => `${formatCount(c.count, req.locale)} (${formatShare(c.share, req.locale)})`,
              ),
            })),
          }
        : undefined;
    res.render('analysis/survey', {
      title: req.t('analysis:survey.title', { survey: data.survey.definition.title[req.locale] }),
      survey: data.survey,
      consultation: data.consultation,
      filters,
      participants: formatCount(data.report.participants, req.locale),
      matchingCount: data.matching,
      snapshot: snapshotView(data.snapshot, req.locale),
      filterQuery: filterQuery(filters),
      textQuery: filterQuery({ ...filters, cross: undefined }),
      completion: completionView(data.completion, req.locale),
      sections: breakdownSections(data.report, req.t, req.locale, [
        'sector',
        'region',
        'language',
        'channel',
      ]),
      questions: data.questions.map((q) => questionView(q, req)),
      choiceQuestions: choiceQuestions.map((q) => ({
        id: q.question.id,
        label: q.question.label[req.locale],
      })),
      cross: crossView,
      sectors: SECTOR_CATEGORIES.map((key) => ({ key, label: req.t(`classifications:sector.${key}`) })),
      regions: REGION_CATEGORIES.map((key) => ({ key, label: req.t(`classifications:region.${key}`) })),
      threshold: 0,
    });
  });

  /** POST /analysis/surveys/:id/refresh — computes the "as of" figures again, in the background. */
  router.post('/analysis/surveys/:id/refresh', staff, async (req, res) => {
    const survey = await analysis.getSurvey(req.params.id as string);
    await req.audit.record({ action: 'analysis.refreshed', target: { type: 'survey', id: survey.id } });
    analysis.refreshSnapshot(survey.id).catch((error: unknown) => {
      logger?.error({ err: error, surveyId: survey.id }, 'answer snapshot failed');
    });
    const body = req.body as Record<string, unknown> | undefined;
    const back = typeof body?.back === 'string' && /^\?[\w=&%.+-]*$/.test(body.back) ? body.back : '';
    res.redirect(303, `/analysis/surveys/${survey.id}${back}`);
  });

  /** GET /analysis/surveys/:id/texts/:questionId?sector=&region=&q=&from=|before= — written answers, paged. */
  router.get('/analysis/surveys/:id/texts/:questionId', staff, async (req, res) => {
    const filters = { ...surveyFilters(req), cross: undefined };
    const position = (value: unknown) =>
      typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
    const data = await analysis.texts(req.params.id as string, req.params.questionId as string, {
      ...filters,
      from: position(req.query.from),
      before: position(req.query.before),
    });
    const query = filterQuery(filters);
    const link = (key: 'from' | 'before', value: number | null) =>
      value === null ? undefined : `${query ? `${query}&` : '?'}${key}=${value}`;
    res.render('analysis/texts', {
      title: req.t('analysis:texts.title', { question: data.question.question.label[req.locale] }),
      survey: data.survey,
      filters,
      snapshot: snapshotView(data.snapshot, req.locale),
      items: data.page.items.map((item) => ({ number: item.index + 1, text: item.text })),
      total: data.page.total,
      partial: data.page.partial,
      next: link('from', data.page.next),
      previous: link('before', data.page.previous),
      backQuery: query,
    });
  });

  /** GET /analysis/surveys/:id/responses.csv|json — every submitted response, streamed. */
  router.get('/analysis/surveys/:id/responses.:format', staff, async (req, res) => {
    const format = req.params.format;
    if (format !== 'csv' && format !== 'json') throw new BadRequestError({ key: 'analysis:errors.format' });
    const survey = await analysis.getSurvey(req.params.id as string);
    const columns = await analysis.exportColumns(survey.id);
    const filename = `agora-survey-${survey.id}-responses.${format}`;
    await req.audit.record({
      action: 'download.responses',
      target: { type: 'survey', id: survey.id },
      details: { format },
    });
    res.set('Cache-Control', 'no-store');
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').attachment(filename);
      for await (const line of csvDocument(
        columns.map((c) => c.id),
        analysis.exportRows(survey.id, columns),
      )) {
        if (!res.write(line)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
      return;
    }
    // JSON, written piece by piece so memory does not grow with the number of responses.
    res.type('application/json; charset=utf-8').attachment(filename);
    res.write(
      `{"survey":${JSON.stringify(survey.id)},"codebook":${JSON.stringify(codebook(columns))},"responses":[`,
    );
    let first = true;
    for await (const row of analysis.exportRows(survey.id, columns)) {
      const record = Object.fromEntries(columns.map((c, i) => [c.id, row[i] ?? null]));
      if (!res.write(`${first ? '' : ','}${JSON.stringify(record)}`))
        await new Promise((resolve) => res.once('drain', resolve));
      first = false;
    }
    res.end(']}');
  });

  /** GET /analysis/surveys/:id/codebook.csv|json — what each export column means, in both languages. */
  router.get('/analysis/surveys/:id/codebook.:format', staff, async (req, res) => {
    const format = req.params.format;
    if (format !== 'csv' && format !== 'json') throw new BadRequestError({ key: 'analysis:errors.format' });
    const survey = await analysis.getSurvey(req.params.id as string);
    const entries = codebook(await analysis.exportColumns(survey.id));
    await req.audit.record({
      action: 'download.codebook',
      target: { type: 'survey', id: survey.id },
      details: { format },
    });
    if (format === 'json') {
      res.json({ survey: survey.id, columns: entries });
      return;
    }
    res.type('text/csv; charset=utf-8').attachment(`agora-survey-${survey.id}-codebook.csv`);
    const rows = entries.map((e) => [
      e.column,
      e.question ?? '',
      e.type,
      e.label_en,
      e.label_fr,
      Array.isArray(e.values)
        ? e.values
            .map((v) => (typeof v === 'string' ? v : `${v.code}=${v.label_en} / ${v.label_fr}`))
            .join(' | ')
        : '',
    ]);
    for await (const line of csvDocument(
      ['column', 'question', 'type', 'label_en', 'label_fr', 'values'],
      rows,
    ))
      res.write(line);
    res.end();
  });

  return router;
}
