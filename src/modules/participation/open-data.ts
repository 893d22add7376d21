import type { TFunction } from 'i18next';
import { OPEN_GOVERNMENT_LICENCE_CANADA } from '../../config';
import { calendarDate } from '../../platform/zoned-time';
import type { Round } from '../consultations';
import { OPEN_DATA_COLUMNS } from './reports.service';

/**
 * The open data described for machines: a Frictionless Data Package (datapackage.json, with a Table Schema per
 * table) and a DCAT catalogue in JSON-LD (what CKAN's DCAT harvester reads), both built from the same column list
 * as the CSV and the data dictionary, so none of them can drift from the data.
 */

export interface OpenDataSettings {
  /** The public address of the site, for absolute links. */
  baseUrl: string;
  licenceUrl: string;
}

export type OpenDataColumn = (typeof OPEN_DATA_COLUMNS)[number];

export const DIMENSIONS = ['all', 'sector', 'region', 'language', 'channel'] as const;

/** Table Schema of each column: its type and constraints (descriptions come from the locales). */
export const COLUMN_TYPES: Record<
  OpenDataColumn,
  { type: 'string' | 'integer' | 'number'; constraints?: object }
> = {
  round: { type: 'string', constraints: { required: true, pattern: '[a-z0-9]+(-[a-z0-9]+)*' } },
  round_title_en: { type: 'string', constraints: { required: true } },
  round_title_fr: { type: 'string', constraints: { required: true } },
  dimension: { type: 'string', constraints: { required: true, enum: [...DIMENSIONS] } },
  category: { type: 'string', constraints: { required: true } },
  participants: { type: 'integer', constraints: { minimum: 0 } },
  share: { type: 'number', constraints: { minimum: 0, maximum: 1 } },
};

export const DICTIONARY_COLUMNS = ['column', 'type', 'description_en', 'description_fr'] as const;

/** The data dictionary, one row per column of the participation table, in both languages. */
export function dictionaryRows(
  t: TFunction,
  threshold: number,
): Record<(typeof DICTIONARY_COLUMNS)[number], string>[] {
  return OPEN_DATA_COLUMNS.map((column) => ({
    column,
    type: COLUMN_TYPES[column].type,
    description_en: t(`participation:openData.columns.${column}`, { threshold, lng: 'en' }),
    description_fr: t(`participation:openData.columns.${column}`, { threshold, lng: 'fr' }),
  }));
}

/** A name people can read for the configured licence: the Open Government Licence – Canada, or its address. */
export function licenceTitle(t: TFunction, licenceUrl: string, lng?: string): string {
  return licenceUrl === OPEN_GOVERNMENT_LICENCE_CANADA
    ? t('participation:openData.oglName', lng ? { lng } : {})
    : licenceUrl;
}

/**
 * When the data was first issued and last changed: an active round's figures can change any day (then today); a
 * completed round's last changed when it was completed (frozen since).
 */
export function datesOf(rounds: Round[], today: Date): { issued: string; modified: string } {
  const day = calendarDate(today);
  if (rounds.length === 0) return { issued: day, modified: day };
  const starts = rounds.map((r) => calendarDate(r.startsOn)).sort();
  const changes = rounds
    .map((r) => (r.status === 'active' ? day : calendarDate(r.completedAt ?? r.endsOn)))
    .sort();
  const modified = changes[changes.length - 1] as string;
  return { issued: starts[0] as string, modified: modified > day ? day : modified };
}

const url = (settings: OpenDataSettings, path: string) => `${settings.baseUrl}${path}`;

export function dataPackage(
  t: TFunction,
  settings: OpenDataSettings,
  threshold: number,
  dates: { issued: string; modified: string },
): Record<string, unknown> {
  const dictionary = dictionaryRows(t, threshold);
  return {
    profile: 'tabular-data-package',
    name: 'agora-participation',
    id: url(settings, '/open-data/datapackage.json'),
    title: t('participation:openData.datasetTitle', { lng: 'en' }),
    description: t('participation:openData.lead', { lng: 'en' }),
    homepage: url(settings, '/open-data'),
    created: `${dates.issued}T00:00:00Z`,
    keywords: ['engagement', 'participation', 'civil society', 'open government'],
    licenses: [
      {
        name: settings.licenceUrl === OPEN_GOVERNMENT_LICENCE_CANADA ? 'OGL-Canada-2.0' : 'licence',
        path: settings.licenceUrl,
        title: licenceTitle(t, settings.licenceUrl, 'en'),
      },
    ],
    resources: [
      {
        profile: 'tabular-data-resource',
        name: 'participation',
        path: url(settings, '/open-data/participation.csv'),
        title: t('participation:openData.datasetTitle', { lng: 'en' }),
        description: t('participation:openData.resourceDescription', { threshold, lng: 'en' }),
        format: 'csv',
        mediatype: 'text/csv',
        encoding: 'utf-8',
        dialect: { delimiter: ',', lineTerminator: '\r\n', quoteChar: '"', doubleQuote: true, header: true },
        schema: {
          fields: OPEN_DATA_COLUMNS.map((name, i) => ({
            name,
            type: COLUMN_TYPES[name].type,
            description: dictionary[i]?.description_en,
            ...(COLUMN_TYPES[name].constraints ? { constraints: COLUMN_TYPES[name].constraints } : {}),
          })),
          // Hidden counts and shares are empty cells.
          missingValues: [''],
          primaryKey: ['round', 'dimension', 'category'],
        },
      },
      {
        profile: 'tabular-data-resource',
        name: 'data-dictionary',
        path: url(settings, '/open-data/dictionary.csv'),
        title: t('participation:openData.dictionary', { lng: 'en' }),
        format: 'csv',
        mediatype: 'text/csv',
        encoding: 'utf-8',
        dialect: { delimiter: ',', lineTerminator: '\r\n', quoteChar: '"', doubleQuote: true, header: true },
        schema: {
          fields: DICTIONARY_COLUMNS.map((name) => ({
            name,
            type: 'string',
            constraints: { required: true },
          })),
          primaryKey: ['column'],
        },
      },
    ],
  };
}

