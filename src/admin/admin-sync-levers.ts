import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import type { ConnectionStore } from '../connections/connection-store.ts';
import { type AdminRoute, conflict, defineRoute, notFound, type RouteResult } from './admin-route.ts';
import {
  backfillBody,
  connectionParams,
  connectionProgressSchema,
  errorResponses,
  replayBody,
  rewindBody,
  syncAcceptedSchema,
} from './admin-schemas.ts';
import { progressView } from './connection-view.ts';
import type { SyncControl, SyncRequest } from './sync-control.ts';

const responses = {
  202: { description: 'Accepted; the sync side does the work.', schema: syncAcceptedSchema },
  400: errorResponses.invalid,
  404: errorResponses.noConnection,
  409: errorResponses.wrongStatus,
};

/**
 * resync, backfill, rewind and replay: for an active connection, handed to the sync side's
 * SyncControl; and what the long passes report (progress).
 */
export function syncLeverRoutes(deps: { connections: ConnectionStore; sync: SyncControl }): AdminRoute[] {
  const lever = async (
    id: string,
    action: 'resync' | 'backfill' | 'rewind' | 'replay',
    log: FastifyBaseLogger,
    pull: () => Promise<SyncRequest>,
  ): Promise<RouteResult> => {
    const connection = await deps.connections.get(id);
    if (!connection) return notFound('connection');
    if (connection.status !== 'active') return conflict(`the connection is ${connection.status}`);
    const { jobId } = await pull();
    log.info({ connection: id, action, jobId }, 'admin sync request');
    return { status: 202, body: { connectionId: id, action, jobId } };
  };
  return [
    defineRoute({
      method: 'POST',
      path: '/connections/:id/resync',
      summary: 'Poll the site now instead of waiting for its schedule.',
      params: connectionParams,
      responses,
      handle: ({ params, log }) => lever(params.id, 'resync', log, () => deps.sync.resync(params.id)),
    }),
    defineRoute({
      method: 'POST',
      path: '/connections/:id/backfill',
      summary: 'Backfill every issue updated since a date, or from the beginning.',
      params: connectionParams,
      body: backfillBody,
      responses,
      handle: ({ params, body, log }) =>
        lever(params.id, 'backfill', log, () => deps.sync.backfill(params.id, body.from)),
    }),
    defineRoute({
      method: 'POST',
      path: '/connections/:id/rewind',
      summary: 'Move the poll cursor back, so changes since then are read again.',
      params: connectionParams,
      body: rewindBody,
      responses,
      handle: ({ params, body, log }) =>
        lever(params.id, 'rewind', log, () => deps.sync.rewindCursor(params.id, body.to)),
    }),
    defineRoute({
      method: 'POST',
      path: '/connections/:id/replay',
      summary:
        'Re-emit the current version of every issue (and its comments) changed in a window, read from Jira, under the ce_ids they were first published with: consumers that dedupe by ce_id see nothing new, one that lost its data gets it back. Paged and budgeted like a backfill; waits while the connection is paused; a new replay supersedes one running.',
      params: connectionParams,
      body: replayBody,
      responses,
      handle: ({ params, body, log }) =>
        lever(params.id, 'replay', log, () =>
          deps.sync.replay(params.id, {
            from: body.from.getTime(),
            to: (body.to ?? new Date()).getTime(),
            connectors: body.connectors ?? null,
          }),
        ),
    }),
    defineRoute({
      method: 'POST',
      path: '/connections/:id/replay/cancel',
      summary: 'Stop the running replay after the page in flight.',
      params: connectionParams,
      responses: {
        200: { description: 'Whether a replay was running and is now stopped.', schema: cancelledSchema },
        404: errorResponses.noConnection,
      },
      async handle({ params, log }) {
        if (!(await deps.connections.get(params.id))) return notFound('connection');
        const cancelled = await deps.sync.cancelReplay(params.id);
        log.info({ connection: params.id, cancelled }, 'admin replay cancel');
        return { status: 200, body: { connectionId: params.id, cancelled } };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/connections/:id/progress',
      summary: 'Progress of the backfill, reconcile and replay: issues done, estimated total, rate and ETA.',
      params: connectionParams,
      responses: {
        200: { description: 'Each pass, or null where none ran yet.', schema: connectionProgressSchema },
        404: errorResponses.noConnection,
      },
      async handle({ params }) {
        const progress = await deps.sync.progress(params.id);
        if (!progress) return notFound('connection');
        return { status: 200, body: { connectionId: params.id, progress: progressView(progress) } };
      },
    }),
  ];
}

const cancelledSchema = z.object({ connectionId: z.string(), cancelled: z.boolean() });
