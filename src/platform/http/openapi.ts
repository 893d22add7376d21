import { Router } from 'express';
import { z } from 'zod';
import { SESSION_COOKIE } from './session';

/** An OpenAPI 3.1 operation or schema object; kept loose on purpose (it is data for clients, not for us). */
export type OpenApiObject = Record<string, unknown>;
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * The one OpenAPI document of the public API (/api/v1/openapi.json). The composition root creates a registry and
 * hands it to each module, which adds its own paths and schemas next to the routes they describe, so the document
 * cannot drift from the code in one place while another module edits it.
 */
export interface OpenApiRegistry {
  /** Adds an operation; adding the same method on the same path twice is a programming error. */
  addOperation(path: string, method: HttpMethod, operation: OpenApiObject): void;
  /** Adds a reusable schema under components/schemas; reference it as `#/components/schemas/<name>`. */
  addSchema(name: string, schema: OpenApiObject): void;
  addParameter(name: string, parameter: OpenApiObject): void;
  addTag(name: string, description: string): void;
  /** The whole document, with the server URL of this deployment. */
  document(baseUrl: string): OpenApiObject;
}

export function createOpenApiRegistry(info: {
  title: string;
  version: string;
  description?: string;
}): OpenApiRegistry {
  const paths = new Map<string, Map<HttpMethod, OpenApiObject>>();
  const schemas = new Map<string, OpenApiObject>();
  const parameters = new Map<string, OpenApiObject>();
  const tags = new Map<string, string>();

  // Shared shape of every error under /api/ (platform/http/error-handler.ts).
  schemas.set('Problem', {
    type: 'object',
    description: 'An error, as RFC 9457 application/problem+json.',
    required: ['type', 'title', 'status'],
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
        },
      },
      errorId: { type: 'string' },
    },
  });

  return {
    addOperation(path, method, operation) {
      const item = paths.get(path) ?? new Map<HttpMethod, OpenApiObject>();
      if (item.has(method)) throw new Error(`OpenAPI: ${method.toUpperCase()} ${path} is already registered`);
      item.set(method, operation);
      paths.set(path, item);
    },
    addSchema(name, schema) {
      if (schemas.has(name)) throw new Error(`OpenAPI: schema ${name} is already registered`);
      schemas.set(name, schema);
    },
    addParameter(name, parameter) {
      if (parameters.has(name)) throw new Error(`OpenAPI: parameter ${name} is already registered`);
      parameters.set(name, parameter);
    },
    addTag(name, description) {
      tags.set(name, description);
    },
    document(baseUrl) {
      const sortedPaths = [...paths.entries()].sort(([a], [b]) => a.localeCompare(b));
      return {
        openapi: '3.1.0',
        info: {
          title: info.title,
          version: info.version,
          ...(info.description ? { description: info.description } : {}),
          // The software's licence (the open data has its own, in /open-data/datapackage.json).
          license: { name: 'MIT', identifier: 'MIT' },
        },
        servers: [{ url: baseUrl }],
        // Every operation answers anonymous callers; with a staff session cookie some answer exact counts.
        security: [{}, { session: [] }],
        tags: [...tags.entries()].map(([name, description]) => ({ name, description })),
        paths: Object.fromEntries(sortedPaths.map(([path, item]) => [path, Object.fromEntries(item)])),
        components: {
          schemas: Object.fromEntries(schemas),
          parameters: Object.fromEntries(parameters),
          securitySchemes: {
            session: {
              type: 'apiKey',
              in: 'cookie',
              name: SESSION_COOKIE,
              description: 'The session of a signed-in user (staff see exact, unsuppressed counts).',
            },
          },
        },
      };
    },
  };
}

/**
 * The JSON Schema (2020-12, the dialect of OpenAPI 3.1) of what a request must be, generated from the zod schema the
 * route validates it with: the document and the validation have one source, so they cannot disagree.
 */
export function requestSchema(schema: z.ZodType): OpenApiObject {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as OpenApiObject;
  delete json.$schema;
  return json;
}

/**
 * OpenAPI parameters from a zod object (one per property) that the route validates its query, path or headers
 * with. A property's `.meta({ description })` becomes the parameter's description.
 */
export function parametersOf(schema: z.ZodObject, where: 'query' | 'path' | 'header'): OpenApiObject[] {
  const json = requestSchema(schema) as { properties?: Record<string, OpenApiObject>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

/** GET /api/v1/openapi.json: the document, built on each request from what the modules registered. */
export function openApiRouter(registry: OpenApiRegistry, baseUrl: string): Router {
  const router = Router();
  router.get('/api/v1/openapi.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300');
    res.type('application/json').send(JSON.stringify(registry.document(baseUrl), null, 2));
  });
  return router;
}
