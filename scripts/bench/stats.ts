import { setMaxListeners } from 'node:events';

/**
 * The bench's arithmetic: percentiles, medians, and sampling loops that always end (a count and a deadline).
 * Pure functions, so the smoke test can run them at a trivial size.
 */

/** The p-th percentile of already sorted samples (nearest rank). NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2
    ? (finite[mid] as number)
    : ((finite[mid - 1] as number) + (finite[mid] as number)) / 2;
}

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export interface Latencies {
  /** Samples taken (fewer than asked when the deadline came first). */
  n: number;
  p50: number;
  p95: number;
  /** Samples that failed (wrong status, network error); not counted in the percentiles. */
  errors: number;
  /** The first failure's message, to say why. */
  firstError?: string;
}

/**
 * Runs `fn` one call after another, `count` times or until `deadlineMs` has passed (whichever comes first; at least
 * one call), and returns the latency percentiles of the calls that succeeded.
 */
export async function sampleLatencies(
  fn: (i: number) => Promise<void>,
  options: { count: number; deadlineMs: number },
): Promise<Latencies> {
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const end = nowMs() + options.deadlineMs;
  for (let i = 0; i < options.count && (i === 0 || nowMs() < end); i++) {
    const start = nowMs();
    try {
      await fn(i);
      samples.push(nowMs() - start);
    } catch (error) {
      errors++;
      firstError ??= error instanceof Error ? error.message : String(error);
    }
  }
  samples.sort((a, b) => a - b);
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    errors,
    ...(firstError ? { firstError } : {}),
  };
}

export interface Throughput {
  /** Successful calls per second over the run. */
  perSecond: number;
  completed: number;
  errors: number;
  elapsedMs: number;
  p50: number;
  firstError?: string;
}

/**
 * Keeps `concurrency` calls in flight until `count` calls have started or `deadlineMs` has passed, then waits for
 * those in flight, but not forever: `signal` aborts them `graceMs` after the deadline (they count as failures).
 * Throughput is successful calls divided by the time until the last one ended.
 */
export async function measureThroughput(
  fn: (i: number, signal: AbortSignal) => Promise<void>,
  options: { concurrency: number; count: number; deadlineMs: number; graceMs?: number },
): Promise<Throughput> {
  const samples: number[] = [];
  let started = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = nowMs();
  const end = start + options.deadlineMs;
  const abort = new AbortController();
  // Every request in flight listens to it.
  setMaxListeners(0, abort.signal);
  const timer = setTimeout(
    () => abort.abort(new Error('abandoned after the deadline')),
    options.deadlineMs + (options.graceMs ?? options.deadlineMs),
  );
  const worker = async () => {
    while (started < options.count && (started === 0 || nowMs() < end)) {
      const i = started++;
      const t0 = nowMs();
      try {
        await fn(i, abort.signal);
        samples.push(nowMs() - t0);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  } finally {
    clearTimeout(timer);
  }
  const elapsedMs = nowMs() - start;
  samples.sort((a, b) => a - b);
  return {
    perSecond: samples.length / (elapsedMs / 1000),
    completed: samples.length,
    errors,
    elapsedMs,
    p50: percentile(samples, 50),
    ...(firstError ? { firstError } : {}),
  };
}
