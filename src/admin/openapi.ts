import { z } from 'zod';
import type { AdminRoute } from './admin-route.ts';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

/**
 * The OpenAPI 3.1 description of the admin API, generated from the route table: the routes that are
 * registered are exactly the ones described, with the zod schemas that validate them.
 */
export function openApiDocument(routes: readonly AdminRoute[], prefix: string, sessionCookie: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = `${prefix}${route.path}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'jira-relay admin API',
      version: '1',
      description:
        'Connections, sync levers, recent commands and dead letters. Every route needs ADMIN_TOKEN as a bearer token, or the session cookie `/admin/login` sets.',
    },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
        session: { type: 'apiKey', in: 'cookie', name: sessionCookie },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
  };
}

function operation(route: AdminRoute): Record<string, unknown> {
  const parameters = [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')];
  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    responses[status] = {
      description: spec.description,
      ...(spec.schema
        ? { content: { 'application/json': { schema: jsonSchema(spec.schema, 'output') } } }
        : {}),
    };
  }
  return {
    summary: route.summary,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: (jsonSchema(route.body, 'input').required ?? []).length > 0,
            content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input');
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property as Record<string, unknown>;
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(description === undefined ? {} : { description }),
      schema: rest,
    };
  });
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}
