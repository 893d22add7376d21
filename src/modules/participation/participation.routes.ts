import { Router, type Request, type Response } from 'express';
import { SECTOR_CATEGORIES, SECTORS, CIVIL_SOCIETY } from '../../platform/classifications';
import { csvDocument } from '../../platform/csv';
import { BadRequestError, NotFoundError, ValidationError } from '../../platform/errors';
import { visibleTo } from '../../platform/http/access';
import { isStaff, requireRole } from '../../platform/http/auth';
import { rerenderOnValidationError } from '../../platform/http/form-errors';
import type { Locale } from '../../platform/i18n';
import { calendarDate } from '../../platform/zoned-time';
import type { IndicatorForm, IndicatorsService, IndicatorView } from './indicators.service';
import {
  DICTIONARY_COLUMNS,
  dataPackage,
  datesOf,
  dcatCatalog,
  dictionaryRows,
  licenceTitle,
  type OpenDataSettings,
} from './open-data';
import { breakdownSections, formatCount, formatShare, trendView } from './participation.presenter';
import { roundPathSchema, trendQuerySchema } from './participation.schemas';
import { OPEN_DATA_COLUMNS, type ParticipationReports, type ScopeReport } from './reports.service';

interface Deps {
  reports: ParticipationReports;
  indicators: IndicatorsService;
  suppressionThreshold: number;
  openData: OpenDataSettings;
}

/** Staff see exact counts; everyone else sees small counts suppressed. */
const audienceOf = (req: Request) => ({ exact: isStaff(req.user) });

function sectorParam(value: unknown): string {
  const sector = typeof value === 'string' && value ? value : CIVIL_SOCIETY;
  if (!(SECTOR_CATEGORIES as readonly string[]).includes(sector))
    throw new BadRequestError({ key: 'participation:errors.unknownSector' });
  return sector;
}

/** The API shape of a breakdown: `[{ <name>: key, count, share }]`, counts null where suppressed. */
function apiCells(cells: ScopeReport['bySector'], name: string) {
  return cells.map((c) => ({
    [name]: c.key,
    count: c.count,
    share: c.share,
    shareOfAnswered: c.shareOfAnswered,
  }));
}

function indicatorRow(indicator: IndicatorView, locale: Locale) {
  const show = (v: number | null | undefined) =>
    v === null || v === undefined
      ? '–'
      : indicator.unit === 'percent'
        ? formatShare(v, locale)
        : formatCount(v, locale);
  const date = (d: Date | undefined) => (d ? calendarDate(d) : '–');
  return {
    ...indicator,
    nameText: indicator.name[locale],
    descriptionText: indicator.description[locale],
    targetText: show(indicator.target.value),
    targetDate: date(indicator.target.date),
    baselineText: show(indicator.baseline?.value),
    baselineDate: date(indicator.baseline?.date),
    latestText: show(indicator.latest?.value),
    latestDate: date(indicator.latest?.date),
    // Manual data points are labelled by their date, which is already shown beside them.
    latestLabel: indicator.kind === 'manual' ? '' : (indicator.latest?.label[locale] ?? ''),
    seriesRows: indicator.series.map((p) => ({
      label: indicator.kind === 'manual' ? p.note || p.label[locale] : p.label[locale],
      value: show(p.value),
      date: date(p.date),
      note: p.note ?? '',
    })),
  };
}

