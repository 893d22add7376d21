import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../src/platform/paths';

/**
 * Dates without times are shown as the dates they are whatever the server's time zone: the same app, started in
 * zones from UTC-11 to UTC+14, says the same thing about round dates and completion days in both languages, on
 * /rounds, /rounds/:slug, the API and the open data.
 */
const ZONES = ['UTC', 'America/Vancouver', 'America/Toronto', 'Pacific/Pago_Pago', 'Pacific/Kiritimati'];

interface Output {
  listEn: string;
  listFr: string;
  utcEn: string;
  utcFr: string;
  formEn: string;
  formFr: string;
  api: { slug: string; startsOn: string; endsOn: string }[];
  catalogIssued: { '@value': string };
  created: string;
  localDay: number;
}

async function inZone(zone: string): Promise<Output> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', path.join(ROOT, 'test/support/register-ts.js'), path.join(__dirname, 'dates-in-zone.ts')],
    { cwd: ROOT, env: { ...process.env, TZ: zone }, maxBuffer: 10_000_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() as string) as Output;
}

describe('round dates in any server time zone', () => {
  const outputs = new Map<string, Output>();

  beforeAll(async () => {
    for (const zone of ZONES) outputs.set(zone, await inZone(zone));
  }, 600_000);

  it.each(ZONES)(
    'when the server runs in %s, then every date is the one entered, in both languages',
    (zone) => {
      const out = outputs.get(zone) as Output;
      // The zone did apply to the process: 2018-03-01T00:00Z is February 28 on the local clock west of UTC.
      expect(out.localDay).toBe(/America|Pago/.test(zone) ? 28 : 1);
      expect(out.utcEn).toContain('From March 1, 2018 to December 15, 2018');
      expect(out.utcFr).toContain('Du 1er mars 2018 au 15 décembre 2018');
      expect(out.utcEn).toContain('Completed on December 14, 2018');
      expect(out.utcFr).toContain('Terminé le 14 décembre 2018');
      expect(out.formEn).toContain('From March 1, 2019 to July 1, 2019');
      expect(out.formFr).toContain('Du 1er mars 2019 au 1er juillet 2019');
      expect(out.listEn).toContain(
        'From March 1, 2018 to December 15, 2018 · completed on December 14, 2018',
      );
      expect(out.listFr).toContain('Du 1er mars 2019 au 1er juillet 2019');
      for (const text of [out.utcEn, out.formEn, out.listEn]) expect(text).not.toMatch(/February 28|June 30/);
      expect(out.api).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ slug: 'zone-utc', startsOn: '2018-03-01', endsOn: '2018-12-15' }),
          expect.objectContaining({ slug: 'zone-form', startsOn: '2019-03-01', endsOn: '2019-07-01' }),
        ]),
      );
      expect(out.catalogIssued['@value']).toBe('2018-03-01');
      expect(out.created).toBe('2018-03-01T00:00:00Z');
    },
  );
});
