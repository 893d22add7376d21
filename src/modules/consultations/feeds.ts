/**
 * Feeds and calendars, written by hand: RSS 2.0, Atom (RFC 4287) and iCalendar (RFC 5545). Pure functions of
 * the entries given, so they are unit-tested without a server.
 */
import type { Locale } from '../../platform/i18n';

export type FeedEventType = 'new' | 'opened' | 'closing' | 'closed' | 'report';

export interface FeedEntry {
  /** A stable, unique id for this event of this consultation. */
  id: string;
  type: FeedEventType;
  title: string;
  summary: string;
  link: string;
  date: Date;
  author: string;
  categories: string[];
}

export interface FeedInfo {
  title: string;
  description: string;
  /** The HTML page the feed is about. */
  link: string;
  /** The feed's own URL. */
  self: string;
  locale: Locale;
  updated: Date;
  generator: string;
}

/** Characters XML 1.0 forbids outright are dropped; the rest is escaped. */
export function escapeXml(text: string): string {
  return (
    String(text)
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/** Text as HTML: what RSS readers expect in <description>. */
export function escapeHtml(text: string): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * An RSS <description> holds HTML (readers render it), so plain text is escaped twice, each for its own layer:
 * once as HTML (the text stays text, a "<script>" in a summary is shown, not run), then as XML. Atom says what its
 * <summary> is (type="text"), so there it is escaped once, for XML only.
 */
function rssDescription(text: string): string {
  return escapeXml(escapeHtml(text));
}

const languageTag = (locale: Locale) => (locale === 'fr' ? 'fr-CA' : 'en-CA');

export function buildRss(info: FeedInfo, entries: FeedEntry[]): string {
  const items = entries.map(
    (entry) => `    <item>
      <title>${escapeXml(entry.title)}</title>
      <link>${escapeXml(entry.link)}</link>
      <description>${rssDescription(entry.summary)}</description>
      <guid isPermaLink="false">${escapeXml(entry.id)}</guid>
      <pubDate>${entry.date.toUTCString()}</pubDate>
${entry.categories.map((c) => `      <category>${escapeXml(c)}</category>`).join('\n')}
    </item>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>${escapeXml(info.title)}</title>
    <link>${escapeXml(info.link)}</link>
    <description>${rssDescription(info.description)}</description>
    <language>${languageTag(info.locale)}</language>
    <generator>${escapeXml(info.generator)}</generator>
    <lastBuildDate>${info.updated.toUTCString()}</lastBuildDate>
    <atom:link href="${escapeXml(info.self)}" rel="self" type="application/rss+xml"/>
${items.join('\n')}
  </channel>
</rss>
`;
}

export function buildAtom(info: FeedInfo, entries: FeedEntry[]): string {
  const items = entries.map(
    (entry) => `  <entry>
    <title type="text">${escapeXml(entry.title)}</title>
    <id>${escapeXml(entry.id)}</id>
    <link rel="alternate" type="text/html" href="${escapeXml(entry.link)}"/>
    <published>${entry.date.toISOString()}</published>
    <updated>${entry.date.toISOString()}</updated>
    <author><name>${escapeXml(entry.author)}</name></author>
    <summary type="text">${escapeXml(entry.summary)}</summary>
${entry.categories.map((c) => `    <category term="${escapeXml(c)}"/>`).join('\n')}
  </entry>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${languageTag(info.locale)}">
  <title type="text">${escapeXml(info.title)}</title>
  <subtitle type="text">${escapeXml(info.description)}</subtitle>
  <id>${escapeXml(info.self)}</id>
  <link rel="self" type="application/atom+xml" href="${escapeXml(info.self)}"/>
  <link rel="alternate" type="text/html" href="${escapeXml(info.link)}"/>
  <updated>${info.updated.toISOString()}</updated>
  <author><name>${escapeXml(info.generator)}</name></author>
  <generator>${escapeXml(info.generator)}</generator>
${items.join('\n')}
</feed>
`;
}

// ---------- iCalendar (RFC 5545) ----------

export interface CalendarEvent {
  uid: string;
  start: Date;
  summary: string;
  description: string;
  url: string;
  categories: string[];
  stamp: Date;
}

/** TEXT values: backslash, semicolon and comma are escaped, newlines become \n (RFC 5545 3.3.11). */
export function escapeIcsText(text: string): string {
  return String(text)
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * Lines longer than 75 octets are folded: CRLF followed by one space (RFC 5545 3.1). Octets, not characters, and
 * never inside a UTF-8 sequence, so "é" is not split across lines.
 */
export function foldIcsLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    const limit = parts.length === 0 ? 75 : 74; // continuation lines start with a space
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/** 2026-11-27T14:05:09.123Z -> 20261127T140509Z */
export function icsDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function buildIcs(
  calendar: { name: string; description: string; productId: string },
  events: CalendarEvent[],
): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${calendar.productId}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeIcsText(calendar.name)}`,
    `X-WR-CALDESC:${escapeIcsText(calendar.description)}`,
  ];
  for (const event of events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${event.uid}`,
      `DTSTAMP:${icsDate(event.stamp)}`,
      // A moment, not a span (the opening or the closing): no DTEND, so it ends when it starts (RFC 5545 3.6.1).
      `DTSTART:${icsDate(event.start)}`,
      `SUMMARY:${escapeIcsText(event.summary)}`,
      `DESCRIPTION:${escapeIcsText(event.description)}`,
      `URL:${event.url}`,
      ...(event.categories.length ? [`CATEGORIES:${event.categories.map(escapeIcsText).join(',')}`] : []),
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldIcsLine).join('\r\n') + '\r\n';
}
