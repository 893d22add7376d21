import { Router } from 'express';
import { BadRequestError, NotFoundError } from '../../platform/errors';
import { markdownToText, renderMarkdown } from '../../platform/markdown';
import { parametersOf, type OpenApiRegistry } from '../../platform/http/openapi';
import { apiListQuerySchema, apiSlugParamsSchema } from './consultations.schemas';
import type { ConsultationsService } from './consultations.service';
import type { Consultation, Round } from './consultations.types';
import type { ReportsService } from './reports.service';
import { THEMES } from './themes';

export interface ApiRoutesDeps {
  consultations: ConsultationsService;
  reports: ReportsService;
  baseUrl: string;
}

/**
 * Rendering and sanitising a description costs about a millisecond; a page of the listing has up to 100 of them in
 * two languages and they rarely change, so the results are kept for the most recent sources (a pure function of
 * the source, so nothing can go stale).
 */
const RENDER_CACHE_SIZE = 200;
const rendered = new Map<string, { html: string; text: string }>();

function renderedBody(source: string): { html: string; text: string } {
  let result = rendered.get(source);
  if (!result) {
    result = { html: renderMarkdown(source), text: markdownToText(source) };
    if (rendered.size >= RENDER_CACHE_SIZE) rendered.delete(rendered.keys().next().value as string);
    rendered.set(source, result);
  }
  return result;
}

function toJson(c: Consultation, round: Round | undefined, reportDate: Date | undefined, baseUrl: string) {
  const url = `${baseUrl}/consultations/${c.slug}`;
  return {
    id: c.id,
    slug: c.slug,
    url,
    round: round ? { slug: round.slug, title: round.title, url: `${baseUrl}/rounds/${round.slug}` } : null,
    title: c.title,
    summary: c.summary,
    // Never the Markdown source: raw HTML in it (an <iframe srcdoc>, a javascript: link) would reach every client
    // that renders it. The same sanitised HTML the consultation page shows, and its plain text.
    body: { en: renderedBody(c.body.en).html, fr: renderedBody(c.body.fr).html },
    bodyText: { en: renderedBody(c.body.en).text, fr: renderedBody(c.body.fr).text },
    themes: c.themes,
    leadOrganisation: c.leadOrganisation,
    contactEmail: c.contactEmail,
    status: c.status,
    opensAt: c.opensAt.toISOString(),
    closesAt: c.closesAt.toISOString(),
    publishedAt: c.publishedAt?.toISOString() ?? null,
    report: reportDate ? { url: `${url}/report`, publishedAt: reportDate.toISOString() } : null,
  };
}

/** GET /api/v1/consultations and /api/v1/consultations/:slug : published content only, for anyone. */
export function consultationsApiRouter(deps: ApiRoutesDeps): Router {
  const router = Router();

  async function roundsById() {
    return new Map((await deps.consultations.listRounds()).map((r) => [r.id, r]));
  }

  router.get('/api/v1/consultations', async (req, res) => {
    const parsed = apiListQuerySchema.safeParse(req.query);
    if (!parsed.success) {
      const name = String(parsed.error.issues[0]?.path[0] ?? 'query');
      throw new BadRequestError({ key: 'consultations:api.badParameter', values: { name } });
    }
    const query = parsed.data;
    const rounds = await roundsById();
    const round = query.round ? [...rounds.values()].find((r) => r.slug === query.round) : undefined;
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const result =
      query.round && !round
        ? { items: [], total: 0, page, pageSize, pageCount: 0 }
        : await deps.consultations.listConsultations({
            status: query.status,
            theme: query.theme,
            roundId: round?.id,
            q: query.q,
            locale: query.lang ?? 'en',
            page,
            pageSize,
          });
    const reportDates = await deps.reports.publishedDates(result.items.map((c) => c.id));
    const link = (n: number) => {
      const params = new URLSearchParams(
        Object.entries({ ...query, page: n, pageSize }).flatMap(([k, v]): [string, string][] =>
          v === undefined ? [] : [[k, String(v)]],
        ),
      );
      return `${deps.baseUrl}/api/v1/consultations?${params.toString()}`;
    };
    res.set('Cache-Control', 'public, max-age=60');
    res.json({
      data: result.items.map((c) => toJson(c, rounds.get(c.roundId), reportDates.get(c.id), deps.baseUrl)),
      meta: {
        page: result.page,
        pageSize: result.pageSize,
        total: result.total,
        pageCount: result.pageCount,
      },
      links: {
        self: link(result.page),
        next: result.page < result.pageCount ? link(result.page + 1) : null,
        prev: result.page > 1 ? link(result.page - 1) : null,
      },
    });
  });

  router.get('/api/v1/consultations/:slug', async (req, res) => {
    const params = apiSlugParamsSchema.safeParse(req.params);
    if (!params.success) throw new NotFoundError();
    const consultation = await deps.consultations.getConsultationBySlug(params.data.slug);
    const rounds = await roundsById();
    const round = rounds.get(consultation.roundId);
    if (!round) throw new NotFoundError();
    const reportDates = await deps.reports.publishedDates([consultation.id]);
    res.set('Cache-Control', 'public, max-age=60');
    res.json({ data: toJson(consultation, round, reportDates.get(consultation.id), deps.baseUrl) });
  });

  return router;
}

