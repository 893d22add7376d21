import { XMLParser, XMLValidator } from 'fast-xml-parser';
import ical, { type VEvent } from 'node-ical';
import {
  buildAtom,
  buildIcs,
  buildRss,
  escapeIcsText,
  foldIcsLine,
  type FeedEntry,
  type FeedInfo,
} from './feeds';

const info: FeedInfo = {
  title: 'Consultations & <engagement>',
  description: 'What is open',
  link: 'https://agora.example/consultations',
  self: 'https://agora.example/feeds/consultations/en.rss',
  locale: 'en',
  updated: new Date('2026-11-27T12:00:00Z'),
  generator: 'Agora',
};
const entry: FeedEntry = {
  id: 'https://agora.example/consultations/open-data#opened',
  type: 'opened',
  title: 'Now open: <script>alert(1)</script> "Open data"',
  summary: 'Tell us & help \u0001',
  link: 'https://agora.example/consultations/open-data',
  date: new Date('2026-11-20T15:00:00Z'),
  author: 'Treasury Board',
  categories: ['Open data'],
};

describe('feeds', () => {
  it('when an RSS feed is built with markup in titles, then it is valid XML and the markup is text', () => {
    const xml = buildRss(info, [entry]);
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml);
    expect(parsed.rss['@_version']).toBe('2.0');
    expect(parsed.rss.channel.title).toBe('Consultations & <engagement>');
    expect(parsed.rss.channel.item.title).toBe('Now open: <script>alert(1)</script> "Open data"');
    expect(xml).not.toContain('<script>');
  });

  it('when a summary has markup and ampersands, then the RSS description decodes to HTML showing that text', () => {
    const xml = buildRss(info, [{ ...entry, summary: 'Fish & chips <script>alert(1)</script> "x"' }]);
    const parsed = new XMLParser().parse(xml);
    // The XML layer decoded, what is left is HTML: the markup is escaped text, each character once.
    expect(parsed.rss.channel.item.description).toBe(
      'Fish &amp; chips &lt;script&gt;alert(1)&lt;/script&gt; &quot;x&quot;',
    );
    expect(parsed.rss.channel.description).toBe('What is open');
  });

  it('when an Atom feed is built, then it is valid XML with ids, dates and links', () => {
    const xml = buildAtom(info, [entry]);
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml);
    expect(parsed.feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(parsed.feed.entry.id).toBe(entry.id);
    expect(parsed.feed.entry.updated).toBe('2026-11-20T15:00:00.000Z');
  });
});

describe('iCalendar', () => {
  it('when text has commas, semicolons, backslashes and newlines, then they are escaped', () => {
    expect(escapeIcsText('a,b;c\\d\ne')).toBe('a\\,b\\;c\\\\d\\ne');
  });

  it('when a line is longer than 75 octets, then it is folded without splitting a character', () => {
    const line = `SUMMARY:${'é'.repeat(60)}`;
    const folded = foldIcsLine(line);
    for (const part of folded.split('\r\n')) expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe(line);
  });

  it('when a calendar is built, then node-ical reads back the events', () => {
    const ics = buildIcs({ name: 'Consultations, 2026', description: 'Dates', productId: '-//Agora//EN' }, [
      {
        uid: 'abc-opens@agora.example',
        start: new Date('2026-12-01T14:00:00Z'),
        summary: `Opens: ${'Données ouvertes, transparence; et plus '.repeat(4)}`,
        description: 'Line one\nLine two',
        url: 'https://agora.example/consultations/a',
        categories: ['Open data'],
        stamp: new Date('2026-11-27T12:00:00Z'),
      },
    ]);
    expect(ics.endsWith('\r\n')).toBe(true);
    const parsed = ical.sync.parseICS(ics);
    const event = parsed['abc-opens@agora.example'] as VEvent;
    expect(event.type).toBe('VEVENT');
    expect(event.start.toISOString()).toBe('2026-12-01T14:00:00.000Z');
    expect(String(event.summary)).toBe(`Opens: ${'Données ouvertes, transparence; et plus '.repeat(4)}`);
    expect(String(event.description)).toBe('Line one\nLine two');
  });
});
