import type { Locale } from '../../platform/i18n';
import { normaliseEmailAddress } from '../notifications';

/**
 * Reading the addresses an officer pastes or uploads, following RFC 5322's address syntax rather than splitting on
 * every space or quote: a quoted local part (`"a@gc.ca x"@evil.com`) or a comment stays one entry, and an entry
 * that is not one plain mailbox is refused whole, never re-split into something that looks valid.
 *
 * - `splitAddressList(text)`: entries separated by line breaks, commas, semicolons or tabs outside quoted strings,
 *   comments and angle brackets (the separators of RFC 5322 lists, and of lists people paste from mail clients and
 *   spreadsheets).
 * - `parseInvitationEntry(entry)`: a mailbox (`addr-spec`, or `display-name <addr-spec>`) and then one plain
 *   address as the notifications module accepts it (`normaliseEmailAddress`: no quotes, spaces, line breaks or
 *   lists), lower-cased; undefined when the entry is anything else.
 * - `readPastedInvitees(text)` and `readCsvInvitees(csv)`: the entries with each one's language, when the officer
 *   gave one (see below), and the language values that are not a language, by line.
 */

const SEPARATORS = new Set([',', ';', '\n', '\r', '\t']);

export function splitAddressList(text: string): string[] {
  return splitAddressLines(text).map((e) => e.text);
}

/** The entries of a list, each with the line it starts on (1-based). */
function splitAddressLines(text: string): { text: string; line: number }[] {
  const entries: { text: string; line: number }[] = [];
  let current = '';
  let line = 1;
  let startLine = 1;
  let inQuote = false;
  let commentDepth = 0;
  let inAngle = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] as string;
    if (current === '') startLine = line;
    if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line += 1;
    if ((inQuote || commentDepth > 0) && ch === '\\' && i + 1 < text.length) {
      current += ch + (text[i + 1] as string);
      i += 1;
      continue;
    }
    if (inQuote) {
      if (ch === '"') inQuote = false;
      current += ch;
      continue;
    }
    if (commentDepth > 0) {
      if (ch === '(') commentDepth += 1;
      else if (ch === ')') commentDepth -= 1;
      current += ch;
      continue;
    }
    if (ch === '"') inQuote = true;
    else if (ch === '(') commentDepth = 1;
    else if (ch === '<') inAngle = true;
    else if (ch === '>') inAngle = false;
    else if (SEPARATORS.has(ch) && !inAngle) {
      if (current.trim()) entries.push({ text: current.trim(), line: startLine });
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim()) entries.push({ text: current.trim(), line: startLine });
  return entries;
}

/** RFC 5322 `atom` characters and a `display-name` made of atoms and quoted strings (no comments, no groups). */
const ATEXT = "A-Za-z0-9!#$%&'*+/=?^_`{|}~-";
const DISPLAY_NAME = new RegExp(`^(?:[${ATEXT}]+|"(?:[^"\\\\\\r\\n]|\\\\[^\\r\\n])*"|[ ])+$`);

/** The address of one entry, or undefined if the entry is not exactly one plain mailbox. */
export function parseInvitationEntry(entry: string): string | undefined {
  if (typeof entry !== 'string' || entry.length > 400) return undefined;
  const text = entry.trim();
  let addrSpec = text;
  const angle = /^(.*)<([^<>]*)>$/s.exec(text);
  if (angle) {
    const name = (angle[1] as string).trim();
    if (name && !DISPLAY_NAME.test(name)) return undefined;
    addrSpec = (angle[2] as string).trim();
  }
  // One plain address: no quoted local part, comment, space, line break, separator or second "@" survives here.
  if ((addrSpec.match(/@/g) ?? []).length !== 1) return undefined;
  return normaliseEmailAddress(addrSpec);
}

// ---------------------------------------------------------------- languages

/** An entry of the list, with the language the officer gave for it (otherwise the batch's). */
export interface InviteeEntry {
  entry: string;
  locale?: Locale;
}

/** A language value that is not a language, by line of the pasted list or of the file. */
export interface LanguageProblem {
  source: 'list' | 'file';
  line: number;
  value: string;
}

