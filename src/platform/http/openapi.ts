import { Router } from 'express';

/**
 * The one OpenAPI 3.1 document of the JSON API, served at /api/v1/openapi.json. Modules add their paths and
 * component schemas when the app is composed; nothing here knows about any module.
 */
export interface OpenApiRegistry {
  addPaths(paths: Record<string, unknown>): void;
  addSchemas(schemas: Record<string, unknown>): void;
  document(): Record<string, unknown>;
  router(): Router;
}

export function createOpenApiRegistry(info: {
  title: string;
  version: string;
  baseUrl: string;
}): OpenApiRegistry {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details, in the language asked for with Accept-Language.',
      properties: {
        type: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        errors: {
          type: 'array',
          items: {
            type: 'object',
            properties: { field: { type: 'string' }, message: { type: 'string' } },
            required: ['field', 'message'],
          },
        },
      },
      required: ['title', 'status'],
    },
  };
  const registry: OpenApiRegistry = {
    addPaths(more) {
      Object.assign(paths, more);
    },
    addSchemas(more) {
      Object.assign(schemas, more);
    },
    document() {
      return {
        openapi: '3.1.0',
        info: { title: info.title, version: info.version },
        servers: [{ url: info.baseUrl }],
        paths,
        components: { schemas },
      };
    },
    router() {
      const router = Router();
      /** GET /api/v1/openapi.json */
      router.get('/api/v1/openapi.json', (_req, res) => {
        res.json(registry.document());
      });
      return router;
    },
  };
  return registry;
}
