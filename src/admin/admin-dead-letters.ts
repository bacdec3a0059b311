import { type AdminRoute, badRequest, conflict, defineRoute, notFound } from './admin-route.ts';
import {
  deadLetterPageSchema,
  deadLetterParams,
  deadLettersQuery,
  errorSchema,
  redriveAllBody,
  redriveAllSchema,
  redrivenSchema,
} from './admin-schemas.ts';
import type { DeadLetter, DeadLetters } from './dead-letters.ts';

const invalid = {
  description: 'A parameter or body field is invalid; `fields` names it.',
  schema: errorSchema,
};

/** Failed jobs of every queue (the re-drivable dead letters): list, re-drive one, re-drive all. */
export function deadLetterRoutes(deadLetters: DeadLetters): AdminRoute[] {
  const unknownQueue = (field: string, name: string) =>
    badRequest(`${field}: no queue named ${JSON.stringify(name)}`, [field]);

  return [
    defineRoute({
      method: 'GET',
      path: '/dead-letters',
      summary: 'Failed jobs of every queue, newest failure first, paged.',
      query: deadLettersQuery,
      responses: {
        200: { description: 'One page of dead letters.', schema: deadLetterPageSchema },
        400: invalid,
      },
      async handle({ query }) {
        if (query.queue !== undefined && !deadLetters.hasQueue(query.queue))
          return unknownQueue('query.queue', query.queue);
        const page = await deadLetters.list({
          ...(query.queue === undefined ? {} : { queue: query.queue }),
          offset: (query.page - 1) * query.pageSize,
          limit: query.pageSize,
        });
        return {
          status: 200,
          body: {
            total: page.total,
            page: query.page,
            pageSize: query.pageSize,
            items: page.items.map(toJson),
          },
        };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/dead-letters/:queue/:jobId/redrive',
      summary: 'Re-drive one failed job: back to waiting, with its attempts reset.',
      params: deadLetterParams,
      responses: {
        202: { description: 'Queued again.', schema: redrivenSchema },
        400: invalid,
        404: { description: 'No such queue or job.', schema: errorSchema },
        409: { description: 'The job is not failed (any more).', schema: errorSchema },
      },
      async handle({ params, log }) {
        const outcome = await deadLetters.redrive(params.queue, params.jobId);
        if (outcome.kind === 'not_found') return notFound('job');
        if (outcome.kind === 'not_failed') return conflict(`the job is ${outcome.state}, not failed`);
        log.info({ queue: params.queue, jobId: params.jobId }, 'admin re-drove a dead letter');
        return { status: 202, body: { queue: params.queue, id: params.jobId, redriven: true } };
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/dead-letters/redrive',
      summary: 'Re-drive failed jobs, oldest failure first, up to a limit per call.',
      body: redriveAllBody,
      responses: { 200: { description: 'What was re-driven.', schema: redriveAllSchema }, 400: invalid },
      async handle({ body, log }) {
        if (body.queue !== undefined && !deadLetters.hasQueue(body.queue))
          return unknownQueue('body.queue', body.queue);
        const report = await deadLetters.redriveAll({
          ...(body.queue === undefined ? {} : { queue: body.queue }),
          limit: body.limit,
        });
        log.info({ queue: body.queue ?? 'all', ...report }, 'admin re-drove dead letters');
        return { status: 200, body: report };
      },
    }),
  ];
}

function toJson(letter: DeadLetter) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    ...letter,
    createdAt: new Date(letter.createdAt).toISOString(),
    processedAt: iso(letter.processedAt),
    failedAt: iso(letter.failedAt),
  };
}
