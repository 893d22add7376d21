import request from 'supertest';
import type { SubmissionRecord } from '../../src/modules/participation';
import { buildTestApp, testConfig, type TestApp } from '../support/app';
import {
  FACTORY_OFFICER,
  completeRoundAt,
  consultationsServiceFor,
  roundInput,
} from '../support/factories/consultations';
import { parseCsv } from '../support/csv';

/** The open data, discoverable by machines: Frictionless Data Package, DCAT catalogue, licence link, dictionary. */

const text = (r: request.Request) =>
  r.buffer(true).parse((res, cb) => {
    let data = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (data += c));
    res.on('end', () => cb(null, data));
  });

interface Field {
  name: string;
  type: string;
  description?: string;
  constraints?: { required?: boolean; enum?: string[]; minimum?: number; maximum?: number; pattern?: string };
}

/** Does a CSV cell hold a value of the field's Table Schema type and constraints ("" is the missing value)? */
function cellProblem(field: Field, value: string): string | undefined {
  if (value === '') return field.constraints?.required ? 'required' : undefined;
  const c = field.constraints ?? {};
  let n: number | undefined;
  if (field.type === 'integer') {
    if (!/^-?\d+$/.test(value)) return 'not an integer';
    n = Number(value);
  } else if (field.type === 'number') {
    if (!/^-?\d+(\.\d+)?$/.test(value)) return 'not a number';
    n = Number(value);
  } else if (field.type !== 'string') return `unexpected type ${field.type}`;
  if (n !== undefined && c.minimum !== undefined && n < c.minimum) return 'below minimum';
  if (n !== undefined && c.maximum !== undefined && n > c.maximum) return 'above maximum';
  if (c.enum && !c.enum.includes(value)) return 'not in enum';
  if (c.pattern && !new RegExp(`^(?:${c.pattern})$`).test(value)) return 'does not match pattern';
  return undefined;
}

const FRICTIONLESS_TYPES = [
  'string',
  'number',
  'integer',
  'boolean',
  'date',
  'datetime',
  'year',
  'object',
  'array',
];

