/**
 * Server-rendered, accessible SVG charts: no client JavaScript. Each chart is an <svg role="img"> named by its
 * <title> and described by its <desc>; views always put the same numbers in a data table next to it. Colours
 * meet WCAG contrast on white and print in greyscale; values are also written as text.
 */

export interface Bar {
  label: string;
  /** 0..1 for shares, any number for counts; null is drawn as "suppressed". */
  value: number | null;
  /** The text shown at the end of the bar, e.g. "20%" or "12". */
  display: string;
  highlight?: boolean;
}

export interface TrendPoint {
  label: string;
  value: number | null;
  display: string;
}

let counter = 0;
function uniqueId(prefix: string): string {
  counter = (counter + 1) % 1_000_000;
  return `${prefix}-${counter}`;
}

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

const BAR = '#26374a';
const HIGHLIGHT = '#af3c43';
const TEXT = '#333333';
const GRID = '#d6d9dd';

/** A horizontal bar chart: one labelled bar per category. */
export function barChart(options: {
  title: string;
  description: string;
  bars: Bar[];
  max?: number;
  width?: number;
}): string {
  const width = options.width ?? 720;
  // Room for the longest label (about 7.6 px a character at 14 px), within bounds.
  const longest = Math.max(0, ...options.bars.map((b) => b.label.length));
  const labelWidth = Math.min(360, Math.max(120, Math.ceil(longest * 7.6) + 16));
  const valueWidth = 70;
  const barArea = width - labelWidth - valueWidth;
  const rowHeight = 32;
  const height = options.bars.length * rowHeight + 8;
  const max = options.max ?? Math.max(1e-9, ...options.bars.map((b) => b.value ?? 0));
  const titleId = uniqueId('chart-title');
  const descId = uniqueId('chart-desc');
  const rows = options.bars.map((bar, i) => {
    const y = i * rowHeight + 4;
    const length = bar.value === null ? 0 : Math.max(bar.value > 0 ? 2 : 0, (bar.value / max) * barArea);
    const fill = bar.highlight ? HIGHLIGHT : BAR;
    return [
      `<text x="${labelWidth - 8}" y="${y + 20}" text-anchor="end" font-size="14" fill="${TEXT}"${bar.highlight ? ' font-weight="bold"' : ''}>${escapeXml(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${length.toFixed(1)}" height="${rowHeight - 10}" fill="${fill}"/>`,
      `<text x="${labelWidth + length + 6}" y="${y + 20}" font-size="14" fill="${TEXT}">${escapeXml(bar.display)}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">`,
    `<title id="${titleId}">${escapeXml(options.title)}</title>`,
    `<desc id="${descId}">${escapeXml(options.description)}</desc>`,
    `<line x1="${labelWidth}" y1="0" x2="${labelWidth}" y2="${height}" stroke="${GRID}"/>`,
    ...rows,
    '</svg>',
  ].join('');
}

/** A line chart of shares (0..1) across rounds, with an optional dashed target line. */
export function trendChart(options: {
  title: string;
  description: string;
  points: TrendPoint[];
  target?: { value: number; label: string };
  width?: number;
  /** Axis labels, in the page's language ("10 %" in French); whole percentages by default. */
  formatPercent?: (share: number) => string;
}): string {
  const width = options.width ?? 640;
  const height = 260;
  const left = 48;
  const right = 24;
  const top = 24;
  const bottom = 40;
  const values = options.points.map((p) => p.value ?? 0);
  const highest = Math.max(0.05, ...values, options.target?.value ?? 0) * 1.1;
  // Round gridlines: the smallest step that needs at most five of them.
  const step = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25].find((s) => highest / s <= 5) ?? 0.25;
  const max = Math.min(1, Math.ceil(highest / step) * step);
  const x = (i: number) =>
    options.points.length <= 1
      ? left + (width - left - right) / 2
      : left + (i * (width - left - right)) / (options.points.length - 1);
  const y = (v: number) => top + (1 - v / max) * (height - top - bottom);
  const titleId = uniqueId('chart-title');
  const descId = uniqueId('chart-desc');
  const ticks = Array.from({ length: Math.round(max / step) + 1 }, (_, i) => i * step);
  const known = options.points.map((p, i) => ({ ...p, i })).filter((p) => p.value !== null);
  const path = known
    .map((p, n) => `${n === 0 ? 'M' : 'L'}${x(p.i).toFixed(1)},${y(p.value as number).toFixed(1)}`)
    .join(' ');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">`,
    `<title id="${titleId}">${escapeXml(options.title)}</title>`,
    `<desc id="${descId}">${escapeXml(options.description)}</desc>`,
    ...ticks.map(
      (v) =>
        `<line x1="${left}" x2="${width - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${GRID}"/>` +
        `<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="12" fill="${TEXT}">${escapeXml(options.formatPercent?.(v) ?? `${Math.round(v * 100)}%`)}</text>`,
    ),
    options.target
      ? `<line x1="${left}" x2="${width - right}" y1="${y(options.target.value).toFixed(1)}" y2="${y(options.target.value).toFixed(1)}" stroke="${HIGHLIGHT}" stroke-width="2" stroke-dasharray="6 4"/>` +
        `<text x="${width - right}" y="${(y(options.target.value) - 6).toFixed(1)}" text-anchor="end" font-size="12" fill="${HIGHLIGHT}">${escapeXml(options.target.label)}</text>`
      : '',
    path ? `<path d="${path}" fill="none" stroke="${BAR}" stroke-width="3"/>` : '',
    ...known.map(
      (p) =>
        `<circle cx="${x(p.i).toFixed(1)}" cy="${y(p.value as number).toFixed(1)}" r="5" fill="${BAR}"/>` +
        `<text x="${x(p.i).toFixed(1)}" y="${(y(p.value as number) - 10).toFixed(1)}" text-anchor="middle" font-size="13" font-weight="bold" fill="${TEXT}">${escapeXml(p.display)}</text>`,
    ),
    ...options.points.map(
      (p, i) =>
        `<text x="${x(i).toFixed(1)}" y="${height - 14}" text-anchor="middle" font-size="13" fill="${TEXT}">${escapeXml(p.label)}</text>`,
    ),
    '</svg>',
  ].join('');
}
