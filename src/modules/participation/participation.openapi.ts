import { parametersOf, type OpenApiRegistry } from '../../platform/http/openapi';
import { roundPathSchema, trendQuerySchema } from './participation.schemas';
import { REGION_CATEGORIES, SECTOR_CATEGORIES } from '../../platform/classifications';

/** Describes the participation API (routes in participation.routes.ts) in the shared OpenAPI document. */
export function registerParticipationOpenApi(registry: OpenApiRegistry): void {
  const problem = (description: string) => ({
    description,
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  });
  const json = (schema: object, description: string) => ({
    description,
    content: { 'application/json': { schema } },
  });
  const bilingual = { type: 'object', properties: { en: { type: 'string' }, fr: { type: 'string' } } };
  const point = {
    value: { type: ['number', 'null'] },
    date: { type: 'string', format: 'date' },
    label: bilingual,
  };
  const cell = (name: string, keys: readonly string[]) => ({
    type: 'object',
    required: [name, 'count', 'share'],
    properties: {
      [name]: { type: 'string', enum: [...keys] },
      count: { type: ['integer', 'null'], description: 'Participants; null when suppressed for the public.' },
      share: {
        type: ['number', 'null'],
        minimum: 0,
        maximum: 1,
        description: 'count / participants of the round.',
      },
      shareOfAnswered: {
        type: ['number', 'null'],
        description:
          'Share among those who answered (prefer not to say and not asked left out); null for those, for hidden cells, and for every cell when publishing it would reveal how the hidden counts split between answers and non-answers.',
      },
    },
  });

  registry.addTag('participation', 'Who took part in each round of engagement, and the key indicators.');
  registry.addSchema('RoundParticipation', {
    type: 'object',
    required: ['round', 'participants', 'bySector', 'byRegion', 'byLanguage'],
    properties: {
      round: { type: 'string', description: 'The round slug.' },
      participants: {
        type: ['integer', 'null'],
        description:
          'Distinct participants; null (with every cell) when under the suppression threshold or when a breakdown could not otherwise be protected.',
      },
      responses: { type: ['integer', 'null'] },
      suppressed: { type: 'boolean', description: 'True for public callers: small counts are null.' },
      suppressionThreshold: { type: ['integer', 'null'] },
      bySector: { type: 'array', items: cell('sector', SECTOR_CATEGORIES) },
      byRegion: { type: 'array', items: cell('region', REGION_CATEGORIES) },
      byLanguage: { type: 'array', items: cell('language', ['en', 'fr']) },
      byChannel: { type: 'array', items: cell('channel', ['open', 'invited']) },
    },
  });

  registry.addOperation('/api/v1/rounds', 'get', {
    operationId: 'listRounds',
    tags: ['participation'],
    summary: 'Published rounds of engagement, oldest first.',
    responses: {
      200: json(
        {
          type: 'object',
          properties: {
            rounds: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  slug: { type: 'string' },
                  title: bilingual,
                  startsOn: { type: 'string', format: 'date' },
                  endsOn: { type: 'string', format: 'date' },
                  status: { type: 'string', enum: ['active', 'completed'] },
                  completedOn: {
                    type: ['string', 'null'],
                    format: 'date',
                    description:
                      'For a completed round: the day it was completed. Its figures are frozen as of that day and never change unless an officer reopens it.',
                  },
                  reopenings: {
                    type: 'array',
                    description:
                      'Each time an officer reopened the round after completing it, with their reason.',
                    items: {
                      type: 'object',
                      properties: { on: { type: 'string', format: 'date' }, reason: { type: 'string' } },
                    },
                  },
                  participation: { type: 'string', description: 'Path of the round’s participation.' },
                },
              },
            },
          },
        },
        'The rounds.',
      ),
    },
  });
  registry.addOperation('/api/v1/rounds/{slug}/participation', 'get', {
    operationId: 'getRoundParticipation',
    tags: ['participation'],
    summary: 'Who took part in a round, by sector, region, language and channel.',
    parameters: parametersOf(roundPathSchema, 'path'),
    responses: {
      200: json({ $ref: '#/components/schemas/RoundParticipation' }, 'The breakdowns.'),
      404: problem('No published round has this slug.'),
    },
  });
  registry.addOperation('/api/v1/participation/trend', 'get', {
    operationId: 'getParticipationTrend',
    tags: ['participation'],
    summary: "A sector's share of participants, round by round.",
    parameters: parametersOf(trendQuerySchema, 'query'),
    responses: {
      200: json(
        {
          type: 'object',
          properties: {
            sector: { type: 'string' },
            rounds: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  round: { type: 'string' },
                  title: bilingual,
                  participants: { type: ['integer', 'null'] },
                  count: { type: ['integer', 'null'] },
                  share: { type: ['number', 'null'] },
                  shareOfAnswered: { type: ['number', 'null'] },
                },
              },
            },
          },
        },
        'One entry per round, oldest first.',
      ),
      400: problem('Unknown sector.'),
    },
  });
  registry.addOperation('/api/v1/indicators', 'get', {
    operationId: 'listIndicators',
    tags: ['participation'],
    summary: 'Key indicators with baseline, target, latest actual data and series.',
    responses: {
      200: json(
        {
          type: 'object',
          properties: {
            indicators: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  slug: { type: 'string' },
                  name: bilingual,
                  description: bilingual,
                  unit: {
                    type: 'string',
                    enum: ['percent', 'number'],
                    description: 'Percent values are fractions (0.2 = 20%).',
                  },
                  kind: { type: 'string', enum: ['sector_share', 'participants', 'manual'] },
                  sector: {
                    type: 'string',
                    enum: [...SECTOR_CATEGORIES],
                    description: 'For sector_share indicators: the sector whose share is measured.',
                  },
                  baseline: {
                    type: ['object', 'null'],
                    properties: { value: { type: 'number' }, date: { type: 'string', format: 'date' } },
                  },
                  target: {
                    type: 'object',
                    properties: { value: { type: 'number' }, date: { type: 'string', format: 'date' } },
                  },
                  latest: {
                    type: ['object', 'null'],
                    description: 'The latest actual data: the last point of the series.',
                    properties: point,
                  },
                  series: {
                    type: 'array',
                    description:
                      'One point per completed round (computed kinds), or per data point (manual).',
                    items: { type: 'object', properties: point },
                  },
                },
              },
            },
          },
        },
        'The published indicators.',
      ),
    },
  });
}
