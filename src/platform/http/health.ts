import { Router } from 'express';

/**
 * /healthz: the process is alive (for restarts). /readyz: the database answers, so this instance can take traffic
 * (for the load balancer). Neither needs a session, a language or CSRF; they are mounted before all that.
 */
export function healthRouter(ping: () => Promise<boolean>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const database = await ping();
    res
      .status(database ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({
        status: database ? 'ready' : 'unavailable',
        checks: { database: database ? 'ok' : 'unreachable' },
      });
  });
  return router;
}
