/**
 * CSV for spreadsheets (RFC 4180, CRLF line ends). Text cells that a spreadsheet would run as a formula (starting
 * with =, +, -, @, tab or carriage return) are neutralised with a leading apostrophe; numbers stay numbers.
 */
export const UTF8_BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return value.toISOString();
  let text = Array.isArray(value) ? value.map(String).join('; ') : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** Streams a CSV document (BOM, header, rows) from any row source, one line at a time: constant memory. */
export async function* csvDocument(
  header: readonly string[],
  rows: AsyncIterable<readonly unknown[]> | Iterable<readonly unknown[]>,
): AsyncGenerator<string> {
  yield UTF8_BOM + csvRow(header);
  for await (const row of rows) yield csvRow(row);
}