describe('open data for machines', () => {
  let ctx: TestApp;

  beforeAll(async () => {
    ctx = await buildTestApp();
    const consultations = await consultationsServiceFor(ctx);
    const round = await consultations.createRound(
      roundInput({
        slug: 'open-2018',
        title: { en: 'Round "2018", part one', fr: 'Cycle « 2018 », première partie' },
        startsOn: new Date(Date.UTC(2018, 2, 1)),
        endsOn: new Date(Date.UTC(2018, 11, 15)),
        status: 'active',
      }),
      FACTORY_OFFICER,
    );
    const sectors: SubmissionRecord['sector'][] = ['civil_society', 'academia', 'individual'];
    for (let i = 0; i < 30; i++)
      await ctx.composition.participation.participation.recordSubmission({
        responseId: `open-${i}`,
        roundId: round.id,
        consultationId: 'c-open',
        surveyId: 's-open',
        respondentKey: `anon:open${i}`,
        sector: i < 2 ? 'government' : (sectors[i % 3] as SubmissionRecord['sector']),
        region: i % 2 ? 'ON' : 'QC',
        locale: i % 2 ? 'en' : 'fr',
        channel: 'open',
        submittedAt: new Date(Date.UTC(2018, 4, 1, 0, i)),
      });
    await completeRoundAt(ctx, round.id, new Date(Date.UTC(2018, 11, 15)));
  }, 60_000);
  afterAll(() => ctx.close());

  it('when datapackage.json is read, then it has the required Frictionless fields and a Table Schema per table', async () => {
    const res = await request(ctx.app).get('/open-data/datapackage.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const pkg = res.body;
    expect(pkg).toMatchObject({ profile: 'tabular-data-package', name: 'agora-participation' });
    expect(pkg.name).toMatch(/^[a-z0-9._-]+$/);
    expect(pkg.licenses).toEqual([
      expect.objectContaining({
        name: 'OGL-Canada-2.0',
        path: 'https://open.canada.ca/en/open-government-licence-canada',
        title: 'Open Government Licence – Canada',
      }),
    ]);
    expect(pkg.resources.map((r: { name: string }) => r.name)).toEqual(['participation', 'data-dictionary']);
    for (const resource of pkg.resources) {
      expect(resource).toMatchObject({
        profile: 'tabular-data-resource',
        format: 'csv',
        mediatype: 'text/csv',
      });
      expect(resource.name).toMatch(/^[a-z0-9._-]+$/);
      expect(resource.path).toMatch(/^http:\/\/agora\.test\/open-data\/[a-z-]+\.csv$/);
      expect(resource.schema.fields.length).toBeGreaterThan(0);
      for (const field of resource.schema.fields as Field[]) {
        expect(field.name).toMatch(/^[a-z_]+$/);
        expect(FRICTIONLESS_TYPES).toContain(field.type);
      }
      for (const key of resource.schema.primaryKey as string[])
        expect(resource.schema.fields.map((f: Field) => f.name)).toContain(key);
    }
  });

  it('when each resource of the package is downloaded, then its columns are the schema fields and every cell fits its type', async () => {
    const pkg = (await request(ctx.app).get('/open-data/datapackage.json')).body;
    for (const resource of pkg.resources as {
      path: string;
      schema: { fields: Field[]; primaryKey: string[] };
    }[]) {
      const path = new URL(resource.path).pathname;
      const res = await text(request(ctx.app).get(path));
      expect(res.status).toBe(200);
      const [header, ...rows] = parseCsv(res.body as string);
      const fields = resource.schema.fields;
      expect(header).toEqual(fields.map((f) => f.name));
      expect(rows.length).toBeGreaterThan(3);
      const keys = new Set<string>();
      for (const row of rows) {
        expect(row).toHaveLength(fields.length);
        const problems = fields
          .map((f, i) => [f.name, cellProblem(f, row[i] as string)])
          .filter(([, p]) => p !== undefined);
        expect({ row, problems }).toEqual({ row, problems: [] });
        const key = resource.schema.primaryKey
          .map((k) => row[fields.findIndex((f) => f.name === k)])
          .join('|');
        expect(keys.has(key)).toBe(false);
        keys.add(key);
      }
    }
    // Hidden cells are the schema's missing value, and quoted titles survive.
    const csv = (await text(request(ctx.app).get('/open-data/participation.csv'))).body as string;
    expect(csv).toContain('open-2018,"Round ""2018"", part one","Cycle « 2018 », première partie",');
    expect(parseCsv(csv).some((r) => r[4] === 'government' && r[5] === '' && r[6] === '')).toBe(true);
  });

  it('when the data dictionary is asked as CSV or JSON, then it describes each column in both languages', async () => {
    const json = await request(ctx.app).get('/open-data/dictionary.json');
    expect(json.status).toBe(200);
    const pkg = (await request(ctx.app).get('/open-data/datapackage.json')).body;
    const schema = pkg.resources[0].schema.fields as Field[];
    expect(json.body.fields.map((f: { column: string }) => f.column)).toEqual(schema.map((f) => f.name));
    expect(json.body.fields.map((f: { type: string }) => f.type)).toEqual(schema.map((f) => f.type));
    const share = json.body.fields.find((f: { column: string }) => f.column === 'share');
    expect(share.description_en).toMatch(/divided by all participants/);
    expect(share.description_fr).toMatch(/divisé/);
    const csv = parseCsv((await text(request(ctx.app).get('/open-data/dictionary.csv'))).body as string);
    expect(csv[0]).toEqual(['column', 'type', 'description_en', 'description_fr']);
    expect(csv.slice(1).map((r) => r[0])).toEqual(schema.map((f) => f.name));
  });

  it('when the DCAT catalogue is read, then it has a catalogue, a dataset and distributions a CKAN harvester needs', async () => {
    const res = await request(ctx.app).get('/open-data/catalog.jsonld');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/ld\+json/);
    const catalog = JSON.parse(res.text);
    const context = catalog['@context'];
    expect(context).toMatchObject({ dcat: 'http://www.w3.org/ns/dcat#', dct: 'http://purl.org/dc/terms/' });
    // Every prefixed term is declared in the context (otherwise JSON-LD drops it).
    const prefixes = new Set(
      (JSON.stringify(catalog).match(/"([a-z]+):[A-Za-z]+"/g) ?? []).map((m) => m.slice(1).split(':')[0]),
    );
    for (const prefix of prefixes) expect(Object.keys(context)).toContain(prefix);
    expect(catalog['@type']).toBe('dcat:Catalog');
    expect(catalog['dct:license']).toEqual({
      '@id': 'https://open.canada.ca/en/open-government-licence-canada',
    });
    const [dataset] = catalog['dcat:dataset'];
    expect(dataset['@type']).toBe('dcat:Dataset');
    expect(dataset['dct:title']).toEqual(
      expect.arrayContaining([{ '@value': 'Participation in engagement, by round', '@language': 'en' }]),
    );
    expect(dataset['dct:issued']).toEqual({ '@value': '2018-03-01', '@type': 'xsd:date' });
    expect(dataset['dct:modified']).toEqual({ '@value': '2018-12-15', '@type': 'xsd:date' });
    expect(dataset['dcat:distribution'].length).toBeGreaterThanOrEqual(3);
    for (const d of dataset['dcat:distribution']) {
      expect(d['@type']).toBe('dcat:Distribution');
      expect(d['dcat:mediaType']['@id']).toMatch(
        /^https:\/\/www\.iana\.org\/assignments\/media-types\/[a-z]+\/[a-z+]+$/,
      );
      expect(d['dct:license']).toEqual(catalog['dct:license']);
      expect(d['dct:issued']['@value']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(d['dct:modified']['@value']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const download = await request(ctx.app).get(new URL(d['dcat:downloadURL']['@id']).pathname);
      expect(download.status).toBe(200);
      expect(download.headers['content-type']).toContain(d['dcat:mediaType']['@id'].split('media-types/')[1]);
    }
  });

  it('when the open data page is read, then the licence is a link and the machine-readable files are listed', async () => {
    const page = await request(ctx.app).get('/open-data').set('Accept-Language', 'fr');
    expect(page.text).toContain(
      '<a href="https://open.canada.ca/en/open-government-licence-canada" rel="license">Licence du gouvernement ouvert – Canada</a>',
    );
    for (const href of [
      '/open-data/datapackage.json',
      '/open-data/catalog.jsonld',
      '/open-data/dictionary.csv',
    ])
      expect(page.text).toContain(`href="${href}"`);
  });

  it('when another licence is configured, then the page, the package and the catalogue link to it', async () => {
    const licence = 'https://creativecommons.org/licenses/by/4.0/';
    const other = await buildTestApp({ config: testConfig({ OPEN_DATA_LICENCE_URL: licence }) });
    try {
      const page = await request(other.app).get('/open-data');
      expect(page.text).toContain(`<a href="${licence}" rel="license">${licence}</a>`);
      const pkg = (await request(other.app).get('/open-data/datapackage.json')).body;
      expect(pkg.licenses[0].path).toBe(licence);
      const catalog = JSON.parse((await request(other.app).get('/open-data/catalog.jsonld')).text);
      expect(catalog['dct:license']).toEqual({ '@id': licence });
    } finally {
      await other.close();
    }
    expect(() => testConfig({ OPEN_DATA_LICENCE_URL: 'not a url' })).toThrow(/OPEN_DATA_LICENCE_URL/);
  });
});
