import { Router, type Request } from 'express';
import { REGION_CATEGORIES, SECTOR_CATEGORIES } from '../../platform/classifications';
import { csvDocument } from '../../platform/csv';
import { BadRequestError } from '../../platform/errors';
import { can, requireAccess, type ScopedResource } from '../../platform/http/access';
import { requireRole } from '../../platform/http/auth';
import type { Logger } from '../../platform/logger';
import { formatDate, isLocale, LOCALES, type Locale } from '../../platform/i18n';
import { breakdownSections, formatCount, formatShare } from '../participation';
import type { AnalysedQuestion, AnalysisService, Completion } from './analysis.service';
import type { SnapshotHead } from './answer-snapshot';
import {
  CODEBOOK_CSV_HEADER,
  codebookCsvRows,
  codebookEntries,
  labelledHeaders,
  suppressedCombinations,
  type ExportForm,
} from './exports';
import { CHANNELS, FILTER_KEYS, filterQuery, parseFilters, type AnalysisFilters } from './filters';

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

/** The survey page's filters from the query string (a value outside the lists is a 400), with search and cross. */
function surveyFilters(req: Request) {
  return {
    ...parseFilters(req.query),
    q: typeof req.query.q === 'string' && req.query.q !== '' ? req.query.q.slice(0, 200) : undefined,
    cross:
      typeof req.query.cross === 'string' && req.query.cross !== ''
        ? req.query.cross.slice(0, 60)
        : undefined,
  };
}

/** The filters in force, as "what: value" pairs in the page's language (shown above every figure). */
function filtersInForce(filters: AnalysisFilters, req: Request): { name: string; value: string }[] {
  const value = (key: (typeof FILTER_KEYS)[number], v: string) => {
    switch (key) {
      case 'sector':
        return req.t(`classifications:sector.${v}`);
      case 'region':
        return req.t(`classifications:region.${v}`);
      case 'language':
        return req.t(`participation:language.${v}`);
      case 'channel':
        return req.t(`participation:channel.${v}`);
      default:
        return formatDate(new Date(`${v}T12:00:00Z`), req.locale);
    }
  };
  return FILTER_KEYS.flatMap((key) =>
    filters[key] ? [{ name: req.t(`analysis:filters.${key}`), value: value(key, filters[key]) }] : [],
  );
}

/** Only the filters (no search, no cross) of a survey page's query. */
function onlyFilters(filters: AnalysisFilters): AnalysisFilters {
  return Object.fromEntries(FILTER_KEYS.map((k) => [k, filters[k]]).filter(([, v]) => v)) as AnalysisFilters;
}

function snapshotView(snapshot: SnapshotHead, locale: Locale) {
  return {
    at: snapshot.at ? formatDate(snapshot.at, locale, true) : null,
    running: snapshot.running,
  };
}

function exportForm(value: unknown): ExportForm {
  if (value === undefined || value === '' || value === 'coded') return 'coded';
  if (value === 'labelled') return 'labelled';
  throw new BadRequestError({ key: 'analysis:errors.form' });
}

function labelsParam(value: unknown): Locale {
  if (isLocale(value)) return value;
  throw new BadRequestError({ key: 'analysis:errors.labels' });
}

