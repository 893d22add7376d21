import crypto from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { REGIONS, SECTORS } from '../../platform/classifications';
import { BadRequestError, NotFoundError } from '../../platform/errors';
import {
  parametersOf,
  requestSchema,
  type OpenApiObject,
  type OpenApiRegistry,
} from '../../platform/http/openapi';
import type { RateLimiter } from '../../platform/http/rate-limit';
import { ANON_SUBMIT_FLAG_AFTER, consumeAnonymous, SURVEY_RATE_LIMITS } from './rate-limits';
import type { FloodGuard, ResponseFlag } from './flood-guard';
import type { Respondent, SurveysService } from './surveys.service';

const idParam = z.string().regex(/^[a-f0-9]{24}$/);
/** An Idempotency-Key: a client-chosen id of the submission (a UUID is ideal). */
const idempotencyKey = z.string().regex(/^[A-Za-z0-9_.:-]{8,200}$/);
/** The path and header parameters, as documented (generated from the same schemas as the checks above). */
const surveyPath = z.object({ surveyId: idParam });
const submissionHeaders = z.object({
  'Idempotency-Key': idempotencyKey.meta({
    description:
      'A client-chosen id of this submission (a UUID is ideal); the same key with the same body is a replay.',
  }),
});

/**
 * What a client may send, and nothing else: the server sets the submission time, status, version and respondent,
 * so a body that tries to (`submittedAt`, `status`, `respondentKey`...) is refused, not silently cleaned.
 */
export const responseBody = z
  .object({
    answers: z.record(z.string().max(100), z.unknown()).meta({
      description:
        'Keyed by question id. single_choice/dropdown: option id (or "other"); multiple_choice: option ids; short_text/long_text/email: string; date: "YYYY-MM-DD"; number, rating: number; matrix: { rowId: scale option id }; ranking: all option ids, most important first.',
    }),
    otherText: z
      .record(z.string().max(100), z.unknown())
      .optional()
      .meta({ description: 'The text of "other", by question id.' }),
    sector: z.unknown().optional().meta({
      description:
        'A sector key (see selfIdentification.sectors); required when the survey has self-identification.',
    }),
    region: z.unknown().optional().meta({
      description:
        'A region key (see selfIdentification.regions); required when the survey has self-identification.',
    }),
    organisation: z.unknown().optional().meta({ description: 'The organisation, as text.' }),
  })
  .strict();

/** A 400 that names what is wrong in the body: the fields not accepted, or the first field of the wrong shape. */
function bodyProblem(error: z.ZodError): BadRequestError {
  const unknown = error.issues.flatMap((issue) => (issue.code === 'unrecognized_keys' ? issue.keys : []));
  if (unknown.length > 0) {
    // Echoed back, so kept short: the first ten names, each cut to 60 characters.
    const names = unknown.slice(0, 10).map((name) => (name.length > 60 ? `${name.slice(0, 60)}…` : name));
    return new BadRequestError({ key: 'surveys:api.unknownFields', values: { names: names.join(', ') } });
  }
  const field = error.issues[0]?.path[0];
  return field === undefined
    ? new BadRequestError({ key: 'surveys:api.body' })
    : new BadRequestError({ key: 'surveys:api.badField', values: { name: String(field) } });
}

/** The JSON API of surveys: the published definition, and submitting a whole response in one request. */
export function surveysApiRouter(surveys: SurveysService, limiter: RateLimiter, flood?: FloodGuard): Router {
  const router = Router();

  /** GET /api/v1/surveys/:surveyId */
  router.get('/api/v1/surveys/:surveyId', async (req, res) => {
    const surveyId = idParam.safeParse(req.params.surveyId);
    if (!surveyId.success) throw new NotFoundError();
    // A draft survey, or any survey of a draft consultation, is a 404 like an unknown id.
    const { survey } = await surveys.getPublicSurvey(surveyId.data);
    const { settings } = survey;
    res.json({
      id: survey.id,
      consultationId: survey.consultationId,
      status: survey.status,
      version: survey.version,
      title: survey.definition.title,
      description: survey.definition.description ?? null,
      sections: survey.definition.sections,
      settings: {
        audience: settings.audience,
        onePerRespondent: settings.onePerRespondent,
        opensAt: settings.opensAt,
        closesAt: settings.closesAt,
        anonymous: settings.anonymous,
      },
      selfIdentification: settings.selfIdentification
        ? {
            sectors: SECTORS,
            regions: REGIONS,
            organisation: settings.askOrganisation && !settings.anonymous,
          }
        : null,
    });
  });

  /** POST /api/v1/surveys/:surveyId/responses (Idempotency-Key header) */
  router.post('/api/v1/surveys/:surveyId/responses', async (req, res) => {
    // Counted first: over the limit, nothing is stored (429 problem+json with Retry-After).
    await limiter.consume(SURVEY_RATE_LIMITS.apiResponseAddress, req.ip ?? 'unknown');
    const surveyId = idParam.safeParse(req.params.surveyId);
    if (!surveyId.success) throw new NotFoundError();
    const key = idempotencyKey.safeParse(req.get('idempotency-key'));
    if (!key.success) throw new BadRequestError({ key: 'surveys:api.idempotencyKey' });
    const body = responseBody.safeParse(req.body);
    if (!body.success) throw bodyProblem(body.error);
    // Without a signed-in user the request itself is the respondent: the same key is the same respondent, so a
    // retried request is recognised, and a one-response-per-respondent survey stays exact.
    const respondent: Respondent = req.user
      ? { key: `user:${req.user.id}`, userId: req.user.id, email: req.user.email, locale: req.locale }
      : {
          key: `anon:api-${crypto.createHash('sha256').update(`${surveyId.data}:${key.data}`).digest('base64url')}`,
          locale: req.locale,
        };
    // Anonymous submissions are limited per address, and flagged while the survey is under a flood (an API client
    // cannot answer the web's challenge) or when one too many came from this address.
    let flag: ResponseFlag | undefined;
    if (!req.user && flood) {
      const address = req.ip ?? 'unknown';
      const { perSurvey } = await consumeAnonymous(
        limiter,
        surveyId.data,
        address,
        'surveys:flood.tooManyApi',
      );
      const { flooded } = await flood.record(surveyId.data);
      if (flooded) flag = flood.flag('flood', 'api', address);
      else if (perSurvey > ANON_SUBMIT_FLAG_AFTER) flag = flood.flag('address', 'api', address);
    }
    const { response, replayed } = await surveys.submitComplete({
      surveyId: surveyId.data,
      respondent,
      idempotencyKey: key.data,
      ...body.data,
      ...(flag ? { flag } : {}),
    });
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(201).location(`/api/v1/surveys/${surveyId.data}/responses/${response.id}`).json({
      id: response.id,
      surveyId: response.surveyId,
      surveyVersion: response.surveyVersion,
      status: response.status,
      submittedAt: response.submittedAt,
    });
  });

  return router;
}

