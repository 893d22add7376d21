/**
 * How to cite a commitment: APA text for people, and CSL-JSON, BibTeX and RIS for reference managers, plus the
 * Highwire `citation_*` meta tags that Zotero and Google Scholar read from the page. Pure functions.
 */
import type { Locale } from '../../platform/i18n';

export interface CitationInput {
  /** The lead department (the author). */
  author: string;
  title: string;
  /** "Commitment 19" / "Engagement 19". */
  label: string;
  /** The plan, as the container. */
  container: string;
  publisher: string;
  /** The content's own date (its latest update, else its publication). */
  date: Date;
  url: string;
  locale: Locale;
  /** A stable key for BibTeX and CSL, e.g. "nap4-2018-2020-19". */
  key: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const parts = (d: Date) => [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()] as const;

/** APA 7 for a web page, split so the view can set the title in italics. */
export function apa(input: CitationInput): { before: string; title: string; after: string; text: string } {
  const date = new Intl.DateTimeFormat(input.locale === 'fr' ? 'fr-CA' : 'en-US', {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    timeZone: 'UTC',
  });
  const [year] = parts(input.date);
  // APA: (2018, March 5). The French form keeps the day before the month: (2018, 5 mars).
  const monthDay = date
    .formatToParts(input.date)
    .filter((p) => p.type === 'month' || p.type === 'day' || (p.type === 'literal' && p.value === ' '))
    .map((p) => p.value)
    .join('')
    .trim();
  const before = `${input.author}. (${year}, ${monthDay}). `;
  const after = ` [${input.label}, ${input.container}]. ${input.publisher}. ${input.url}`;
  return { before, title: input.title, after, text: `${before}${input.title}${after}` };
}

export function cslJson(input: CitationInput): Record<string, unknown> {
  return {
    id: input.key,
    type: 'webpage',
    title: input.title,
    author: [{ literal: input.author }],
    'container-title': input.container,
    publisher: input.publisher,
    genre: input.label,
    issued: { 'date-parts': [[...parts(input.date)]] },
    URL: input.url,
    language: input.locale === 'fr' ? 'fr-CA' : 'en-CA',
  };
}

/** BibTeX special characters are escaped; braces around the author keep an organisation's name whole. */
function bibEscape(text: string): string {
  return text.replace(/[\\{}]/g, '').replace(/([&%$#_])/g, '\\$1');
}

export function bibtex(input: CitationInput): string {
  const [year, month, day] = parts(input.date);
  return [
    `@misc{${input.key.replace(/[^A-Za-z0-9:_-]/g, '-')},`,
    `  author = {{${bibEscape(input.author)}}},`,
    `  title = {${bibEscape(input.title)}},`,
    `  howpublished = {${bibEscape(input.container)}},`,
    `  note = {${bibEscape(input.label)}},`,
    `  publisher = {${bibEscape(input.publisher)}},`,
    `  year = {${year}},`,
    `  month = {${month}},`,
    `  day = {${day}},`,
    `  date = {${year}-${pad(month)}-${pad(day)}},`,
    `  url = {${input.url}},`,
    `  language = {${input.locale === 'fr' ? 'french' : 'english'}}`,
    '}',
    '',
  ].join('\n');
}

/** RIS: one tag per line, CRLF line ends as the format asks. */
export function ris(input: CitationInput): string {
  const [year, month, day] = parts(input.date);
  const clean = (text: string) => text.replace(/[\r\n]+/g, ' ');
  return (
    [
      'TY  - ELEC',
      `AU  - ${clean(input.author)}`,
      `TI  - ${clean(input.title)}`,
      `T2  - ${clean(input.container)}`,
      `M1  - ${clean(input.label)}`,
      `PB  - ${clean(input.publisher)}`,
      `PY  - ${year}`,
      `DA  - ${year}/${pad(month)}/${pad(day)}`,
      `UR  - ${input.url}`,
      `LA  - ${input.locale === 'fr' ? 'fr' : 'en'}`,
      'ER  - ',
    ].join('\r\n') + '\r\n'
  );
}

/** Highwire Press tags (`<meta name="citation_title" ...>`), read by Zotero and Google Scholar. */
export function citationMeta(input: CitationInput): { name: string; content: string }[] {
  const [year, month, day] = parts(input.date);
  return [
    { name: 'citation_title', content: input.title },
    { name: 'citation_author', content: input.author },
    { name: 'citation_publication_date', content: `${year}/${pad(month)}/${pad(day)}` },
    { name: 'citation_publisher', content: input.publisher },
    { name: 'citation_series_title', content: input.container },
    { name: 'citation_public_url', content: input.url },
    { name: 'citation_language', content: input.locale },
  ];
}
