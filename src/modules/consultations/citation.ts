import type { TFunction } from 'i18next';
import type { Locale } from '../../platform/i18n';
import { calendarDate } from '../../platform/zoned-time';

/**
 * How to cite a consultation or its "what we heard" report: APA text (title in italics, full date, as APA asks for
 * web pages), Highwire `citation_*` meta tags (read by Google Scholar and reference managers), and downloads as
 * CSL-JSON, BibTeX and RIS. Everything is dated by the content's own date, never by today.
 */

export type CitationKind = 'consultation' | 'report';
export const CITATION_FORMATS = ['json', 'bib', 'ris'] as const;
export type CitationFormat = (typeof CITATION_FORMATS)[number];

export interface CitationSource {
  kind: CitationKind;
  /** The stable part of the identifier (the consultation's slug). */
  slug: string;
  /** The title of the work as cited ("What we heard: …" for a report). */
  title: string;
  /** The organisation, cited as the (corporate) author. */
  organisation: string;
  /** The content's own date: when the consultation or the report was published. */
  date: Date;
  url: string;
  locale: Locale;
  /** The site, cited as the publisher. */
  site: string;
}

export interface ApaText {
  /** Text before the title, the title (to be shown in italics), text after it. Plain text: escape when shown. */
  before: string;
  title: string;
  after: string;
}

const TITLE = '\u0001title\u0001';

function dateParts(date: Date): [number, number, number] {
  const [y, m, d] = calendarDate(date).split('-').map(Number) as [number, number, number];
  return [y, m, d];
}

/** "2018, March 1" / "2018, 1er mars": the date of an APA reference to a web page. */
export function apaDate(date: Date, locale: Locale): string {
  const [y, m, d] = dateParts(date);
  const monthDay = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-CA' : 'en-CA', {
    month: 'long',
    day: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, d)));
  return `${y}, ${locale === 'fr' ? monthDay.replace(/^1 /, '1er ') : monthDay}`;
}

export function apaText(t: TFunction, source: CitationSource): ApaText {
  const text = t(`consultations:cite.${source.kind}`, {
    organisation: source.organisation,
    date: apaDate(source.date, source.locale),
    title: TITLE,
    site: source.site,
    url: source.url,
    lng: source.locale,
  });
  const [before = '', after = ''] = text.split(TITLE);
  return { before, title: source.title, after };
}

/** Highwire Press tags, as Google Scholar documents them. */
export function citationMeta(source: CitationSource): { name: string; content: string }[] {
  const [y, m, d] = dateParts(source.date);
  const pad = (n: number) => String(n).padStart(2, '0');
  return [
    { name: 'citation_title', content: source.title },
    { name: 'citation_author', content: source.organisation },
    { name: 'citation_publication_date', content: `${y}/${pad(m)}/${pad(d)}` },
    { name: 'citation_public_url', content: source.url },
    { name: 'citation_language', content: source.locale },
    { name: 'citation_publisher', content: source.site },
    ...(source.kind === 'report'
      ? [{ name: 'citation_technical_report_institution', content: source.organisation }]
      : []),
  ];
}

const id = (source: CitationSource) => `${source.slug}-${source.kind}-${dateParts(source.date)[0]}`;

/** CSL-JSON (Citation Style Language), an array of one item: what Zotero, Mendeley and pandoc read. */
export function cslJson(source: CitationSource): Record<string, unknown>[] {
  return [
    {
      id: id(source),
      type: source.kind === 'report' ? 'report' : 'webpage',
      title: source.title,
      author: [{ literal: source.organisation }],
      issued: { 'date-parts': [dateParts(source.date)] },
      URL: source.url,
      language: source.locale === 'fr' ? 'fr-CA' : 'en-CA',
      publisher: source.site,
      'container-title': source.site,
      genre: source.kind === 'report' ? 'Report' : 'Consultation',
    },
  ];
}

/** BibTeX special characters escaped, so a title with "&" or "%" does not break a document. */
function bibEscape(value: string): string {
  return value.replace(/[\\{}&%$#_^~]/g, (c) =>
    c === '\\'
      ? '\\textbackslash{}'
      : c === '^'
        ? '\\textasciicircum{}'
        : c === '~'
          ? '\\textasciitilde{}'
          : `\\${c}`,
  );
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export function bibtex(source: CitationSource): string {
  const [y, m, d] = dateParts(source.date);
  const pad = (n: number) => String(n).padStart(2, '0');
  const report = source.kind === 'report';
  const fields: [string, string][] = [
    // Double braces: the organisation is one corporate name, not "Secretariat, Treasury Board".
    ['author', `{{${bibEscape(source.organisation)}}}`],
    ['title', `{${bibEscape(source.title)}}`],
    ...(report ? ([['institution', `{{${bibEscape(source.organisation)}}}`]] as [string, string][]) : []),
    ['year', `{${y}}`],
    ['month', MONTHS[m - 1] as string],
    ['date', `{${y}-${pad(m)}-${pad(d)}}`],
    ['url', `{${source.url}}`],
    ['howpublished', `{\\url{${source.url}}}`],
    ['publisher', `{${bibEscape(source.site)}}`],
    ['language', `{${source.locale === 'fr' ? 'french' : 'english'}}`],
    ['note', `{${report ? 'Report' : 'Consultation'}}`],
  ];
  const key = id(source).replace(/[^A-Za-z0-9-]/g, '');
  return `@${report ? 'techreport' : 'misc'}{${key},\n${fields.map(([k, v]) => `  ${k} = ${v}`).join(',\n')}\n}\n`;
}

/** RIS (Research Information Systems), read by EndNote, Zotero, RefWorks. Tags are "XX  - value", CRLF lines. */
export function ris(source: CitationSource): string {
  const [y, m, d] = dateParts(source.date);
  const pad = (n: number) => String(n).padStart(2, '0');
  const clean = (v: string) => v.replace(/[\r\n]+/g, ' ').trim();
  const lines: [string, string][] = [
    ['TY', source.kind === 'report' ? 'RPRT' : 'ELEC'],
    ['TI', clean(source.title)],
    ['AU', clean(source.organisation)],
    ['PY', String(y)],
    ['DA', `${y}/${pad(m)}/${pad(d)}`],
    ['PB', clean(source.site)],
    ['UR', source.url],
    ['LA', source.locale],
    ['M3', source.kind === 'report' ? 'Report' : 'Consultation'],
    ['ER', ''],
  ];
  return lines.map(([tag, value]) => `${tag}  - ${value}`).join('\r\n') + '\r\n';
}

export const CITATION_TYPES: Record<CitationFormat, { type: string; extension: string }> = {
  json: { type: 'application/vnd.citationstyles.csl+json; charset=utf-8', extension: 'json' },
  bib: { type: 'application/x-bibtex; charset=utf-8', extension: 'bib' },
  ris: { type: 'application/x-research-info-systems; charset=utf-8', extension: 'ris' },
};

/** The body of a citation download. */
export function citationDocument(source: CitationSource, format: CitationFormat): string {
  if (format === 'json') return `${JSON.stringify(cslJson(source), null, 2)}\n`;
  return format === 'bib' ? bibtex(source) : ris(source);
}