/** The API's paths, for /api/v1/openapi.json. */
export function registerSurveysOpenApi(registry: OpenApiRegistry): void {
  const problem = (description: string) => ({
    description,
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  });
  const [surveyIdParam] = parametersOf(surveyPath, 'path');
  const schemas: Record<string, OpenApiObject> = {
    Localized: {
      type: 'object',
      properties: { en: { type: 'string' }, fr: { type: 'string' } },
      required: ['en', 'fr'],
    },
    SurveyDefinition: {
      type: 'object',
      description:
        'A published survey. Sections are pages; each question has a stable id and one of eleven types: single_choice, multiple_choice, dropdown, short_text, long_text, number, date, email, rating, matrix, ranking. showIf: { questionId, operator: equals | contains | one_of, values }.',
      properties: {
        id: { type: 'string' },
        consultationId: { type: 'string' },
        status: { type: 'string', enum: ['published', 'closed'] },
        version: { type: 'integer' },
        title: { $ref: '#/components/schemas/Localized' },
        description: {
          description: 'The introduction shown before the first page, when the survey has one.',
          anyOf: [{ $ref: '#/components/schemas/Localized' }, { type: 'null' }],
        },
        sections: { type: 'array', items: { type: 'object' } },
        settings: {
          type: 'object',
          properties: {
            audience: {
              type: 'string',
              description: 'Who may answer (open to all, signed-in, by invitation).',
            },
            onePerRespondent: { type: 'boolean' },
            opensAt: { type: ['string', 'null'], format: 'date-time' },
            closesAt: { type: ['string', 'null'], format: 'date-time' },
            anonymous: { type: 'boolean' },
          },
        },
        selfIdentification: {
          type: ['object', 'null'],
          properties: {
            sectors: { type: 'array', items: { type: 'string' } },
            regions: { type: 'array', items: { type: 'string' } },
            organisation: { type: 'boolean' },
          },
        },
      },
    },
    // Generated from the zod schema that validates the body (one source for the check and the document).
    ResponseInput: requestSchema(responseBody),
    ResponseCreated: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        surveyId: { type: 'string' },
        surveyVersion: { type: 'integer' },
        status: { type: 'string', enum: ['submitted'] },
        submittedAt: { type: 'string', format: 'date-time' },
      },
    },
  };
  for (const [name, schema] of Object.entries(schemas)) registry.addSchema(name, schema);
  registry.addTag('Surveys', 'Published survey definitions and submitting responses.');
  const paths: Record<string, Partial<Record<'get' | 'post', OpenApiObject>>> = {
    '/api/v1/surveys/{surveyId}': {
      get: {
        operationId: 'getSurvey',
        summary: 'A published survey definition',
        parameters: [surveyIdParam],
        responses: {
          200: {
            description: 'The definition',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/SurveyDefinition' } } },
          },
          404: problem('No such published survey'),
        },
      },
    },
    '/api/v1/surveys/{surveyId}/responses': {
      post: {
        operationId: 'submitResponse',
        summary: 'Submit a complete response',
        description:
          'Sending the same Idempotency-Key with the same body again returns the same response (201, header Idempotent-Replayed: true) without storing a second one; the same key with a different body is refused (422). No session: no CSRF token is needed.',
        parameters: [surveyIdParam, ...parametersOf(submissionHeaders, 'header')],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ResponseInput' } } },
        },
        responses: {
          201: {
            description: 'Stored',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ResponseCreated' } } },
          },
          400: problem(
            'Missing Idempotency-Key, malformed body, or a field that is not accepted (only answers, otherText, sector, region and organisation are; the detail names the others)',
          ),
          401: problem('The survey is for signed-in participants'),
          403: problem('The survey is by invitation only, or not open yet'),
          404: problem('No such published survey'),
          409: problem('This respondent has already answered'),
          410: problem('The survey is closed'),
          422: problem(
            'Invalid answers (`errors` lists each question id with its message), or the Idempotency-Key reused with a different request',
          ),
          429: problem('Too many responses from this address; retry after the Retry-After header'),
        },
      },
    },
  };
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations) as ['get' | 'post', OpenApiObject][]) {
      registry.addOperation(path, method, { tags: ['Surveys'], ...operation });
    }
  }
}