export function participationRouter(deps: Deps): Router {
  const router = Router();
  const { reports, indicators } = deps;

  /** GET /participation — who takes part, across rounds, with the civil-society trend highlighted. */
  router.get('/participation', async (req, res) => {
    const sector = sectorParam(req.query.sector);
    const audience = audienceOf(req);
    const trend = await reports.trend(sector, audience);
    const target = await indicators.sectorShareTarget(sector);
    const sectorLabel = req.t(`classifications:sector.${sector}`);
    res.render('participation/overview', {
      title: req.t('participation:overview.title'),
      sector,
      sectorLabel,
      sectors: SECTOR_CATEGORIES.map((key) => ({ key, label: req.t(`classifications:sector.${key}`) })),
      trend: trendView(trend, sectorLabel, req.t, req.locale, target),
      exact: audience.exact,
      threshold: deps.suppressionThreshold,
    });
  });

  /** GET /participation/how-we-count — the published definition of the metric. */
  router.get('/participation/how-we-count', (req, res) => {
    res.render('participation/how-we-count', {
      title: req.t('participation:definition.title'),
      threshold: deps.suppressionThreshold,
    });
  });

  /** GET /participation/rounds/:slug — one round, by every dimension. */
  router.get('/participation/rounds/:slug', async (req, res) => {
    const round = await reports.roundBySlug(req.params.slug);
    const audience = audienceOf(req);
    const report = await reports.scopeReport('round', round.id, audience);
    const gba = ['gender', 'ageRange'] as const;
    res.render('participation/round', {
      title: req.t('participation:round.title', { round: round.title[req.locale] }),
      round: { slug: round.slug, title: round.title[req.locale] },
      participants: formatCount(report.participants, req.locale),
      responses: formatCount(report.responses, req.locale),
      sections: breakdownSections(report, req.t, req.locale, ['sector', 'region', 'language', 'channel']),
      gbaSections: breakdownSections(report, req.t, req.locale, gba),
      exact: audience.exact,
      threshold: deps.suppressionThreshold,
    });
  });

  /** GET /indicators — the key-indicator table. */
  router.get('/indicators', async (req, res) => {
    const list = await indicators.list({ exact: audienceOf(req).exact });
    res.render('participation/indicators', {
      title: req.t('participation:indicators.title'),
      indicators: list.map((i) => indicatorRow(i, req.locale)),
    });
  });

  /** GET /open-data — the published datasets and their dictionary. */
  router.get('/open-data', (req, res) => {
    res.render('participation/open-data', {
      columns: OPEN_DATA_COLUMNS,
      title: req.t('participation:openData.title'),
      threshold: deps.suppressionThreshold,
      licence: { url: deps.openData.licenceUrl, title: licenceTitle(req.t, deps.openData.licenceUrl) },
    });
  });

  /** Open data is for anyone, from anywhere: other sites' scripts may read it too. */
  const openDataHeaders = (res: Response) => {
    res.set('Cache-Control', 'public, max-age=300');
    res.set('Access-Control-Allow-Origin', '*');
    res.links({
      license: deps.openData.licenceUrl,
      describedby: `${deps.openData.baseUrl}/open-data/datapackage.json`,
    });
  };

  /** GET /open-data/datapackage.json — Frictionless Data Package with a Table Schema per table. */
  router.get('/open-data/datapackage.json', async (req, res) => {
    const dates = datesOf(await reports.publicRounds(), new Date());
    openDataHeaders(res);
    res.json(dataPackage(req.t, deps.openData, deps.suppressionThreshold, dates));
  });

  /** GET /open-data/catalog.jsonld — DCAT catalogue (JSON-LD) for harvesters such as CKAN's. */
  router.get('/open-data/catalog.jsonld', async (req, res) => {
    const dates = datesOf(await reports.publicRounds(), new Date());
    openDataHeaders(res);
    res.type('application/ld+json; charset=utf-8');
    res.send(JSON.stringify(dcatCatalog(req.t, deps.openData, deps.suppressionThreshold, dates), null, 2));
  });

  /** GET /open-data/dictionary.csv and .json — the data dictionary, in both languages. */
  router.get('/open-data/dictionary.:format', async (req, res) => {
    const format = req.params.format;
    if (format !== 'csv' && format !== 'json') throw new NotFoundError();
    const rows = dictionaryRows(req.t, deps.suppressionThreshold);
    openDataHeaders(res);
    if (format === 'json') {
      res.json({ table: 'participation', fields: rows });
      return;
    }
    res.attachment('agora-participation-dictionary.csv').type('text/csv; charset=utf-8');
    for await (const line of csvDocument(
      DICTIONARY_COLUMNS,
      rows.map((r) => DICTIONARY_COLUMNS.map((c) => r[c])),
    ))
      res.write(line);
    res.end();
  });

  /** GET /open-data/participation.csv and .json — aggregated participation per round, suppressed. */
  router.get('/open-data/participation.:format', async (req, res) => {
    const format = req.params.format;
    if (format !== 'csv' && format !== 'json') throw new NotFoundError();
    const rows = await reports.openDataRows();
    const header = OPEN_DATA_COLUMNS;
    openDataHeaders(res);
    if (format === 'json') {
      res.json({
        dictionary: '/open-data/dictionary.json',
        datapackage: '/open-data/datapackage.json',
        licence: deps.openData.licenceUrl,
        suppressionThreshold: deps.suppressionThreshold,
        rows: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? null]))),
      });
      return;
    }
    res.attachment('agora-participation.csv').type('text/csv; charset=utf-8');
    for await (const line of csvDocument(header, rows)) res.write(line);
    res.end();
  });

  // ---- JSON API ----

  /** GET /api/v1/rounds */
  router.get('/api/v1/rounds', async (req, res) => {
    const rounds = await reports.publicRounds();
    res.json({
      rounds: rounds.map((r) => ({
        slug: r.slug,
        title: r.title,
        startsOn: calendarDate(r.startsOn),
        endsOn: calendarDate(r.endsOn),
        status: r.status,
        completedOn: r.completedAt ? calendarDate(r.completedAt) : null,
        reopenings: r.events
          .filter((e) => e.type === 'reopened')
          .map((e) => ({ on: calendarDate(e.at), reason: e.reason ?? '' })),
        participation: `/api/v1/rounds/${encodeURIComponent(r.slug)}/participation`,
      })),
    });
  });

  /** GET /api/v1/rounds/:slug/participation */
  router.get('/api/v1/rounds/:slug/participation', async (req, res) => {
    const params = roundPathSchema.safeParse(req.params);
    if (!params.success) throw new NotFoundError();
    const round = await reports.roundBySlug(params.data.slug);
    const audience = audienceOf(req);
    const report = await reports.scopeReport('round', round.id, audience);
    res.json({
      round: round.slug,
      participants: report.participants,
      responses: report.responses,
      suppressed: !audience.exact,
      suppressionThreshold: audience.exact ? null : deps.suppressionThreshold,
      bySector: apiCells(report.bySector, 'sector'),
      byRegion: apiCells(report.byRegion, 'region'),
      byLanguage: apiCells(report.byLanguage, 'language'),
      byChannel: apiCells(report.byChannel, 'channel'),
    });
  });

  /** GET /api/v1/participation/trend?sector=KEY */
  router.get('/api/v1/participation/trend', async (req, res) => {
    // An empty ?sector= means the default, as on the /participation page.
    const query = trendQuerySchema.safeParse(req.query.sector === '' ? {} : req.query);
    if (!query.success) throw new BadRequestError({ key: 'participation:errors.unknownSector' });
    const { sector } = query.data;
    const trend = await reports.trend(sector, audienceOf(req));
    res.json({
      sector,
      rounds: trend.map((e) => ({
        round: e.round,
        title: e.title,
        participants: e.participants,
        count: e.count,
        share: e.share,
        shareOfAnswered: e.shareOfAnswered,
      })),
    });
  });

  /** GET /api/v1/indicators */
  router.get('/api/v1/indicators', async (req, res) => {
    const list = await indicators.list({ exact: audienceOf(req).exact });
    res.json({
      indicators: list.map((i) => ({
        slug: i.slug,
        name: i.name,
        description: i.description,
        unit: i.unit,
        kind: i.kind,
        ...(i.sector ? { sector: i.sector } : {}),
        baseline: i.baseline ? { value: i.baseline.value, date: calendarDate(i.baseline.date) } : null,
        target: { value: i.target.value, date: calendarDate(i.target.date) },
        latest: i.latest
          ? { value: i.latest.value, date: calendarDate(i.latest.date), label: i.latest.label }
          : null,
        series: i.series.map((p) => ({
          value: p.value,
          date: calendarDate(p.date),
          label: p.label,
        })),
      })),
    });
  });

  // ---- Staff: indicators ----
  const staff = requireRole('officer', 'analyst');

  const formValues = (body: Record<string, unknown>): IndicatorForm => {
    const pick = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
    return {
      slug: pick('slug'),
      nameEn: pick('nameEn'),
      nameFr: pick('nameFr'),
      descriptionEn: pick('descriptionEn'),
      descriptionFr: pick('descriptionFr'),
      kind: pick('kind'),
      unit: pick('unit'),
      sector: pick('sector'),
      baselineValue: pick('baselineValue'),
      baselineDate: pick('baselineDate'),
      targetValue: pick('targetValue'),
      targetDate: pick('targetDate'),
      published: pick('published'),
      order: pick('order'),
    };
  };

  const renderForm = (
    req: Request,
    res: Response,
    values: IndicatorForm,
    errors: ValidationError | undefined,
    id?: string,
  ) => {
    const fieldErrors = (errors?.fieldErrors ?? []).map((f) => ({
      field: f.field,
      message: req.t(f.message.key, f.message.values ?? {}),
    }));
    res.status(errors ? 422 : 200).render('participation/indicator-form', {
      title: req.t(id ? 'participation:indicators.editTitle' : 'participation:indicators.newTitle'),
      id,
      values,
      errors: fieldErrors,
      errorFor: (field: string) => fieldErrors.find((f) => f.field === field)?.message,
      sectors: SECTORS.map((key) => ({ key, label: req.t(`classifications:sector.${key}`) })),
    });
  };

  /** GET /analysis/indicators — manage indicators. */
  router.get('/analysis/indicators', staff, async (req, res) => {
    // Staff manage their organisation's indicators (admins every one); the published ones stay public (/participation).
    const list = visibleTo(
      req.user,
      'analyse',
      await indicators.list({ includeUnpublished: true, exact: true }),
    );
    res.render('participation/indicators-admin', {
      title: req.t('participation:indicators.manageTitle'),
      indicators: list.map((i) => indicatorRow(i, req.locale)),
    });
  });

  /** GET /analysis/indicators/new */
  router.get('/analysis/indicators/new', staff, (req, res) => {
    renderForm(req, res, { kind: 'sector_share', sector: CIVIL_SOCIETY, published: 'on' }, undefined);
  });

  /** POST /analysis/indicators */
  router.post('/analysis/indicators', staff, async (req, res) => {
    const values = formValues(req.body as Record<string, unknown>);
    await rerenderOnValidationError(
      async () => {
        await indicators.create(values, req.user);
        res.redirect(303, '/analysis/indicators?saved=1');
      },
      (error) => renderForm(req, res, values, error),
    );
  });

  /** GET /analysis/indicators/:id/edit */
  router.get('/analysis/indicators/:id/edit', staff, async (req, res) => {
    const i = await indicators.getForStaff(req.params.id as string, req.user);
    const pct = (v: number | undefined) =>
      v === undefined ? '' : String(i.unit === 'percent' ? Math.round(v * 10_000) / 100 : v);
    renderForm(
      req,
      res,
      {
        slug: i.slug,
        nameEn: i.name.en,
        nameFr: i.name.fr,
        descriptionEn: i.description.en,
        descriptionFr: i.description.fr,
        kind: i.kind,
        unit: i.unit,
        sector: i.sector,
        baselineValue: pct(i.baseline?.value),
        baselineDate: i.baseline ? calendarDate(i.baseline.date) : '',
        targetValue: pct(i.target.value),
        targetDate: calendarDate(i.target.date),
        published: i.published ? 'on' : '',
        order: String(i.order),
      },
      undefined,
      i.id,
    );
  });

  /** POST /analysis/indicators/:id */
  router.post('/analysis/indicators/:id', staff, async (req, res) => {
    const values = formValues(req.body as Record<string, unknown>);
    await rerenderOnValidationError(
      async () => {
        await indicators.update(req.params.id as string, values, req.user);
        res.redirect(303, '/analysis/indicators?saved=1');
      },
      (error) => renderForm(req, res, values, error, req.params.id as string),
    );
  });

  /** POST /analysis/indicators/:id/data-points — a manual value with its collection date. */
  router.post('/analysis/indicators/:id/data-points', staff, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
    await rerenderOnValidationError(
      async () => {
        await indicators.addDataPoint(
          req.params.id as string,
          { value: str('value'), collectedAt: str('collectedAt'), note: str('note') },
          req.user,
        );
        res.redirect(303, '/analysis/indicators?saved=1');
      },
      async (error) => {
        const list = visibleTo(
          req.user,
          'analyse',
          await indicators.list({ includeUnpublished: true, exact: true }),
        );
        res.status(422).render('participation/indicators-admin', {
          title: req.t('participation:indicators.manageTitle'),
          indicators: list.map((i) => indicatorRow(i, req.locale)),
          pointErrorsFor: req.params.id,
          errors: error.fieldErrors.map((f) => ({
            field: `${f.field}-${req.params.id}`,
            message: req.t(f.message.key, f.message.values ?? {}),
          })),
          pointValues: {
            value: str('value') ?? '',
            collectedAt: str('collectedAt') ?? '',
            note: str('note') ?? '',
          },
        });
      },
    );
  });

  /** POST /analysis/indicators/:id/delete */
  router.post('/analysis/indicators/:id/delete', staff, async (req, res) => {
    await indicators.remove(req.params.id as string, req.user);
    res.redirect(303, '/analysis/indicators?deleted=1');
  });

  return router;
}
