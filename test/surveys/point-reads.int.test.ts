import crypto from 'node:crypto';
import type { Express } from 'express';
import type { CommandStartedEvent, Document } from 'mongodb';
import request from 'supertest';
import type { TestApp } from '../support/app';
import { createSurvey } from '../support/factories/surveys';
import { buildTwinApps, type TwinApps } from '../support/twin-apps';

/**
 * On the embedded engine any filter without an `_id` equality reads the whole collection, so a respondent's and an
 * API client's requests must address every document by `_id`. This test watches the commands the app sends while a
 * respondent loads the start page and each page, saves each page and submits, and while an API client submits.
 */
const FILTERED = new Set(['find', 'update', 'delete', 'findAndModify', 'count', 'aggregate', 'distinct']);

/**
 * Collections of other modules whose respondent-path queries are not by `_id` yet, with the reason. Kept empty
 * unless a module's owner has a reason; surveys' own collections are never allowed here.
 */
const ALLOWED: Record<string, string> = {};

interface Seen {
  command: string;
  collection: string;
  filters: Document[];
}

function filtersOf(name: string, command: Document): Document[] {
  switch (name) {
    case 'find':
    case 'count':
    case 'distinct':
      return [(command.filter ?? command.query ?? {}) as Document];
    case 'findAndModify':
      return [(command.query ?? {}) as Document];
    case 'update':
      return ((command.updates ?? []) as { q: Document }[]).map((u) => u.q);
    case 'delete':
      return ((command.deletes ?? []) as { q: Document }[]).map((d) => d.q);
    case 'aggregate':
      return [
        (((command.pipeline ?? []) as Document[]).find((stage) => '$match' in stage)?.$match ??
          {}) as Document,
      ];
    default:
      return [];
  }
}

function hasIdEquality(filter: Document): boolean {
  const id = filter._id as unknown;
  if (id === undefined) return false;
  // An equality: a plain value, or { $eq: value }; never $in, $gt or a missing _id.
  if (id !== null && typeof id === 'object' && !('_bsontype' in (id as object))) {
    const keys = Object.keys(id as object);
    return keys.length === 1 && keys[0] === '$eq';
  }
  return true;
}

describe('respondent and API paths address documents by _id only', () => {
  let twins: TwinApps;
  let ctx: TestApp;
  let monitored: Express;
  let seen: Seen[] = [];

  beforeAll(async () => {
    twins = await buildTwinApps({ monitored: true });
    const [first] = twins.apps;
    ctx = {
      app: first.app,
      composition: first.composition,
      db: twins.db,
      config: twins.config,
      notifications: first.composition.notifications,
      consultations: first.composition.consultations,
      close: () => twins.close(),
    };
    const target = twins.monitored!;
    monitored = target.app;
    target.connection.getClient().on('commandStarted', (event: CommandStartedEvent) => {
      if (!FILTERED.has(event.commandName)) return;
      seen.push({
        command: event.commandName,
        collection: String(event.command[event.commandName]),
        filters: filtersOf(event.commandName, event.command),
      });
    });
  });
  afterAll(() => twins.close());

  function violations(): string[] {
    return seen.flatMap((s) =>
      s.filters
        .filter((filter) => !hasIdEquality(filter))
        .map((filter) => `${s.command} ${s.collection} ${JSON.stringify(filter)}`),
    );
  }

  it('when a respondent opens, saves and submits every page, then every find, update and delete has an _id', async () => {
    const { survey } = await createSurvey(ctx);
    const key = crypto.randomBytes(24).toString('base64url');
    const cookie = `agora.respondent=${key}`;
    const token = twins.monitored!.composition.surveys.formToken(key);
    const get = (path: string) => request(monitored).get(path).set('Cookie', cookie);
    const post = (path: string, fields: Record<string, string>) =>
      request(monitored)
        .post(path)
        .set('Cookie', cookie)
        .type('form')
        .send(new URLSearchParams({ _survey: token, ...fields }).toString());
    const base = `/surveys/${survey.id}`;

    seen = [];
    expect((await get(base)).status).toBe(200);
    expect((await get(`${base}/pages/s1`)).status).toBe(200);
    expect((await post(`${base}/pages/s1`, { q_likes: 'yes', q_why: 'Trees', action: 'next' })).status).toBe(
      303,
    );
    expect((await get(`${base}/pages/s3`)).status).toBe(200);
    expect((await post(`${base}/pages/s3`, { q_score: '4', action: 'save' })).status).toBe(303);
    expect((await get(`${base}/saved`)).status).toBe(200);
    expect((await get(base)).status).toBe(200);
    expect((await post(`${base}/pages/s3`, { q_score: '5', action: 'next' })).status).toBe(303);
    expect((await get(`${base}/pages/about-you`)).status).toBe(200);
    const done = await post(`${base}/pages/about-you`, {
      si_sector: 'academia',
      si_region: 'ON',
      action: 'next',
    });
    expect(done.headers.location).toBe(`${base}/thanks`);
    expect((await get(`${base}/thanks`)).status).toBe(200);
    expect((await get(base)).status).toBe(200);

    // The commands did go through the monitored connection, including the respondent's own documents.
    expect(seen.some((s) => s.collection === 'responses' && s.command === 'findAndModify')).toBe(true);
    expect(seen.some((s) => s.collection === 'responses' && s.command === 'delete')).toBe(true);
    const unexpected = violations().filter((v) => !(v.split(' ')[1]! in ALLOWED));
    expect(unexpected).toEqual([]);
  });

  it('when an API client submits (and replays), then every find, update and delete has an _id', async () => {
    const { survey } = await createSurvey(ctx);
    seen = [];
    const body = { answers: { likes: 'no', change: 'Buses', score: 2 }, sector: 'academia', region: 'QC' };
    const send = () =>
      request(monitored)
        .post(`/api/v1/surveys/${survey.id}/responses`)
        .set('Idempotency-Key', 'point-read-key-1')
        .send(body);
    expect((await send()).status).toBe(201);
    expect((await send()).headers['idempotent-replayed']).toBe('true');
    expect((await request(monitored).get(`/api/v1/surveys/${survey.id}`)).status).toBe(200);
    expect(seen.some((s) => s.collection === 'responses')).toBe(true);
    const unexpected = violations().filter((v) => !(v.split(' ')[1]! in ALLOWED));
    expect(unexpected).toEqual([]);
  });
});
