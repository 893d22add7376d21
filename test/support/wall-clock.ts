/**
 * "YYYY-MM-DDTHH:mm" in Toronto, as a datetime-local input takes it. Written independently of
 * src/platform/zoned-time, so that tests typing dates do not check the app's conversion against itself.
 */
export function wallClock(date: Date): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'America/Toronto',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  })
    .format(date)
    .replace(' ', 'T');
}
