import type { Connection } from '../connections/connection.ts';
import type { ConnectionStore } from '../connections/connection-store.ts';
import type { RegistrationStore } from '../webhooks/registration-store.ts';
import { disconnectRoute, type WebhookRemover } from './admin-disconnect.ts';
import { type AdminRoute, conflict, defineRoute, notFound, type RouteResult } from './admin-route.ts';
import {
  connectionListSchema,
  connectionParams,
  connectionViewSchema,
  errorResponses,
  listConnectionsQuery,
  projectKeysBody,
} from './admin-schemas.ts';
import { syncLeverRoutes } from './admin-sync-levers.ts';
import { type ConnectionView, connectionView } from './connection-view.ts';
import type { SyncControl } from './sync-control.ts';

export interface ConnectionRouteDeps {
  readonly connections: ConnectionStore;
  readonly registrations: Pick<RegistrationStore, 'get'>;
  readonly webhooks: WebhookRemover;
  readonly sync: SyncControl;
  /** Queues a webhook registration check (after resume or a project change). */
  readonly reconcileWebhooks: (connectionId: string) => Promise<void>;
}

type View = (connection: Connection) => Promise<ConnectionView>;

const { invalid, noConnection, wrongStatus } = errorResponses;
const changed = { description: 'The connection after the change.', schema: connectionViewSchema };

/** Every route about connections: read, sync levers, pause/resume, project keys, disconnect. */
export function connectionRoutes(deps: ConnectionRouteDeps): AdminRoute[] {
  const view: View = async (c) => {
    const [registration, sync] = await Promise.all([deps.registrations.get(c.id), deps.sync.status(c.id)]);
    return connectionView(c, registration, sync);
  };
  return [
    ...readRoutes(deps, view),
    ...syncLeverRoutes(deps),
    ...pauseRoutes(deps, view),
    projectsRoute(deps, view),
    disconnectRoute(deps, view),
  ];
}

function readRoutes(deps: ConnectionRouteDeps, view: View): AdminRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/connections',
      summary: 'List connected Jira sites with status, webhook registration and sync state.',
      query: listConnectionsQuery,
      responses: {
        200: { description: 'One page, oldest first.', schema: connectionListSchema },
        400: invalid,
      },
      async handle({ query }) {
        const all = (await deps.connections.list()).filter((c) => !query.status || c.status === query.status);
        const start = (query.page - 1) * query.pageSize;
        const connections = await Promise.all(all.slice(start, start + query.pageSize).map(view));
        const { page, pageSize } = query;
        return { status: 200, body: { total: all.length, page, pageSize, connections } };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/connections/:id',
      summary: 'One connection.',
      params: connectionParams,
      responses: {
        200: { description: 'The connection.', schema: connectionViewSchema },
        400: invalid,
        404: noConnection,
      },
      async handle({ params }) {
        const connection = await deps.connections.get(params.id);
        return connection ? { status: 200, body: await view(connection) } : notFound('connection');
      },
    }),
  ];
}

function pauseRoutes(deps: ConnectionRouteDeps, view: View): AdminRoute[] {
  const ok = async (c: Connection): Promise<RouteResult> => ({ status: 200, body: await view(c) });
  const responses = { 200: changed, 400: invalid, 404: noConnection, 409: wrongStatus };
  return [
    defineRoute({
      method: 'POST',
      path: '/connections/:id/pause',
      summary:
        'Pause a connection: until it is resumed, its signed webhook deliveries are acknowledged and dropped, and no poll, backfill or reconcile runs (the cursor stays put); changes already queued still publish.',
      params: connectionParams,
      responses,
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
      summary:
        'Resume a paused connection: a poll from the cursor starts at once (it reads what changed meanwhile) and the webhook registration is checked again.',
      params: connectionParams,
      responses,
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
        // Deliveries were dropped while paused; the cursor did not move, so a poll finds those changes.
        await deps.sync.resync(params.id);
        log.info({ connection: params.id }, 'admin resumed a connection');
        return ok(resumed);
      },
    }),
  ];
}

function projectsRoute(deps: ConnectionRouteDeps, view: View): AdminRoute {
  return defineRoute({
    method: 'PUT',
    path: '/connections/:id/projects',
    summary: 'Set the projects to sync (null: every project the grant can see); the webhook filter follows.',
    params: connectionParams,
    body: projectKeysBody,
    responses: { 200: changed, 400: invalid, 404: noConnection },
    async handle({ params, body, log }) {
      const updated = await deps.connections.setProjectKeys(params.id, body.projectKeys);
      if (!updated) return notFound('connection');
      if (updated.status === 'active') await deps.reconcileWebhooks(params.id);
      log.info({ connection: params.id, projectKeys: body.projectKeys }, 'admin set project keys');
      return { status: 200, body: await view(updated) };
    },
  });
}
