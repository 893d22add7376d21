/**
 * Just enough MIME to show the development mailbox's .eml files (as Nodemailer writes them) as people read them:
 * headers unfolded and decoded (RFC 2047 encoded words), the text part decoded from quoted-printable or base64.
 */

export interface ReadableEmail {
  from: string;
  to: string;
  subject: string;
  date: string;
  /** The text/plain part, decoded; empty when there is none. */
  text: string;
}

function splitHead(raw: string): { head: string; body: string } {
  const match = /\r?\n\r?\n/.exec(raw);
  return match
    ? { head: raw.slice(0, match.index), body: raw.slice(match.index + match[0].length) }
    : { head: raw, body: '' };
}

function headers(head: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) map.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return map;
}

/** =XX escapes to bytes; with `underscoreIsSpace` (the "Q" encoding of headers) "_" is a space. */
function decodeQuotedPrintable(text: string, underscoreIsSpace = false): Buffer {
  const source = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < source.length; i += 1) {
    const char = source[i] as string;
    const hex = source.slice(i + 1, i + 3);
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (char === '_' && underscoreIsSpace) {
      bytes.push(0x20);
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** RFC 2047: =?charset?Q?...?= and =?charset?B?...?=; whitespace between two encoded words is dropped. */
export function decodeHeader(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_all, _charset: string, encoding: string, text: string) =>
      (encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : decodeQuotedPrintable(text, true)
      ).toString('utf8'),
    );
}

function decodeBody(body: string, transferEncoding: string | undefined): string {
  switch ((transferEncoding ?? '').toLowerCase()) {
    case 'quoted-printable':
      return decodeQuotedPrintable(body).toString('utf8');
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

/** The text/plain part of an entity, looking inside multipart ones (mixed, alternative) up to a few levels. */
function textPart(head: Map<string, string>, body: string, depth = 0): string | undefined {
  const type = head.get('content-type') ?? 'text/plain';
  if (/^text\/plain/i.test(type)) return decodeBody(body, head.get('content-transfer-encoding'));
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!/^multipart\//i.test(type) || !boundary || depth > 3) return undefined;
  for (const part of body.split(`--${boundary}`).slice(1)) {
    if (part.startsWith('--')) break;
    const { head: partHead, body: partBody } = splitHead(part.replace(/^\r?\n/, ''));
    const found = textPart(headers(partHead), partBody.replace(/\r?\n$/, ''), depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function readEml(raw: string): ReadableEmail {
  const { head, body } = splitHead(raw);
  const map = headers(head);
  const header = (name: string) => decodeHeader(map.get(name) ?? '');
  return {
    from: header('from'),
    to: header('to'),
    subject: header('subject'),
    date: header('date'),
    text: textPart(map, body) ?? '',
  };
}

/** Text cut into plain pieces and http(s) links, for a view to escape each and make the links clickable. */
export function linkify(text: string): { text: string; href?: string }[] {
  const pieces: { text: string; href?: string }[] = [];
  let last = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g)) {
    if (match.index > last) pieces.push({ text: text.slice(last, match.index) });
    pieces.push({ text: match[0], href: match[0] });
    last = match.index + match[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last) });
  return pieces;
}
