import { Router } from 'express';
import type { i18n } from 'i18next';
import { csvDocument } from '../../platform/csv';
import { NotFoundError } from '../../platform/errors';
import type { CommitmentsService } from './commitments.service';
import type { Commitment, Plan } from './commitments.types';
import { commitmentHref, planHref } from './presenter';
import { dayString } from './validation';

/** The open datasets and their columns; every column is described in both languages in the data dictionary. */
export const DATASETS = {
  plans: [
    'plan',
    'title_en',
    'title_fr',
    'organisation_en',
    'organisation_fr',
    'period_start',
    'period_end',
    'published_at',
    'commitments',
    'url',
  ],
  commitments: [
    'plan',
    'commitment',
    'theme_en',
    'theme_fr',
    'title_en',
    'title_fr',
    'lead_department_en',
    'lead_department_fr',
    'enquiry_email',
    'status',
    'review_rating',
    'milestones_total',
    'milestones_complete',
    'published_at',
    'url',
  ],
  milestones: ['plan', 'commitment', 'milestone', 'text_en', 'text_fr', 'status', 'start_date', 'end_date'],
} as const;
export type Dataset = keyof typeof DATASETS;
const isDataset = (name: string): name is Dataset => Object.hasOwn(DATASETS, name);

type Row = (string | number | null)[];

/** Published plans and their published commitments (drafts never appear in open data). */
async function published(service: CommitmentsService): Promise<{ plan: Plan; commitments: Commitment[] }[]> {
  const plans = await service.listPlans();
  return Promise.all(plans.map(async (plan) => ({ plan, commitments: await service.listCommitments(plan) })));
}

export async function datasetRows(
  service: CommitmentsService,
  dataset: Dataset,
  baseUrl: string,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const { plan, commitments } of await published(service)) {
    if (dataset === 'plans') {
      rows.push([
        plan.slug,
        plan.title.en,
        plan.title.fr,
        plan.organisation.en,
        plan.organisation.fr,
        plan.periodStart,
        plan.periodEnd,
        plan.publishedAt?.toISOString() ?? null,
        commitments.length,
        `${baseUrl}${planHref(plan.slug)}`,
      ]);
      continue;
    }
    for (const c of commitments) {
      if (dataset === 'commitments') {
        const planned = c.milestones.filter((m) => m.number);
        rows.push([
          plan.slug,
          c.number,
          c.theme.en,
          c.theme.fr,
          c.title.en,
          c.title.fr,
          c.leadDepartment.en,
          c.leadDepartment.fr,
          c.enquiryEmail,
          c.status,
          c.review?.rating ?? null,
          planned.length,
          planned.filter((m) => m.status === 'complete').length,
          c.publishedAt?.toISOString() ?? null,
          `${baseUrl}${commitmentHref(plan.slug, c.number)}`,
        ]);
      } else {
        for (const m of c.milestones) {
          rows.push([
            plan.slug,
            c.number,
            m.number || null,
            m.text.en,
            m.text.fr,
            m.status,
            m.startDate ? dayString(m.startDate) : null,
            m.endDate ? dayString(m.endDate) : null,
          ]);
        }
      }
    }
  }
  return rows;
}

export function dictionary(i18next: i18n) {
  const en = i18next.getFixedT('en');
  const fr = i18next.getFixedT('fr');
  return (Object.keys(DATASETS) as Dataset[]).flatMap((dataset) =>
    DATASETS[dataset].map((column) => ({
      dataset,
      column,
      description_en: en(`commitments:openData.columns.${column}`),
      description_fr: fr(`commitments:openData.columns.${column}`),
    })),
  );
}

/** GET /open-data/commitments (the page and its data dictionary) and the datasets as CSV or JSON. */
export function commitmentsOpenDataRouter(deps: {
  commitments: CommitmentsService;
  baseUrl: string;
  i18n: i18n;
}): Router {
  const router = Router();

  router.get('/open-data/commitments', (req, res) => {
    res.render('commitments/open-data', {
      title: req.t('commitments:openData.title'),
      datasets: (Object.keys(DATASETS) as Dataset[]).map((name) => ({
        name,
        label: req.t(`commitments:openData.datasets.${name}`),
        columns: DATASETS[name].map((column) => ({
          column,
          meaning: req.t(`commitments:openData.columns.${column}`),
        })),
      })),
    });
  });

  router.get('/open-data/commitments/:file', async (req, res) => {
    const match = /^([a-z]+)\.(csv|json)$/.exec(String(req.params.file));
    if (!match) throw new NotFoundError();
    const [, name = '', format] = match;
    res.set('Cache-Control', 'public, max-age=300');
    if (name === 'dictionary') {
      const rows = dictionary(deps.i18n);
      if (format === 'json') return void res.json({ columns: rows });
      const header = ['dataset', 'column', 'description_en', 'description_fr'] as const;
      res
        .type('text/csv; charset=utf-8')
        .set('Content-Disposition', 'attachment; filename="commitments-dictionary.csv"');
      for await (const chunk of csvDocument(
        header,
        rows.map((r) => header.map((h) => r[h])),
      ))
        res.write(chunk);
      return void res.end();
    }
    if (!isDataset(name)) throw new NotFoundError();
    const rows = await datasetRows(deps.commitments, name, deps.baseUrl);
    const columns = DATASETS[name];
    if (format === 'json') {
      return void res.json({
        dataset: name,
        dictionary: `${deps.baseUrl}/open-data/commitments/dictionary.json`,
        rows: rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i] ?? null]))),
      });
    }
    res.type('text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="${name}.csv"`);
    for await (const chunk of csvDocument(columns, rows)) res.write(chunk);
    res.end();
  });

  return router;
}
