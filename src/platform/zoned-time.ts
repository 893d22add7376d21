/**
 * Officers type dates and times as the organisation's wall-clock time (datetime-local inputs have no zone).
 * These convert between that wall-clock time in ORGANISATION_TIME_ZONE and instants, across daylight saving.
 */
export const ORGANISATION_TIME_ZONE = 'America/Toronto';

function wallClockParts(date: Date, timeZone: string): Record<string, number> {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(date);
  const out: Record<string, number> = {};
  for (const part of parts) if (part.type !== 'literal') out[part.type] = Number(part.value);
  return out;
}

/** The zone's offset from UTC at `date`, in milliseconds (e.g. -5 h in Toronto's winter). */
function offsetMs(date: Date, timeZone: string): number {
  const p = wallClockParts(date, timeZone);
  const asUtc = Date.UTC(
    p.year ?? 0,
    (p.month ?? 1) - 1,
    p.day ?? 1,
    p.hour ?? 0,
    p.minute ?? 0,
    p.second ?? 0,
  );
  return asUtc - Math.floor(date.getTime() / 1000) * 1000;
}

const LOCAL_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/;

/**
 * "2026-12-01T09:30" (or "2026-12-01", meaning midnight) in the organisation's zone -> the instant.
 * Anything else, or an impossible date like 2026-02-30, is undefined.
 */
export function parseWallClock(value: string, timeZone = ORGANISATION_TIME_ZONE): Date | undefined {
  const match = LOCAL_PATTERN.exec(String(value ?? '').trim());
  if (!match) return undefined;
  const [, y, mo, d, h = '00', mi = '00'] = match;
  const guess = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi));
  const check = new Date(guess);
  if (
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59
  ) {
    return undefined;
  }
  let instant = guess - offsetMs(new Date(guess), timeZone);
  // Near a daylight-saving change the offset at the guess and at the answer can differ: settle on the answer's.
  instant = guess - offsetMs(new Date(instant), timeZone);
  return new Date(instant);
}

/** The instant as "YYYY-MM-DDTHH:mm" on the organisation's wall clock (the value of a datetime-local input). */
export function toWallClock(date: Date | undefined, timeZone = ORGANISATION_TIME_ZONE): string {
  if (!date || Number.isNaN(date.getTime())) return '';
  const p = wallClockParts(date, timeZone);
  const pad = (n: number | undefined) => String(n ?? 0).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** The date part only ("YYYY-MM-DD"), for date inputs. */
export function toWallClockDate(date: Date | undefined, timeZone = ORGANISATION_TIME_ZONE): string {
  return toWallClock(date, timeZone).slice(0, 10);
}

/**
 * The calendar date ("YYYY-MM-DD") of a value that has no time of day, such as a round's start and end. Such values
 * are stored as midnight UTC (the demo, the API, indicator dates) or as midnight on the organisation's wall clock
 * (the officer form): exactly midnight UTC reads as its UTC date, anything else as its date in `timeZone`.
 * Showing midnight UTC in Toronto would otherwise give the day before (2018-03-01 -> February 28).
 */
export function calendarDate(date: Date, timeZone = ORGANISATION_TIME_ZONE): string {
  if (Number.isNaN(date.getTime())) return '';
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : toWallClockDate(date, timeZone);
}
