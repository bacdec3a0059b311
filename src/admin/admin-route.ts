import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';

/** What a handler answers: a status and a JSON body. Expected failures (404, 409) are values too. */
export interface RouteResult {
  readonly status: number;
  readonly body: unknown;
}

interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
}

/**
 * One admin API route: its OpenAPI description and its handler, in one place. `run` validates the
 * raw request parts with the route's schemas and answers 400 naming every offending field before
 * the handler sees anything.
 */
export interface AdminRoute {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Fastify syntax, relative to the API prefix: `/connections/:id`. */
  readonly path: string;
  readonly summary: string;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  run(raw: RawRequest): Promise<RouteResult>;
}

interface RawRequest {
  readonly params: unknown;
  readonly query: unknown;
  readonly body: unknown;
  readonly log: FastifyBaseLogger;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

interface RouteSpec<P, Q, B> extends Omit<AdminRoute, 'run' | 'params' | 'query' | 'body'> {
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  handle(input: {
    params: Out<P>;
    query: Out<Q>;
    body: Out<B>;
    log: FastifyBaseLogger;
  }): Promise<RouteResult>;
}

export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<P, Q, B>): AdminRoute {
  const { handle, params, query, body, ...described } = spec;
  return {
    ...described,
    ...(params ? { params } : {}),
    ...(query ? { query } : {}),
    ...(body ? { body } : {}),
    async run(raw) {
      const problems: Problem[] = [];
      const input = {
        params: parsePart('params', params, raw.params, problems) as Out<P>,
        query: parsePart('query', query, raw.query, problems) as Out<Q>,
        // A POST without a body is an empty object: every body field is optional or has a default.
        body: parsePart('body', body, raw.body ?? {}, problems) as Out<B>,
        log: raw.log,
      };
      if (problems.length > 0) {
        const fields = [...new Set(problems.map((p) => p.field))];
        return badRequest(problems.map((p) => `${p.field}: ${p.message}`).join('; '), fields);
      }
      return handle(input);
    },
  };
}

interface Problem {
  readonly field: string;
  readonly message: string;
}

/** The parsed part, or undefined with its problems recorded as `part.path: message`. */
function parsePart(
  part: string,
  schema: z.ZodType | undefined,
  value: unknown,
  problems: Problem[],
): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const path = [part, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ field: `${path}.${key}`, message: 'unknown field' });
    } else {
      problems.push({ field: path, message: issue.message });
    }
  }
  return undefined;
}

export function badRequest(message: string, fields: readonly string[]): RouteResult {
  return { status: 400, body: { error: 'BAD_REQUEST', message, fields } };
}

export function notFound(what: string): RouteResult {
  return { status: 404, body: { error: 'NOT_FOUND', message: `no such ${what}` } };
}

export function conflict(message: string): RouteResult {
  return { status: 409, body: { error: 'CONFLICT', message } };
}
