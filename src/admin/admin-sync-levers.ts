import type { FastifyBaseLogger } from 'fastify';
import type { ConnectionStore } from '../connections/connection-store.ts';
import { type AdminRoute, conflict, defineRoute, notFound, type RouteResult } from './admin-route.ts';
import {
  backfillBody,
  connectionParams,
  errorResponses,
  rewindBody,
  syncAcceptedSchema,
} from './admin-schemas.ts';
import type { SyncControl, SyncRequest } from './sync-control.ts';

const responses = {
  202: { description: 'Accepted; the sync side does the work.', schema: syncAcceptedSchema },
  400: errorResponses.invalid,
  404: errorResponses.noConnection,
  409: errorResponses.wrongStatus,
};

/** resync, backfill and rewind: for an active connection, handed to the sync side's SyncControl. */
export function syncLeverRoutes(deps: { connections: ConnectionStore; sync: SyncControl }): AdminRoute[] {
  const lever = async (
    id: string,
    action: 'resync' | 'backfill' | 'rewind',
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
  ];
}