/** The codebook's general conventions, in each language. */
const CONVENTIONS = {
  en: (anonymous: boolean, threshold: number) => [
    'One row per submitted response, in the order responses were first recorded; an edited response shows its latest answers.',
    'Empty cell: no answer (skipped, not shown by a condition, or not in the survey version answered).',
    'Multiple choice: one column per option, 1 = chosen, 0 = not chosen, empty = question not answered.',
    'Ranking: one column per option holding its rank (1 = first); empty = not ranked.',
    'Dates are YYYY-MM-DD; times are UTC (ISO 8601).',
    ...(anonymous
      ? [
          `Anonymous survey: no response id (a row number instead), the week of submission (its Monday) instead of the time, no language, channel or organisation; sector and region are "suppressed" on every row whose sector and region together have fewer than ${threshold} rows in the download (and on the next smallest groups while the suppressed rows are fewer than ${threshold}).`,
        ]
      : []),
  ],
  fr: (anonymous: boolean, threshold: number) => [
    'Une ligne par réponse soumise, dans l’ordre où les réponses ont été enregistrées; une réponse modifiée montre ses dernières réponses.',
    'Case vide : sans réponse (question passée, non affichée par une condition ou absente de la version remplie).',
    'Choix multiples : une colonne par option, 1 = choisi, 0 = non choisi, vide = question sans réponse.',
    'Classement : une colonne par option indiquant son rang (1 = premier); vide = non classée.',
    'Les dates sont au format AAAA-MM-JJ; les heures sont en UTC (ISO 8601).',
    ...(anonymous
      ? [
          `Questionnaire anonyme : aucun identifiant de réponse (un numéro de ligne à la place), la semaine de soumission (son lundi) au lieu de l’heure, ni langue, ni canal, ni organisation; le secteur et la région sont « suppressed » sur chaque ligne dont le secteur et la région réunis comptent moins de ${threshold} lignes dans le fichier (et sur les plus petits groupes suivants tant que les lignes masquées sont moins de ${threshold}).`,
        ]
      : []),
  ],
};

/** Finds what an analysis page is about (the round, consultation or survey), for the access rule. */
export interface AnalysisScopes {
  round(slug: string): Promise<ScopedResource>;
  consultation(id: string): Promise<ScopedResource>;
  survey(id: string): Promise<ScopedResource | null>;
  /** Every consultation (for those shared with the analyst's organisation, whose round they cannot open). */
  consultations(): Promise<
    (ScopedResource & { id: string; roundId: string; title: { en: string; fr: string } })[]
  >;
}

