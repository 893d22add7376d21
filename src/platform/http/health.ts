import { Router } from 'express';
import type { Connection } from 'mongoose';

export type DatabaseCheck = 'ok' | 'unreachable' | 'failing';

export interface Readiness {
  /** Whether this instance can take traffic, and why not. */
  check(): Promise<{ ready: boolean; database: DatabaseCheck }>;
  /** A request of this instance failed because the database was unavailable (the error handler calls this). */
  recordFailure(error?: unknown): void;
}

export interface ReadinessOptions {
  /** How long a failure of the app's own database operations keeps the instance "not ready". Default 15 s. */
  failureWindowMs?: number;
  /**
   * How long the ping may take. Default 5 s: on FerretDB the app has one connection, which also carries every query,
   * so the ping may wait behind them; that is what a load balancer's probe allows.
   */
  pingTimeoutMs?: number;
  /** Milliseconds now (tests move time on). */
  now?: () => number;
}

/**
 * Readiness of this instance's own database connection, not of the database in general: a fresh client that
 * connects and pings can succeed while the app's pool is failing every read. So:
 * - the connection mongoose uses for every query must be connected (readyState 1),
 * - a ping sent through that connection's pool must answer in time,
 * - and nothing the app did with that connection may have failed recently: requests that failed because the
 *   database was unavailable (reported by the error handler) and the driver clearing the pool after a network
 *   error on one of its connections (connectionPoolCleared; emitted once per outage, not per heartbeat) both count
 *   for `failureWindowMs`.
 */
export function databaseReadiness(connection: Connection, options: ReadinessOptions = {}): Readiness {
  const windowMs = options.failureWindowMs ?? 15_000;
  const pingTimeoutMs = options.pingTimeoutMs ?? 5_000;
  const now = options.now ?? Date.now;
  let lastFailureAt = Number.NEGATIVE_INFINITY;
  const recordFailure = () => {
    lastFailureAt = now();
  };

  // The driver client behind the connection: pool events of the pool the app's queries use.
  connection.getClient().on('connectionPoolCleared', recordFailure);
  connection.on('disconnected', recordFailure);
  connection.on('error', recordFailure);

  async function ping(): Promise<boolean> {
    const db = connection.db;
    if (!db || connection.readyState !== 1) return false;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        db.command({ ping: 1 }),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('ping timed out')), pingTimeoutMs);
        }),
      ]);
      return true;
    } catch {
      // Not recorded as a failure: a failed ping already makes the instance unready, and only for as long as it fails.
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async check() {
      if (!(await ping())) return { ready: false, database: 'unreachable' };
      if (now() - lastFailureAt < windowMs) return { ready: false, database: 'failing' };
      return { ready: true, database: 'ok' };
    },
    recordFailure,
  };
}

/**
 * /healthz: the process is alive (for restarts). /readyz: this instance's database connection works, so it can
 * take traffic (for the load balancer). Neither needs a session, a language or CSRF; they are mounted before all
 * that.
 */
export function healthRouter(readiness: Pick<Readiness, 'check'>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const { ready, database } = await readiness.check();
    res
      .status(ready ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: ready ? 'ready' : 'unavailable', checks: { database } });
  });
  return router;
}
