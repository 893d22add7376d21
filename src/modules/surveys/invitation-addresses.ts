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
 */

const SEPARATORS = new Set([',', ';', '\n', '\r', '\t']);

export function splitAddressList(text: string): string[] {
  const entries: string[] = [];
  let current = '';
  let inQuote = false;
  let commentDepth = 0;
  let inAngle = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] as string;
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
      if (current.trim()) entries.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim()) entries.push(current.trim());
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

/** The entries of a CSV upload that look like addresses: each cell containing "@" (RFC 4180 quoting respected). */
export function csvAddressCells(csv: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  const flush = () => {
    if (cell.includes('@')) cells.push(cell.trim());
    cell = '';
  };
  for (let i = 0; i < csv.length; i += 1) {
    const ch = csv[i] as string;
    if (quoted) {
      if (ch === '"' && csv[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === ',' || ch === ';' || ch === '\t' || ch === '\n') flush();
    else if (ch !== '\r') cell += ch;
  }
  flush();
  return cells;
}