export function analysisRouter(
  analysis: AnalysisService,
  logger: Logger | undefined,
  scopes: AnalysisScopes,
): Router {
  const router = Router();
  const staff = requireRole('officer', 'analyst');
  // Officers and analysts analyse and export only their organisation's rounds, consultations and surveys (others
  // are a 404); admins everything. One check per kind of page, before any route under it.
  router.use(
    '/analysis/rounds/:slug',
    staff,
    requireAccess('analyse', (req) => scopes.round(String(req.params.slug))),
  );
  router.use(
    '/analysis/consultations/:id',
    staff,
    requireAccess('analyse', (req) => scopes.consultation(String(req.params.id))),
  );
  router.use(
    '/analysis/surveys/:id',
    staff,
    requireAccess('analyse', (req) => scopes.survey(String(req.params.id))),
  );

  /** GET /analysis — every round with its participants. */
  router.get('/analysis', staff, async (req, res) => {
    const [allRounds, consultations] = await Promise.all([analysis.rounds(), scopes.consultations()]);
    const rounds = allRounds.filter(({ round }) => can(req.user, 'analyse', round));
    const roundIds = new Set(rounds.map(({ round }) => round.id));
    // Consultations another organisation shared with this one: analysable, but their round is not.
    const shared = consultations.filter((c) => !roundIds.has(c.roundId) && can(req.user, 'analyse', c));
    res.render('analysis/index', {
      title: req.t('analysis:index.title'),
      shared: shared.map((c) => ({ id: c.id, title: c.title[req.locale] || c.title.en || c.title.fr })),
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
      consultations: data.consultations
        .filter(({ consultation }) => can(req.user, 'analyse', consultation))
        .map(({ consultation, report }) => ({
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

  /**
   * GET /analysis/surveys/:id?sector=&region=&language=&channel=&since=&until=&q=&cross= — answers question by
   * question; every figure, and every download link, is for the filtered responses.
   */
  router.get('/analysis/surveys/:id', staff, async (req, res) => {
    const filters = surveyFilters(req);
    const data = await analysis.survey(req.params.id as string, filters);
    const anonymous = data.survey.settings.anonymous;
    const choiceQuestions = data.questions.filter((q) =>
      ['single_choice', 'dropdown', 'multiple_choice'].includes(q.question.type),
    );
    // Anonymous surveys: a sector column with fewer than the threshold respondents is hidden (and the next smallest
    // while the hidden ones add up to fewer), so an answer cannot be tied to a small group.
    const hiddenColumns =
      anonymous && data.cross
        ? suppressedCombinations(
            new Map(data.cross.totals.map((t) => [t.column, t.count])),
            analysis.threshold,
          )
        : new Set<string>();
    const hidden = req.t('participation:suppressed');
    const crossView =
      data.cross && data.crossQuestion
        ? {
            label: data.crossQuestion.label[req.locale],
            columns: SECTOR_CATEGORIES.map((key) => req.t(`classifications:sector.${key}`)),
            totals: data.cross.totals.map((t) =>
              hiddenColumns.has(t.column) ? hidden : formatCount(t.count, req.locale),
            ),
            rows: data.cross.rows.map((row) => ({
              label:
                row.key === 'other'
                  ? req.t('analysis:other')
                  : (data.crossQuestion?.options?.find((o) => o.id === row.key)?.label[req.locale] ??
                    row.key),
              cells: row.cells.map((c) =>
                hiddenColumns.has(c.column)
                  ? hidden
                  : `${formatCount(c.count, req.locale)} (${formatShare(c.share, req.locale)})`,
              ),
            })),
            anySuppressed: hiddenColumns.size > 0,
          }
        : undefined;
    const only = onlyFilters(filters);
    const base = `/analysis/surveys/${data.survey.id}`;
    const download = (file: string, extra: Record<string, string | undefined> = {}) =>
      `${base}/${file}${filterQuery(only, extra)}`;
    res.render('analysis/survey', {
      title: req.t('analysis:survey.title', { survey: data.survey.definition.title[req.locale] }),
      survey: data.survey,
      consultation: data.consultation,
      filters,
      filtered: data.filtered,
      inForce: filtersInForce(filters, req),
      anonymous,
      participants: formatCount(data.report.participants, req.locale),
      matchingCount: data.matching,
      snapshot: snapshotView(data.snapshot, req.locale),
      logPass: data.logPass,
      filterQuery: filterQuery(only, { q: filters.q, cross: filters.cross }),
      textQuery: filterQuery({ sector: filters.sector, region: filters.region }, { q: filters.q }),
      clearQuery: base,
      downloads: {
        csv: download('responses.csv'),
        json: download('responses.json'),
        labelled: LOCALES.map((l) => ({
          csv: download('responses.csv', { form: 'labelled', labels: l }),
          json: download('responses.json', { form: 'labelled', labels: l }),
          language: req.t(`analysis:export.labelsIn.${l}`),
        })),
        codebookCsv: download('codebook.csv'),
        codebookJson: download('codebook.json'),
      },
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
      languages: LOCALES.map((key) => ({ key, label: req.t(`participation:language.${key}`) })),
      channels: CHANNELS.map((key) => ({ key, label: req.t(`participation:channel.${key}`) })),
      threshold: analysis.threshold,
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
    // The paged written answers carry each answer's sector and region: those are the filters that apply here.
    const all = surveyFilters(req);
    const filters = { sector: all.sector, region: all.region, q: all.q };
    const position = (value: unknown) =>
      typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
    const data = await analysis.texts(req.params.id as string, req.params.questionId as string, {
      ...filters,
      from: position(req.query.from),
      before: position(req.query.before),
    });
    const query = filterQuery({ sector: filters.sector, region: filters.region }, { q: filters.q });
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

  /**
   * GET /analysis/surveys/:id/responses.csv|json?form=coded|labelled&labels=en|fr&<filters> — the filtered
   * responses, streamed from the survey's answer log. Coded: ids and codes (see the codebook); labelled: question
   * texts and answer labels in `labels` (default: the page's language). Anonymous surveys are coarsened (exports.ts).
   */
  router.get('/analysis/surveys/:id/responses.:format', staff, async (req, res) => {
    const format = req.params.format;
    if (format !== 'csv' && format !== 'json') throw new BadRequestError({ key: 'analysis:errors.format' });
    const filters = parseFilters(req.query);
    const form = exportForm(req.query.form);
    const locale: Locale =
      req.query.labels === undefined || req.query.labels === '' ? req.locale : labelsParam(req.query.labels);
    const survey = await analysis.getSurvey(req.params.id as string);
    const columns = (await analysis.exportColumns(survey))[form];
    const { suppressed } = await analysis.prepareExport(survey, filters);
    const rows = analysis.exportRows(survey.id, columns, { filters, form, locale, suppressed });
    const suffix = form === 'labelled' ? `-labelled-${locale}` : '';
    const filename = `agora-survey-${survey.id}-responses${suffix}.${format}`;
    const headers = form === 'labelled' ? labelledHeaders(columns, locale) : columns.map((c) => c.id);
    await req.audit.record({
      action: 'download.responses',
      target: { type: 'survey', id: survey.id },
      details: { format, form, ...(form === 'labelled' ? { labels: locale } : {}), ...filters },
    });
    res.set('Cache-Control', 'no-store');
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').attachment(filename);
      for await (const line of csvDocument(headers, rows)) {
        if (!res.write(line)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
      return;
    }
    // JSON, written piece by piece so memory does not grow with the number of responses.
    res.type('application/json; charset=utf-8').attachment(filename);
    const head = {
      survey: survey.id,
      form,
      ...(form === 'labelled' ? { language: locale } : {}),
      anonymous: survey.settings.anonymous,
      filters,
      ...(form === 'labelled'
        ? { columns: columns.map((c, i) => ({ column: c.id, header: headers[i] })) }
        : { codebook: codebookEntries(columns) }),
    };
    res.write(`${JSON.stringify(head).slice(0, -1)},"responses":[`);
    let first = true;
    for await (const row of rows) {
      const record = Object.fromEntries(
        columns.map((c, i) => [c.id, row[i] === '' || row[i] === undefined ? null : row[i]]),
      );
      if (!res.write(`${first ? '' : ','}${JSON.stringify(record)}`))
        await new Promise((resolve) => res.once('drain', resolve));
      first = false;
    }
    res.end(']}');
  });

  /**
   * GET /analysis/surveys/:id/codebook.csv|json?<filters> — every column of the coded download: question text in
   * both languages, type, codes and labels, scale ends, missing values; the JSON form also records the filters.
   */
  router.get('/analysis/surveys/:id/codebook.:format', staff, async (req, res) => {
    const format = req.params.format;
    if (format !== 'csv' && format !== 'json') throw new BadRequestError({ key: 'analysis:errors.format' });
    const filters = parseFilters(req.query);
    const survey = await analysis.getSurvey(req.params.id as string);
    const columns = (await analysis.exportColumns(survey)).coded;
    const anonymous = survey.settings.anonymous;
    await req.audit.record({
      action: 'download.codebook',
      target: { type: 'survey', id: survey.id },
      details: { format, ...filters },
    });
    res.set('Cache-Control', 'no-store');
    if (format === 'json') {
      res.json({
        survey: survey.id,
        title: survey.definition.title,
        version: survey.version,
        anonymous,
        ...(anonymous ? { suppression_threshold: analysis.threshold } : {}),
        filters,
        conventions: {
          en: CONVENTIONS.en(anonymous, analysis.threshold),
          fr: CONVENTIONS.fr(anonymous, analysis.threshold),
        },
        columns: codebookEntries(columns),
      });
      return;
    }
    res.type('text/csv; charset=utf-8').attachment(`agora-survey-${survey.id}-codebook.csv`);
    for await (const line of csvDocument(CODEBOOK_CSV_HEADER, codebookCsvRows(columns))) res.write(line);
    res.end();
  });

  return router;
}
