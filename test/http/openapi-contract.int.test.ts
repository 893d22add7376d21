import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020 from 'ajv/dist/2020';
import request from 'supertest';
import { apiListQuerySchema } from '../../src/modules/consultations/consultations.schemas';
import { trendQuerySchema } from '../../src/modules/participation/participation.schemas';
import { responseBody } from '../../src/modules/surveys/surveys-api.routes';
import { parametersOf, requestSchema } from '../../src/platform/http/openapi';
import { buildTestApp, type TestApp } from '../support/app';
import { createSurvey } from '../support/factories/surveys';

/**
 * The OpenAPI document is valid for standard tools (swagger-parser), and real responses of the API match it. For
 * the check, every object schema that lists its properties is closed (additionalProperties: false), so a field
 * the API returns without documenting it fails the test.
 */

type Json = Record<string, unknown>;

function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) out[k] = closeObjects(v);
  if (out.properties && typeof out.properties === 'object' && !('additionalProperties' in out))
    out.additionalProperties = false;
  return out;
}

const pointer = (...parts: string[]) =>
  parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

describe('OpenAPI document and real responses', () => {
  let ctx: TestApp;
  let doc: Json;
  let ajv: Ajv2020;
  let surveyId: string;

  beforeAll(async () => {
    ctx = await buildTestApp();
    const { survey, consultation } = await createSurvey(ctx, {
      consultation: { round: { slug: 'contract-round' }, consultation: { slug: 'contract-consultation' } },
    });
    surveyId = survey.id;
    const round = await ctx.composition.consultations.consultations.getRoundBySlug('contract-round');
    for (let i = 0; i < 7; i++)
      await ctx.composition.participation.participation.recordSubmission({
        responseId: `contract-${i}`,
        roundId: round.id,
        consultationId: consultation.id,
        surveyId,
        respondentKey: `anon:contract${i}`,
        sector: i < 2 ? 'academia' : 'civil_society',
        region: 'ON',
        locale: 'en',
        channel: 'open',
        submittedAt: new Date(),
      });
    await ctx.composition.participation.indicators.create(
      {
        slug: 'contract-share',
        nameEn: 'Share',
        nameFr: 'Part',
        kind: 'sector_share',
        sector: 'civil_society',
        baselineValue: '8',
        baselineDate: '2016-12-01',
        targetValue: '25',
        targetDate: '2020-06-30',
        published: 'on',
      },
      { id: 'a', email: 'a@example.ca', name: 'Analyst', roles: ['analyst'], locale: 'en', profile: {} },
    );
    doc = (await request(ctx.app).get('/api/v1/openapi.json')).body as Json;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/);
    ajv.addFormat('uri', /^https?:\/\/\S+$/);
    ajv.addSchema({ ...(closeObjects(doc) as Json), $id: 'openapi.json' });
  }, 60_000);
  afterAll(() => ctx.close());

  it('when swagger-parser validates the whole document, then it finds no error and every $ref resolves', async () => {
    const api = await SwaggerParser.validate(structuredClone(doc) as never);
    expect((api as { openapi?: string }).openapi).toBe('3.1.0');
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(5);
  });

  it('when redocly lint checks the document the app serves, then it reports no error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agora-openapi-'));
    const file = path.join(dir, 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(doc, null, 2));
    const cli = require.resolve('@redocly/cli/bin/cli.js');
    // redocly exits 1 when it finds errors; its JSON report is on stdout either way.
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'lint', file, '--format=json'], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 10_000_000,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    fs.rmSync(dir, { recursive: true, force: true });
    const report = JSON.parse(stdout) as {
      totals: { errors: number };
      problems: { ruleId: string; severity: string; message: string }[];
    };
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.totals.errors).toBe(0);
  }, 120_000);

  it('when the request parts are documented, then they are the zod schemas the routes validate with', () => {
    const paths = doc.paths as Record<string, Record<string, { parameters?: unknown[] }>>;
    const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
    expect(schemas.ResponseInput).toEqual(requestSchema(responseBody));
    expect(paths['/api/v1/consultations']?.get?.parameters).toEqual(
      parametersOf(apiListQuerySchema, 'query'),
    );
    expect(paths['/api/v1/participation/trend']?.get?.parameters).toEqual(
      parametersOf(trendQuerySchema, 'query'),
    );
  });

  it.each([
    ['/api/v1/consultations?theme=pirates', 400],
    ['/api/v1/consultations?pageSize=101', 400],
    ['/api/v1/participation/trend?sector=pirates', 400],
  ])(
    'when %s breaks the documented parameters, then the route refuses it (%i problem)',
    async (url, status) => {
      const res = await request(ctx.app).get(url);
      expect(res.status).toBe(status);
      const validate = ajv.getSchema('openapi.json#/components/schemas/Problem');
      expect(validate?.(res.body)).toBe(true);
    },
  );

  it('when a response is submitted, replayed and then the key reused with another body, then 201, 201 and 422 match the documented schemas', async () => {
    const post = (body: object) =>
      request(ctx.app)
        .post(`/api/v1/surveys/${surveyId}/responses`)
        .set('Idempotency-Key', 'contract-key-0001')
        .send(body);
    const body = {
      answers: { likes: 'no', change: 'More trains', score: 5 },
      sector: 'academia',
      region: 'ON',
    };
    const operation = pointer('paths', '/api/v1/surveys/{surveyId}/responses', 'post');
    const validateRequest = ajv.getSchema(
      `openapi.json#/${operation}/requestBody/content/application~1json/schema`,
    );
    expect(validateRequest?.(body)).toBe(true);
    const created = ajv.getSchema(
      `openapi.json#/${operation}/responses/201/content/application~1json/schema`,
    );
    const first = await post(body);
    expect(first.status).toBe(201);
    expect({ valid: created?.(first.body), errors: created?.errors ?? [] }).toEqual({
      valid: true,
      errors: [],
    });
    const replay = await post(body);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    const other = await post({ ...body, answers: { ...body.answers, score: 4 } });
    expect(other.status).toBe(422);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = ajv.getSchema(
      `openapi.json#/${operation}/responses/422/content/application~1problem+json/schema`,
    );
    expect(problem?.(other.body)).toBe(true);
  });

  it.each([
    ['/api/v1/consultations', '/api/v1/consultations'],
    ['/api/v1/consultations/contract-consultation', '/api/v1/consultations/{slug}'],
    ['/api/v1/rounds', '/api/v1/rounds'],
    ['/api/v1/rounds/contract-round/participation', '/api/v1/rounds/{slug}/participation'],
    ['/api/v1/participation/trend?sector=civil_society', '/api/v1/participation/trend'],
    ['/api/v1/indicators', '/api/v1/indicators'],
    ['SURVEY', '/api/v1/surveys/{surveyId}'],
  ])('when GET %s answers, then the body matches its documented schema', async (url, path) => {
    const res = await request(ctx.app).get(url === 'SURVEY' ? `/api/v1/surveys/${surveyId}` : url);
    expect(res.status).toBe(200);
    const validate = ajv.getSchema(
      `openapi.json#/${pointer('paths', path, 'get', 'responses', '200', 'content', 'application/json', 'schema')}`,
    );
    expect(validate).toBeDefined();
    const valid = validate?.(res.body);
    expect({ url, errors: valid ? [] : validate?.errors }).toEqual({ url, errors: [] });
  });

  it('when an error is answered, then it matches the Problem schema', async () => {
    const res = await request(ctx.app).get('/api/v1/rounds/no-such-round/participation');
    expect(res.status).toBe(404);
    const validate = ajv.getSchema('openapi.json#/components/schemas/Problem');
    expect(validate?.(res.body)).toBe(true);
  });
});
