import crypto from 'node:crypto';
import pinoHttp from 'pino-http';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger';

const INCOMING_ID = /^[\w.-]{8,128}$/;

/**
 * One log line per request with a request id (taken from a trusted proxy's X-Request-Id when well-formed,
 * else generated) that is echoed in the X-Request-Id response header and shown on 500 pages as the error id.
 * Only method, URL, status and timing are logged: no bodies, cookies or authorization headers.
 */
export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId(req, res) {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : crypto.randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel(_req, res, error) {
      if (error || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'info';
      return 'info';
    },
  }) as unknown as RequestHandler;
}
