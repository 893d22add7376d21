/**
 * Server-rendered, accessible SVG charts: no client JavaScript. Each chart is an <svg role="img"> named by its
 * <title> and described by its <desc>; views always put the same numbers in a data table next to it. Colours
 * meet WCAG contrast on white and print in greyscale; values are also written as text.
 *
 * The charts have no viewBox: they are as wide as their container and a fixed height in CSS pixels, horizontal
 * positions are percentages (offsets in pixels through `dx`), vertical ones pixels. So text is drawn at its own
 * size at any width (a viewBox would scale a 14 px label down to 6 px on a phone), and nothing needs the page to
 * be wider than the screen. Labels that would collide are moved (a second row, below the point), and words that
 * need no position (the target, "in progress") are a legend in HTML under the drawing, where they wrap.
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
  /** Where the point sits on the time axis (x is proportional to time); without dates, points are evenly spaced. */
  date?: Date;
  /** Still collecting: drawn hollow, reached by a dashed line, and named in the legend. */
  inProgress?: boolean;
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

/** Font sizes in CSS pixels (the drawing is never scaled). */
const FONT = 14;
const SMALL_FONT = 13;
/** A text's width in pixels, roughly (average glyph of the UI fonts: 0.6 em), to keep labels apart. */
const textWidth = (text: string, size: number) => text.length * size * 0.6;
/** The narrowest drawing the layout plans for: a 320 px screen less the page's padding. */
const NARROWEST = 280;

/**
 * A bar chart, one category per row: its label on a line of its own (full width, so long labels fit a phone), the
 * bar under it, and the value right after the bar. Bars use at most 70% of the width, leaving the value room.
 */
export function barChart(options: {
  title: string;
  description: string;
  bars: Bar[];
  max?: number;
  /** The widest the drawing should be, in CSS pixels (it shrinks with its container). */
  width?: number;
}): string {
  const rowHeight = 48;
  const height = options.bars.length * rowHeight + 4;
  const max = options.max ?? Math.max(1e-9, ...options.bars.map((b) => b.value ?? 0));
  const titleId = uniqueId('chart-title');
  const descId = uniqueId('chart-desc');
  const rows = options.bars.map((bar, i) => {
    const y = i * rowHeight;
    const share = bar.value === null ? 0 : Math.max(0, Math.min(1, bar.value / max));
    const length = share * 70;
    // A value above zero always shows a sliver of bar.
    const rect =
      bar.value !== null && bar.value > 0
        ? `<rect x="0" y="${y + 24}" width="${Math.max(length, 0.5).toFixed(2)}%" height="16" fill="${bar.highlight ? HIGHLIGHT : BAR}"/>`
        : '';
    return [
      `<text class="chart__label" x="0" y="${y + 17}" font-size="${FONT}" fill="${TEXT}"${bar.highlight ? ' font-weight="bold"' : ''}>${escapeXml(bar.label)}</text>`,
      rect,
      `<text class="chart__value" x="${length.toFixed(2)}%" dx="${bar.value ? 6 : 0}" y="${y + 37}" font-size="${FONT}" fill="${TEXT}">${escapeXml(bar.display)}</text>`,
    ].join('');
  });
  const style = options.width ? ` style="max-width:${options.width}px"` : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--bars" role="img" aria-labelledby="${titleId} ${descId}" width="100%" height="${height}"${style}>`,
    `<title id="${titleId}">${escapeXml(options.title)}</title>`,
    `<desc id="${descId}">${escapeXml(options.description)}</desc>`,
    ...rows,
    '</svg>',
  ].join('');
}

/**
 * A line chart of shares (0..1) across rounds: x proportional to each round's date, a dashed target line, rounds
 * in progress drawn hollow with a dashed line to them. Returns the SVG and, when needed, its legend (HTML).
 */