/** The DCAT catalogue (DCAT 2, JSON-LD), one dataset with its distributions, in both languages. */
export function dcatCatalog(
  t: TFunction,
  settings: OpenDataSettings,
  threshold: number,
  dates: { issued: string; modified: string },
): Record<string, unknown> {
  const both = (key: string, values: Record<string, unknown> = {}) =>
    (['en', 'fr'] as const).map((lng) => ({ '@value': t(key, { ...values, lng }), '@language': lng }));
  const date = (value: string) => ({ '@value': value, '@type': 'xsd:date' });
  const licence = { '@id': settings.licenceUrl };
  const publisher = {
    '@id': url(settings, '/'),
    '@type': 'foaf:Organization',
    'foaf:name': t('common:productName', { lng: 'en' }),
    'foaf:homepage': { '@id': url(settings, '/') },
  };
  const distribution = (path: string, mediaType: string, format: string, title: string) => ({
    '@id': url(settings, path),
    '@type': 'dcat:Distribution',
    'dct:title': title,
    'dcat:downloadURL': { '@id': url(settings, path) },
    'dcat:accessURL': { '@id': url(settings, '/open-data') },
    'dcat:mediaType': { '@id': `https://www.iana.org/assignments/media-types/${mediaType}` },
    'dct:format': format,
    'dct:license': licence,
    'dct:issued': date(dates.issued),
    'dct:modified': date(dates.modified),
  });
  return {
    '@context': {
      dcat: 'http://www.w3.org/ns/dcat#',
      dct: 'http://purl.org/dc/terms/',
      foaf: 'http://xmlns.com/foaf/0.1/',
      xsd: 'http://www.w3.org/2001/XMLSchema#',
    },
    '@id': url(settings, '/open-data/catalog.jsonld'),
    '@type': 'dcat:Catalog',
    'dct:title': both('participation:openData.catalogTitle', { site: t('common:productName') }),
    'dct:description': both('participation:openData.lead'),
    'dct:publisher': publisher,
    'dct:license': licence,
    'dct:language': [
      { '@id': 'http://id.loc.gov/vocabulary/iso639-1/en' },
      { '@id': 'http://id.loc.gov/vocabulary/iso639-1/fr' },
    ],
    'foaf:homepage': { '@id': url(settings, '/open-data') },
    'dct:issued': date(dates.issued),
    'dct:modified': date(dates.modified),
    'dcat:dataset': [
      {
        '@id': url(settings, '/open-data#participation'),
        '@type': 'dcat:Dataset',
        'dct:identifier': 'agora-participation',
        'dct:title': both('participation:openData.datasetTitle'),
        'dct:description': both('participation:openData.resourceDescription', { threshold }),
        'dcat:keyword': both('participation:openData.keywords').flatMap((k) =>
          String(k['@value'])
            .split(',')
            .map((word) => ({ '@value': word.trim(), '@language': k['@language'] })),
        ),
        'dct:publisher': publisher,
        'dct:license': licence,
        'dct:issued': date(dates.issued),
        'dct:modified': date(dates.modified),
        'dcat:landingPage': { '@id': url(settings, '/open-data') },
        'dct:conformsTo': { '@id': url(settings, '/open-data/datapackage.json') },
        'dcat:distribution': [
          distribution('/open-data/participation.csv', 'text/csv', 'CSV', 'Participation (CSV)'),
          distribution('/open-data/participation.json', 'application/json', 'JSON', 'Participation (JSON)'),
          distribution(
            '/open-data/datapackage.json',
            'application/json',
            'JSON',
            'Data Package (Frictionless)',
          ),
          distribution('/open-data/dictionary.csv', 'text/csv', 'CSV', 'Data dictionary (CSV)'),
          distribution('/open-data/dictionary.json', 'application/json', 'JSON', 'Data dictionary (JSON)'),
        ],
      },
    ],
  };
}
