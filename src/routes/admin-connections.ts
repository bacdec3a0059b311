import type { FastifyBaseLogger } from 'fastify';
import { type AdminRoute, conflict, defineRoute, notFound, type RouteResult } from '../admin/admin-route.ts';
import {
  backfillBody,
  connectionListSchema,
  connectionParams,
  connectionViewSchema,
  errorSchema,
  listConnectionsQuery,
  projectKeysBody,
  rewindBody,
  syncAcceptedSchema,
} from '../admin/admin-schemas.ts';
import { type ConnectionView, connectionView } from '../admin/connection-view.ts';
import type { SyncControl, SyncRequest } from '../admin/sync-control.ts';
import type { Connection } from '../connections/connection.ts';
import type { ConnectionStore } from '../connections/connection-store.ts';
import type { RegistrationStore } from '../webhooks/registration-store.ts';
import { disconnectRoute, type WebhookRemover } from './admin-disconnect.ts';

export interface ConnectionRouteDeps {
  readonly connections: ConnectionStore;
  readonly registrations: Pick<RegistrationStore, 'get'>;
  readonly webhooks: WebhookRemover;
  readonly sync: SyncControl;
  /** Queues a webhook registration check (after resume or a project change). */
  readonly reconcileWebhooks: (connectionId: string) => Promise<void>;
}

const notFoundResponse = { description: 'No connection with this id.', schema: errorSchema };
const badRequest = {
  description: 'A parameter or body field is invalid; `fields` names it.',
  schema: errorSchema,
};
const conflictResponse = {
  description: 'The connection is not in a status that allows this.',
  schema: errorSchema,
};
const syncResponses = {
  202: { description: 'Accepted; the sync side does the work.', schema: syncAcceptedSchema },
  400: badRequest,
  404: notFoundResponse,
  409: conflictResponse,
};
const viewResponse = { description: 'The connection after the change.', schema: connectionViewSchema };

export function connectionRoutes(deps: ConnectionRouteDeps): AdminRoute[] {
  const view = async (c: Connection): Promise<ConnectionView> => {
    const [registration, sync] = await Promise.all([deps.registrations.get(c.id), deps.sync.status(c.id)]);
    return connectionView(c, registration, sync);
  };
  const ok = async (c: Connection): Promise<RouteResult> => ({ status: 200, body: await view(c) });
  /** resync, backfill and rewind: only for an active connection, then the sync side's lever. */
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
      method: 'GET',
      path: '/connections',
      summary: 'List connected Jira sites with status, webhook registration and sync state.',
      query: listConnectionsQuery,
      responses: {
        200: { description: 'One page of connections, oldest first.', schema: connectionListSchema },
        400: badRequest,
      },
      async handle({ query }) {
        const all = (await deps.connections.list()).filter((c) => !query.status || c.status === query.status);
        const start = (query.page - 1) * query.pageSize;
        const connections = await Promise.all(all.slice(start, start + query.pageSize).map(view));
        return {
          status: 200,
          body: { total: all.length, page: query.page, pageSize: query.pageSize, connections },
        };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/connections/:id',
      summary: 'One connection.',
      params: connectionParams,
      responses: {
        200: { description: 'The connection.', schema: connectionViewSchema },
        400: badRequest,
        404: notFoundResponse,
      },
      async handle({ params }) {
        const connection = await deps.connections.get(params.id);
        return connection ? ok(connection) : notFound('connection');
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/connections/:id/resync',
      summary: 'Poll the site now instead of waiting for its schedule.',
      params: connectionParams,
      responses: syncResponses,
      handle: ({ params, log }) => lever(params.id, 'resync', log, () => deps.sync.resync(params.id)),
    }),
    defineRoute({
      method: 'POST',
      path: '/connections/:id/backfill',
      summary: 'Backfill every issue updated since a date, or from the beginning.',
      params: connectionParams,
      body: backfillBody,
      responses: syncResponses,
      handle: ({ params, body, log }) =>
        lever(params.id, 'backfill', log, () => deps.sync.backfill(params.id, body.from)),
    }),
    defineRoute({
      method: 'POST',
      path: '/connections/:id/rewind',
      summary: 'Move the poll cursor back, so changes since then are read again.',
      params: connectionParams,
      body: rewindBody,
      responses: syncResponses,
      handle: ({ params, body, log }) =>
        lever(params.id, 'rewind', log, () => deps.sync.rewindCursor(params.id, body.to)),
    }),
    defineRoute({
      method: 'POST',
      path: '/connections/:id/pause',
      summary: 'Pause a connection: no sync and no publishing until it is resumed.',
      params: connectionParams,
      responses: { 200: viewResponse, 400: badRequest, 404: notFoundResponse, 409: conflictResponse },
      async handle({ params, log }) {
        const connection = await deps.connections.get(params.id);
        if (!connection) return notFound('connection');
        if (connection.status === 'paused') return ok(connection);
        if (connection.status === 'disconnected')
          return conflict('a disconnected connection cannot be paused');
        const paused = await deps.connections.setStatus(params.id, 'paused');
        log.info({ connection: params.id, from: connection.status }, 'admin paused a connection');
        return paused ? ok(paused) : notFound('connection');
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/connections/:id/resume',
      summary: 'Resume a paused connection; its webhook registration is checked again.',
      params: connectionParams,
      responses: { 200: viewResponse, 400: badRequest, 404: notFoundResponse, 409: conflictResponse },
      async handle({ params, log }) {
        const connection = await deps.connections.get(params.id);
        if (!connection) return notFound('connection');
        if (connection.status === 'active') return ok(connection);
        if (connection.status !== 'paused')
          return conflict(
            `a ${connection.status} connection needs a new consent (/oauth/start), not a resume`,
          );
        const resumed = await deps.connections.setStatus(params.id, 'active');
        if (!resumed) return notFound('connection');
        // The webhook refresh sweep skipped it while paused: its registration may be near expiry.
        await deps.reconcileWebhooks(params.id);
        log.info({ connection: params.id }, 'admin resumed a connection');
        return ok(resumed);
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/connections/:id/projects',
      summary:
        'Set the projects to sync (null: every project the grant can see); the webhook filter follows.',
      params: connectionParams,
      body: projectKeysBody,
      responses: { 200: viewResponse, 400: badRequest, 404: notFoundResponse },
      async handle({ params, body, log }) {
        const updated = await deps.connections.setProjectKeys(params.id, body.projectKeys);
        if (!updated) return notFound('connection');
        if (updated.status === 'active') await deps.reconcileWebhooks(params.id);
        log.info({ connection: params.id, projectKeys: body.projectKeys }, 'admin set project keys');
        return ok(updated);
      },
    }),
    disconnectRoute(deps, view),
  ];
}