export function trendChart(options: {
  title: string;
  description: string;
  points: TrendPoint[];
  target?: { value: number; label: string };
  /** Axis labels, in the page's language ("10 %" in French); whole percentages by default. */
  formatPercent?: (share: number) => string;
  /** Legend text for a round in progress (shown when a point is in progress). */
  inProgressLabel?: string;
}): string {
  const height = 240;
  const top = 28;
  const bottom = 52;
  // The plot's horizontal extent, in percent: the y-axis labels sit in the left gutter, above their gridlines.
  const left = 14;
  const right = 94;
  const values = options.points.map((p) => p.value ?? 0);
  const highest = Math.max(0.05, ...values, options.target?.value ?? 0) * 1.1;
  // Round gridlines: the smallest step that needs at most five of them.
  const step = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25].find((s) => highest / s <= 5) ?? 0.25;
  const max = Math.min(1, Math.ceil(highest / step) * step);
  const y = (v: number) => top + (1 - v / max) * (height - top - bottom);
  const positions = timePositions(options.points);
  const x = (i: number) => left + (positions[i] ?? 0.5) * (right - left);
  const pct = (value: number) => `${value.toFixed(2)}%`;
  const titleId = uniqueId('chart-title');
  const descId = uniqueId('chart-desc');
  const ticks = Array.from({ length: Math.round(max / step) + 1 }, (_, i) => i * step);
  const known = options.points.map((p, i) => ({ ...p, i })).filter((p) => p.value !== null);

  // Segments (a path cannot mix % and px): dashed when it leads to a round in progress.
  const segments = known.slice(1).map((p, n) => {
    const from = known[n]!;
    const dash = p.inProgress ? ' stroke-dasharray="6 5"' : '';
    return `<line x1="${pct(x(from.i))}" y1="${y(from.value as number).toFixed(1)}" x2="${pct(x(p.i))}" y2="${y(p.value as number).toFixed(1)}" stroke="${BAR}" stroke-width="3"${dash}/>`;
  });

  // Value labels above their points, or below when a neighbour's label (closer than a label's width at the
  // narrowest drawing) sits at about the same height, or when the target line runs just above the point.
  const plotWidth = (NARROWEST * (right - left)) / 100;
  const placed: { at: number; y: number; width: number }[] = [];
  const targetY = options.target ? y(options.target.value) : undefined;
  const valueLabels = known.map((p) => {
    const cx = x(p.i);
    const cy = y(p.value as number);
    const width = textWidth(p.display, SMALL_FONT);
    const px = ((cx - left) / (right - left)) * plotWidth;
    const collides = (ly: number) =>
      placed.some(
        (o) => Math.abs(o.at - px) < (o.width + width) / 2 + 6 && Math.abs(o.y - ly) < SMALL_FONT + 4,
      ) ||
      (targetY !== undefined && Math.abs(targetY - (ly - SMALL_FONT / 2 + 1)) < SMALL_FONT / 2 + 3);
    let ly = cy - 12;
    if (collides(ly) || ly - SMALL_FONT < 2) ly = cy + 22;
    placed.push({ at: px, y: ly, width });
    // Near an edge the label ends (or starts) at the point instead of being centred on it, so it stays inside.
    const anchor = cx > right - 6 ? 'end' : cx < left + 6 ? 'start' : 'middle';
    const shift = anchor === 'end' ? ' dx="6"' : anchor === 'start' ? ' dx="-6"' : '';
    return `<text class="chart__value" x="${pct(cx)}"${shift} y="${ly.toFixed(1)}" text-anchor="${anchor}" font-size="${SMALL_FONT}" font-weight="bold" fill="${TEXT}">${escapeXml(p.display)}</text>`;
  });

  // Axis labels: on a second row when they would touch the previous one at the narrowest drawing.
  const lastOnRow = [-Infinity, -Infinity];
  const axisLabels = options.points.map((p, i) => {
    const px = ((x(i) - left) / (right - left)) * plotWidth;
    const half = textWidth(p.label, SMALL_FONT) / 2 + 4;
    const row = px - half >= lastOnRow[0]! ? 0 : 1;
    lastOnRow[row] = px + half;
    return `<text class="chart__axis" x="${pct(x(i))}" y="${height - 30 + row * 18}" text-anchor="middle" font-size="${SMALL_FONT}" fill="${TEXT}">${escapeXml(p.label)}</text>`;
  });

  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--trend" role="img" aria-labelledby="${titleId} ${descId}" width="100%" height="${height}">`,
    `<title id="${titleId}">${escapeXml(options.title)}</title>`,
    `<desc id="${descId}">${escapeXml(options.description)}</desc>`,
    ...ticks.map(
      (v) =>
        `<line x1="0" x2="${pct(right)}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${GRID}"/>` +
        `<text class="chart__axis" x="0" y="${(y(v) - 4).toFixed(1)}" font-size="12" fill="${TEXT}">${escapeXml(options.formatPercent?.(v) ?? `${Math.round(v * 100)}%`)}</text>`,
    ),
    options.target
      ? `<line class="chart__target" x1="${pct(left)}" x2="${pct(right)}" y1="${(targetY as number).toFixed(1)}" y2="${(targetY as number).toFixed(1)}" stroke="${HIGHLIGHT}" stroke-width="2" stroke-dasharray="8 5"/>`
      : '',
    ...segments,
    ...known.map((p) =>
      p.inProgress
        ? `<circle class="chart__point chart__point--in-progress" cx="${pct(x(p.i))}" cy="${y(p.value as number).toFixed(1)}" r="5" fill="#ffffff" stroke="${BAR}" stroke-width="3"/>`
        : `<circle class="chart__point" cx="${pct(x(p.i))}" cy="${y(p.value as number).toFixed(1)}" r="5" fill="${BAR}"/>`,
    ),
    ...valueLabels,
    ...axisLabels,
    '</svg>',
  ].join('');

  const legend: string[] = [];
  if (options.target) {
    legend.push(
      `<li><svg class="chart-legend__key" aria-hidden="true" focusable="false" width="28" height="12"><line x1="0" x2="28" y1="6" y2="6" stroke="${HIGHLIGHT}" stroke-width="2" stroke-dasharray="8 5"/></svg>${escapeXml(options.target.label)}</li>`,
    );
  }
  if (options.inProgressLabel && known.some((p) => p.inProgress)) {
    legend.push(
      `<li><svg class="chart-legend__key" aria-hidden="true" focusable="false" width="28" height="12"><line x1="0" x2="16" y1="6" y2="6" stroke="${BAR}" stroke-width="3" stroke-dasharray="6 5"/><circle cx="21" cy="6" r="4" fill="#ffffff" stroke="${BAR}" stroke-width="2"/></svg>${escapeXml(options.inProgressLabel)}</li>`,
    );
  }
  // The legend repeats what the data table says; screen readers get it there (and in the <desc>).
  return legend.length ? `${svg}<ul class="chart-legend">${legend.join('')}</ul>` : svg;
}

/** Each point's place on a 0..1 axis: proportional to its date when every point has one, else evenly spaced. */
export function timePositions(points: Pick<TrendPoint, 'date'>[]): number[] {
  if (points.length === 0) return [];
  if (points.length === 1) return [0.5];
  const times = points.map((p) => p.date?.getTime());
  if (times.every((t): t is number => t !== undefined && Number.isFinite(t))) {
    const first = Math.min(...times);
    const last = Math.max(...times);
    if (last > first) return times.map((t) => (t - first) / (last - first));
  }
  return points.map((_, i) => i / (points.length - 1));
}
