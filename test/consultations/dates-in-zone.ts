/**
 * Run by dates-timezones.int.test.ts in a child process whose TZ is the zone under test (a process's zone is fixed
 * at start): builds the app on the run's FerretDB, creates rounds dated as the demo/API (midnight UTC) and as the
 * officer form (midnight in Toronto) does, completes one late in the evening, and prints what the pages, the API
 * and the open data say about their dates, as one JSON line.
 */
import request from 'supertest';
import { buildTestApp } from '../support/app';
import {
  FACTORY_OFFICER,
  completeRoundAt,
  consultationsServiceFor,
  roundInput,
} from '../support/factories/consultations';
import { textOf } from './helpers';

async function main() {
  const ctx = await buildTestApp();
  try {
    const consultations = await consultationsServiceFor(ctx);
    const utc = await consultations.createRound(
      roundInput({
        slug: 'zone-utc',
        title: { en: 'Zone UTC round', fr: 'Cycle UTC' },
        startsOn: new Date('2018-03-01T00:00:00.000Z'),
        endsOn: new Date('2018-12-15T00:00:00.000Z'),
        status: 'active',
      }),
      FACTORY_OFFICER,
    );
    await consultations.createRound(
      roundInput({
        slug: 'zone-form',
        title: { en: 'Zone form round', fr: 'Cycle formulaire' },
        startsOn: new Date('2019-03-01T05:00:00.000Z'), // midnight in Toronto (EST)
        endsOn: new Date('2019-07-01T04:00:00.000Z'), // midnight in Toronto (EDT)
        status: 'active',
      }),
      FACTORY_OFFICER,
    );
    // 22:30 in Toronto on December 14 is already December 15 in UTC: the organisation's day is the 14th.
    await completeRoundAt(ctx, utc.id, new Date('2018-12-15T03:30:00.000Z'));
    const page = async (path: string, lang: string) =>
      textOf((await request(ctx.app).get(path).set('Accept-Language', lang)).text).replace(/\s+/g, ' ');
    const out = {
      listEn: await page('/rounds', 'en'),
      listFr: await page('/rounds', 'fr'),
      utcEn: await page('/rounds/zone-utc', 'en'),
      utcFr: await page('/rounds/zone-utc', 'fr'),
      formEn: await page('/rounds/zone-form', 'en'),
      formFr: await page('/rounds/zone-form', 'fr'),
      api: (await request(ctx.app).get('/api/v1/rounds')).body.rounds,
      catalogIssued: JSON.parse((await request(ctx.app).get('/open-data/catalog.jsonld')).text)['dct:issued'],
      created: (await request(ctx.app).get('/open-data/datapackage.json')).body.created,
      localDay: new Date('2018-03-01T00:00:00.000Z').getDate(),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    await ctx.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
    process.exit(1);
  },
);