/** Describes the two endpoints in the shared OpenAPI document. */
export function registerConsultationsApi(registry: OpenApiRegistry): void {
  const bilingual = { $ref: '#/components/schemas/BilingualText' };
  registry.addTag('consultations', 'Published consultations and their engagement rounds.');
  registry.addSchema('BilingualText', {
    type: 'object',
    required: ['en', 'fr'],
    properties: { en: { type: 'string' }, fr: { type: 'string' } },
  });
  registry.addSchema('Consultation', {
    type: 'object',
    required: ['id', 'slug', 'url', 'title', 'summary', 'status', 'opensAt', 'closesAt'],
    properties: {
      id: { type: 'string' },
      slug: { type: 'string' },
      url: { type: 'string', format: 'uri' },
      round: {
        type: ['object', 'null'],
        properties: { slug: { type: 'string' }, title: bilingual, url: { type: 'string', format: 'uri' } },
      },
      title: bilingual,
      summary: bilingual,
      body: {
        ...bilingual,
        description:
          'The description as sanitised HTML, exactly as the consultation page shows it: headings, paragraphs, lists, tables, emphasis, code and links (http, https and mailto only); no scripts, frames, images, styles or event attributes.',
      },
      bodyText: { ...bilingual, description: 'The same description as plain text.' },
      themes: { type: 'array', items: { type: 'string', enum: [...THEMES] } },
      leadOrganisation: bilingual,
      contactEmail: { type: 'string' },
      status: {
        type: 'string',
        enum: ['upcoming', 'open', 'closed', 'archived'],
        description: 'Computed from the dates at the time of the request.',
      },
      opensAt: { type: 'string', format: 'date-time' },
      closesAt: { type: 'string', format: 'date-time' },
      publishedAt: { type: ['string', 'null'], format: 'date-time' },
      report: {
        type: ['object', 'null'],
        description: 'The "what we heard" report, once published.',
        properties: {
          url: { type: 'string', format: 'uri' },
          publishedAt: { type: 'string', format: 'date-time' },
        },
      },
    },
  });
  const problem = {
    description: 'Problem',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
  registry.addOperation('/api/v1/consultations', 'get', {
    tags: ['consultations'],
    operationId: 'listConsultations',
    summary: 'Published consultations, newest opening first, with the filters of the public listing.',
    // Generated from the zod schema the route validates the query with.
    parameters: parametersOf(apiListQuerySchema, 'query'),
    responses: {
      '200': {
        description: 'A page of consultations.',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                data: { type: 'array', items: { $ref: '#/components/schemas/Consultation' } },
                meta: {
                  type: 'object',
                  properties: {
                    page: { type: 'integer' },
                    pageSize: { type: 'integer' },
                    total: { type: 'integer' },
                    pageCount: { type: 'integer' },
                  },
                },
                links: {
                  type: 'object',
                  properties: {
                    self: { type: 'string' },
                    next: { type: ['string', 'null'] },
                    prev: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
        },
      },
      '400': problem,
    },
  });
  registry.addOperation('/api/v1/consultations/{slug}', 'get', {
    tags: ['consultations'],
    operationId: 'getConsultation',
    summary: 'One published consultation.',
    parameters: parametersOf(apiSlugParamsSchema, 'path'),
    responses: {
      '200': {
        description: 'The consultation.',
        content: {
          'application/json': {
            schema: { type: 'object', properties: { data: { $ref: '#/components/schemas/Consultation' } } },
          },
        },
      },
      '404': problem,
    },
  });
}
