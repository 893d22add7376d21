/** The bench's results: their JSON shape, the growth ratios and the markdown tables. */
import type { ApiResult, ExportResult, PageId, PageResult } from './measures';
import { PAGES } from './measures';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
}

const fmt = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined || !Number.isFinite(n)
    ? '—'
    : n.toLocaleString('en-CA', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export interface BenchResults {
  startedAt: string;
  durationSeconds?: number;
  machine: Machine;
  options: { repeats: number; sizes: number[] };
  load: { size: number; loadSeconds: number; rebuildSeconds: number }[];
  api?: { responsesInDatabase: number; results: ApiResult[] };
  pages: { size: number; results: PageResult[] }[];
  growth: { page: PageId; p50Ratio: number; p95Ratio: number }[];
  exports: ExportResult[];
  consistency?: { liveEqualsRebuilt: boolean; cells: number };
  /** Set when the run stopped early; what was measured before is kept. */
  error?: string;
}

export function markdown(results: BenchResults): string {
  const out: string[] = [];
  const m = results.machine;
  out.push(
    `Machine: ${m.cores} × ${m.cpu}, ${m.memoryGb} GB, ${m.platform}, Node ${m.node}; load average ${m.loadAverageAtStart.join(' / ')} at start${m.loadAverageAtEnd ? `, ${m.loadAverageAtEnd.join(' / ')} at end` : ''}. Medians of ${results.options.repeats} repetitions.`,
    '',
  );
  if (results.api) {
    out.push(
      `**API submissions** (${results.api.responsesInDatabase.toLocaleString('en-CA')} responses in the database)`,
      '',
    );
    out.push(
      '| concurrency | app (submissions/s) | bare `insertOne` (/s) | ratio app / bare | app p50 (ms) |',
      '|---|---|---|---|---|',
    );
    for (const r of results.api.results) {
      out.push(
        `| ${r.concurrency} | ${fmt(r.appPerSecond)} | ${fmt(r.barePerSecond)} | ${fmt(r.ratio, 3)} | ${fmt(r.appP50Ms)} |`,
      );
    }
    out.push('');
  }
  const sizes = results.pages.map((p) => p.size);
  if (sizes.length) {
    const first = sizes[0] as number;
    const last = sizes[sizes.length - 1] as number;
    out.push('**Pages**, p50 / p95 in ms, by responses in the survey', '');
    out.push(
      `| request | ${sizes.map((s) => s.toLocaleString('en-CA')).join(' | ')} | growth p50 ${last.toLocaleString('en-CA')} / ${first.toLocaleString('en-CA')} |`,
      `|---|${sizes.map(() => '---').join('|')}|---|`,
    );
    for (const page of PAGES) {
      const cells = results.pages.map((p) => {
        const r = p.results.find((x) => x.page === page.id);
        return r ? `${fmt(r.p50)} / ${fmt(r.p95)}` : '—';
      });
      const growth = results.growth.find((g) => g.page === page.id);
      out.push(`| ${page.label} | ${cells.join(' | ')} | ${fmt(growth?.p50Ratio, 2)} |`);
    }
    out.push('');
  }
  if (results.exports.length) {
    out.push(
      '**CSV export** of the survey (app process: peak VmHWM reset before each export; sampled VmRSS every 50 ms)',
      '',
    );
    out.push(
      '| responses | time (s) | size (MB) | RSS before (MB) | peak RSS (MB) | sampled peak (MB) |',
      '|---|---|---|---|---|---|',
    );
    for (const e of results.exports) {
      out.push(
        `| ${e.responses.toLocaleString('en-CA')} | ${fmt(e.seconds, 2)} | ${fmt(e.megabytes, 2)} | ${fmt(e.rssBeforeMb, 0)} | ${fmt(e.peakRssMb, 0)} | ${fmt(e.sampledPeakRssMb, 0)} |`,
      );
    }
    out.push('');
  }
  if (results.consistency) {
    out.push(
      `Participation counters after the bench: live ${results.consistency.liveEqualsRebuilt ? '==' : '!='} rebuilt from the ledger (${results.consistency.cells} cells).`,
    );
  }
  return out.join('\n');
}

export function growthOf(pages: BenchResults['pages']): BenchResults['growth'] {
  const first = pages[0];
  const last = pages[pages.length - 1];
  if (!first || !last || first === last) return [];
  return PAGES.map(({ id }) => {
    const a = first.results.find((r) => r.page === id);
    const b = last.results.find((r) => r.page === id);
    return {
      page: id,
      p50Ratio: (b?.p50 ?? NaN) / (a?.p50 ?? NaN),
      p95Ratio: (b?.p95 ?? NaN) / (a?.p95 ?? NaN),
    };
  });
}
