import { Router } from 'express';
import type { OpenApiRegistry } from '../../platform/http/openapi';
import type { CommitmentsService } from './commitments.service';
import { PROGRESS, type Commitment, type Plan, type StatusUpdate } from './commitments.types';
import { indicatorValues, type IndicatorValue, type ShareSource } from './indicator-values';
import { commitmentHref, planHref } from './presenter';
import { dayString } from './validation';

export interface ApiRoutesDeps {
  commitments: CommitmentsService;
  shares: ShareSource;
  baseUrl: string;
}

const day = (date: Date | undefined) => (date ? dayString(date) : null);

export function planJson(plan: Plan, baseUrl: string) {
  return {
    slug: plan.slug,
    url: `${baseUrl}${planHref(plan.slug)}`,
    title: plan.title,
    summary: plan.summary,
    organisation: plan.organisation,
    period: { start: plan.periodStart, end: plan.periodEnd },
    publishedAt: plan.publishedAt?.toISOString() ?? null,
  };
}

export function commitmentSummaryJson(c: Commitment, baseUrl: string) {
  const planned = c.milestones.filter((m) => m.number);
  return {
    number: c.number,
    url: `${baseUrl}${commitmentHref(c.planSlug, c.number)}`,
    theme: c.theme,
    title: c.title,
    leadDepartment: c.leadDepartment,
    status: c.status,
    reviewRating: c.review?.rating ?? null,
    milestones: {
      total: planned.length,
      ...Object.fromEntries(PROGRESS.map((s) => [s, planned.filter((m) => m.status === s).length])),
    },
  };
}

function indicatorJson(value: IndicatorValue) {
  const i = value.indicator;
  return {
    name: i.name,
    target: i.target,
    targetDate: day(i.targetDate),
    source: i.source,
    sector: i.source === 'rounds' ? i.sector : null,
    latest:
      i.source === 'rounds'
        ? value.latest
          ? { value: value.latest.value, text: null, date: day(value.latest.date) }
          : null
        : i.actual.en || i.actual.fr
          ? { value: null, text: i.actual, date: day(i.actualDate) }
          : null,
    series: value.series.map((p) => ({ label: p.label, value: p.value, date: day(p.date) })),
  };
}

export function updateJson(u: StatusUpdate) {
  return {
    id: u.id,
    sequence: u.seq,
    milestone: u.milestoneId ? u.milestoneNumber || null : null,
    from: u.from,
    to: u.to,
    date: dayString(u.date),
    note: u.note,
    recordedAt: u.recordedAt.toISOString(),
  };
}

/** GET /api/v1/plans, /api/v1/plans/{slug}, its commitments and their updates: published content only. */
export function commitmentsApiRouter(deps: ApiRoutesDeps): Router {
  const router = Router();
  const { commitments, baseUrl } = deps;

  router.get('/api/v1/plans', async (_req, res) => {
    const plans = await commitments.listPlans();
    res.set('Cache-Control', 'public, max-age=60');
    res.json({ data: plans.map((p) => planJson(p, baseUrl)) });
  });

  router.get('/api/v1/plans/:slug', async (req, res) => {
    const plan = await commitments.getPlan(String(req.params.slug));
    const list = await commitments.listCommitments(plan);
    res.set('Cache-Control', 'public, max-age=60');
    res.json({
      data: { ...planJson(plan, baseUrl), commitments: list.map((c) => commitmentSummaryJson(c, baseUrl)) },
    });
  });

  router.get('/api/v1/plans/:slug/commitments/:number', async (req, res) => {
    const plan = await commitments.getPlan(String(req.params.slug));
    const c = await commitments.getCommitment(plan.slug, String(req.params.number));
    const values = await indicatorValues(c, deps.shares);
    res.set('Cache-Control', 'public, max-age=60');
    res.json({
      data: {
        ...commitmentSummaryJson(c, baseUrl),
        plan: { slug: plan.slug, url: `${baseUrl}${planHref(plan.slug)}`, title: plan.title },
        summary: c.summary,
        enquiryEmail: c.enquiryEmail,
        otherActors: c.otherActors,
        plannedResult: c.plannedResult,
        description: c.description,
        review: c.review
          ? { rating: c.review.rating, note: c.review.note, reviewedAt: c.review.reviewedAt.toISOString() }
          : null,
        milestones: c.milestones.map((m) => ({
          number: m.number || null,
          text: m.text,
          status: m.status,
          startDate: day(m.startDate),
          endDate: day(m.endDate),
        })),
        indicators: values.map(indicatorJson),
        consultationIds: c.consultationIds,
        roundIds: c.roundIds,
        publishedAt: c.publishedAt?.toISOString() ?? null,
        updatesUrl: `${baseUrl}/api/v1/plans/${plan.slug}/commitments/${c.number}/updates`,
      },
    });
  });

  router.get('/api/v1/plans/:slug/commitments/:number/updates', async (req, res) => {
    const plan = await commitments.getPlan(String(req.params.slug));
    const c = await commitments.getCommitment(plan.slug, String(req.params.number));
    const updates = await commitments.listUpdates(c);
    res.set('Cache-Control', 'public, max-age=60');
    res.json({ data: updates.map(updateJson) });
  });

  return router;
}