/** Letters only, without accents or case: "Français" and "francais", "fr-CA" and "FRCA" read alike. */
function fold(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

const LANGUAGE_VALUES: Record<string, Locale> = {
  en: 'en',
  e: 'en',
  eng: 'en',
  english: 'en',
  anglais: 'en',
  enca: 'en',
  fr: 'fr',
  f: 'fr',
  fra: 'fr',
  fre: 'fr',
  french: 'fr',
  francais: 'fr',
  frca: 'fr',
};

/** en, fr and their usual spellings (English, anglais, Français, francais, fr-CA, E, F...); undefined otherwise. */
export function parseLanguage(value: string): Locale | undefined {
  return LANGUAGE_VALUES[fold(value)];
}

/** The names a spreadsheet gives its language column, in English or French. */
const LANGUAGE_HEADERS = new Set([
  'language',
  'lang',
  'langue',
  'locale',
  'preferredlanguage',
  'languagepreference',
  'languageofcorrespondence',
  'correspondencelanguage',
  'officiallanguage',
  'langueprefere',
  'languepreferee',
  'languedepreference',
  'languedecorrespondance',
  'langueofficielle',
]);

const MAX_SHOWN = 60;

/**
 * The entries of one line (of the pasted list, or a row of a file without a header): a last entry without "@" that
 * follows an address is the language of the line's addresses (`a@example.ca, fr`), and must be a language.
 */
function readLine(
  cells: string[],
  line: number,
  source: LanguageProblem['source'],
  out: { entries: InviteeEntry[]; problems: LanguageProblem[] },
): void {
  const last = cells[cells.length - 1];
  const hasLanguage =
    cells.length >= 2 && last !== undefined && !last.includes('@') && cells[cells.length - 2]!.includes('@');
  let locale: Locale | undefined;
  if (hasLanguage) {
    locale = parseLanguage(last);
    if (!locale) out.problems.push({ source, line, value: last.slice(0, MAX_SHOWN) });
  }
  for (const entry of hasLanguage ? cells.slice(0, -1) : cells)
    out.entries.push(locale ? { entry, locale } : { entry });
}

/**
 * A pasted list (entries as in splitAddressList), each line's addresses with the language written after them, if
 * any: `a@example.ca, fr` or `Jane Doe <jane@example.ca>; English`.
 */
export function readPastedInvitees(text: string): { entries: InviteeEntry[]; problems: LanguageProblem[] } {
  const out = { entries: [] as InviteeEntry[], problems: [] as LanguageProblem[] };
  const byLine = new Map<number, string[]>();
  for (const { text: entry, line } of splitAddressLines(text)) {
    byLine.set(line, [...(byLine.get(line) ?? []), entry]);
  }
  for (const [line, cells] of byLine) readLine(cells, line, 'list', out);
  return out;
}

/**
 * A CSV upload's addresses (each cell containing "@") with their languages. A file whose first row is a header
 * (no "@" in it) gives the language in the column named language, langue, lang, locale, preferred language...; a
 * file with a header but no such column gives none (so a "name" column is never read as a language). A file without
 * a header is read like the pasted list: a last cell after an address is the row's language.
 */
export function readCsvInvitees(csv: string): { entries: InviteeEntry[]; problems: LanguageProblem[] } {
  const out = { entries: [] as InviteeEntry[], problems: [] as LanguageProblem[] };
  const rows = csvRows(csv).filter((row) => row.cells.some((cell) => cell !== ''));
  const first = rows[0];
  const hasHeader = first !== undefined && !first.cells.some((cell) => cell.includes('@'));
  const languageColumn = hasHeader ? first.cells.findIndex((cell) => LANGUAGE_HEADERS.has(fold(cell))) : -1;
  for (const row of hasHeader ? rows.slice(1) : rows) {
    const addresses = row.cells.filter((cell) => cell.includes('@'));
    if (!hasHeader) {
      readLine(
        row.cells.filter((cell) => cell !== ''),
        row.line,
        'file',
        out,
      );
      continue;
    }
    const value = languageColumn >= 0 ? (row.cells[languageColumn] ?? '') : '';
    const locale = value ? parseLanguage(value) : undefined;
    if (value && !locale && addresses.length)
      out.problems.push({ source: 'file', line: row.line, value: value.slice(0, MAX_SHOWN) });
    for (const entry of addresses) out.entries.push(locale ? { entry, locale } : { entry });
  }
  // A headerless row's cells without "@" (other than its language) are not entries, as before.
  out.entries = out.entries.filter((e) => e.entry.includes('@'));
  return out;
}

/** The rows of a CSV file (RFC 4180 quoting; "," ";" or tab between cells), each with the line it starts on. */
function csvRows(csv: string): { cells: string[]; line: number }[] {
  const rows: { cells: string[]; line: number }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = () => {
    cells.push(cell.trim());
    rows.push({ cells, line: rowLine });
    cells = [];
    cell = '';
    rowLine = line;
  };
  for (let i = 0; i < csv.length; i += 1) {
    const ch = csv[i] as string;
    if (ch === '\n') line += 1;
    if (quoted) {
      if (ch === '"' && csv[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === ',' || ch === ';' || ch === '\t') {
      cells.push(cell.trim());
      cell = '';
    } else if (ch === '\n') endRow();
    else if (ch !== '\r') cell += ch;
  }
  if (cell.trim() || cells.length) endRow();
  return rows;
}