/** Describes the endpoints in the shared OpenAPI document. */
export function registerCommitmentsApi(registry: OpenApiRegistry): void {
  const text = {
    type: 'object',
    required: ['en', 'fr'],
    properties: { en: { type: 'string' }, fr: { type: 'string' } },
  };
  const progress = { type: 'string', enum: [...PROGRESS] };
  const date = { type: ['string', 'null'], format: 'date' };
  registry.addTag('plans', 'Action plans, their commitments, milestones, key indicators and status updates.');
  registry.addSchema('PlanText', { ...text, description: 'Text in both official languages.' });
  const bilingual = { $ref: '#/components/schemas/PlanText' };
  registry.addSchema('Progress', {
    ...progress,
    description: 'The progress scale of a commitment, a milestone or an independent review.',
  });
  const status = { $ref: '#/components/schemas/Progress' };
  registry.addSchema('ActionPlan', {
    type: 'object',
    required: ['slug', 'url', 'title', 'period'],
    properties: {
      slug: { type: 'string' },
      url: { type: 'string', format: 'uri' },
      title: bilingual,
      summary: bilingual,
      organisation: bilingual,
      period: {
        type: 'object',
        properties: { start: { type: 'integer' }, end: { type: 'integer' } },
      },
      publishedAt: { type: ['string', 'null'], format: 'date-time' },
    },
  });
  const summaryProperties = {
    number: { type: 'string' },
    url: { type: 'string', format: 'uri' },
    theme: bilingual,
    title: bilingual,
    leadDepartment: bilingual,
    status,
    reviewRating: { oneOf: [status, { type: 'null' }], description: 'The independent reviewer’s rating.' },
    milestones: {
      type: 'object',
      description: 'Planned milestones counted by status.',
      properties: Object.fromEntries(['total', ...PROGRESS].map((k) => [k, { type: 'integer' }])),
    },
  };
  registry.addSchema('CommitmentSummary', {
    type: 'object',
    required: ['number', 'url', 'title', 'status'],
    properties: summaryProperties,
  });
  registry.addSchema('Commitment', {
    type: 'object',
    required: ['number', 'url', 'title', 'status', 'milestones', 'indicators'],
    properties: {
      ...summaryProperties,
      plan: {
        type: 'object',
        properties: { slug: { type: 'string' }, url: { type: 'string', format: 'uri' }, title: bilingual },
      },
      summary: bilingual,
      enquiryEmail: { type: 'string' },
      otherActors: bilingual,
      plannedResult: bilingual,
      description: { ...bilingual, description: 'Markdown source, in both languages.' },
      review: {
        type: ['object', 'null'],
        properties: { rating: status, note: bilingual, reviewedAt: { type: 'string', format: 'date-time' } },
      },
      milestones: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            number: { type: ['string', 'null'], description: 'Null for an unplanned, "other" milestone.' },
            text: bilingual,
            status,
            startDate: date,
            endDate: date,
          },
        },
      },
      indicators: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: bilingual,
            target: bilingual,
            targetDate: date,
            source: {
              type: 'string',
              enum: ['manual', 'rounds'],
              description: '`rounds`: computed live from the completed engagement rounds linked to it.',
            },
            sector: { type: ['string', 'null'] },
            latest: {
              type: ['object', 'null'],
              properties: {
                value: { type: ['number', 'null'], description: 'A share (0..1) for computed indicators.' },
                text: { oneOf: [bilingual, { type: 'null' }] },
                date: date,
              },
            },
            series: {
              type: 'array',
              items: {
                type: 'object',
                properties: { label: bilingual, value: { type: ['number', 'null'] }, date },
              },
            },
          },
        },
      },
      consultationIds: { type: 'array', items: { type: 'string' } },
      roundIds: { type: 'array', items: { type: 'string' } },
      publishedAt: { type: ['string', 'null'], format: 'date-time' },
      updatesUrl: { type: 'string', format: 'uri' },
    },
  });
  registry.addSchema('StatusUpdate', {
    type: 'object',
    required: ['id', 'sequence', 'from', 'to', 'date', 'note'],
    properties: {
      id: { type: 'string' },
      sequence: { type: 'integer' },
      milestone: {
        type: ['string', 'null'],
        description: 'Null when the update is about the overall status.',
      },
      from: status,
      to: status,
      date: { type: 'string', format: 'date' },
      note: bilingual,
      recordedAt: { type: 'string', format: 'date-time' },
    },
  });
  const problem = {
    description: 'Problem',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
  const ok = (description: string, data: Record<string, unknown>) => ({
    description,
    content: { 'application/json': { schema: { type: 'object', properties: { data } } } },
  });
  const slug = { name: 'slug', in: 'path', required: true, schema: { type: 'string' } };
  const number = { name: 'number', in: 'path', required: true, schema: { type: 'string' } };
  registry.addOperation('/api/v1/plans', 'get', {
    tags: ['plans'],
    operationId: 'listPlans',
    summary: 'Published action plans, newest period first.',
    responses: {
      '200': ok('The plans.', { type: 'array', items: { $ref: '#/components/schemas/ActionPlan' } }),
    },
  });
  registry.addOperation('/api/v1/plans/{slug}', 'get', {
    tags: ['plans'],
    operationId: 'getPlan',
    summary: 'One published plan with its published commitments.',
    parameters: [slug],
    responses: {
      '200': ok('The plan.', {
        allOf: [
          { $ref: '#/components/schemas/ActionPlan' },
          {
            type: 'object',
            properties: {
              commitments: { type: 'array', items: { $ref: '#/components/schemas/CommitmentSummary' } },
            },
          },
        ],
      }),
      '404': problem,
    },
  });
  registry.addOperation('/api/v1/plans/{slug}/commitments/{number}', 'get', {
    tags: ['plans'],
    operationId: 'getCommitment',
    summary: 'One published commitment: milestones, key indicators with their latest actual data, review.',
    parameters: [slug, number],
    responses: { '200': ok('The commitment.', { $ref: '#/components/schemas/Commitment' }), '404': problem },
  });
  registry.addOperation('/api/v1/plans/{slug}/commitments/{number}/updates', 'get', {
    tags: ['plans'],
    operationId: 'listCommitmentUpdates',
    summary: 'The dated status updates of a commitment, newest first.',
    parameters: [slug, number],
    responses: {
      '200': ok('The updates.', { type: 'array', items: { $ref: '#/components/schemas/StatusUpdate' } }),
      '404': problem,
    },
  });
}
