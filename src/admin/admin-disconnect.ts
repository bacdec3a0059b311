import type { Connection } from '../connections/connection.ts';
import type { ConnectionStore } from '../connections/connection-store.ts';
import { isRelayError } from '../errors.ts';
import { type AdminRoute, defineRoute, notFound } from './admin-route.ts';
import { connectionParams, disconnectSchema, errorResponses } from './admin-schemas.ts';
import type { ConnectionView } from './connection-view.ts';

/** Deletes a connection's webhooks at Jira and forgets them (WebhookRegistrar.unregister). */
export interface WebhookRemover {
  unregister(connection: Connection): Promise<void>;
}

/**
 * Disconnect: the connection is marked `disconnected` first, so no sync, publish or webhook
 * re-registration starts meanwhile; then its webhooks are deleted at Jira. When Jira cannot be told
 * (grant revoked, Jira down) the site stays disconnected, the answer says so, and calling again
 * retries the deletion: deliveries for a disconnected site are dropped, and the webhook expires.
 */
export function disconnectRoute(
  deps: { readonly connections: ConnectionStore; readonly webhooks: WebhookRemover },
  view: (connection: Connection) => Promise<ConnectionView>,
): AdminRoute {
  return defineRoute({
    method: 'POST',
    path: '/connections/:id/disconnect',
    summary: 'Disconnect a site: unregister its webhooks at Jira and mark it disconnected.',
    params: connectionParams,
    responses: {
      200: { description: 'Disconnected; says whether Jira removed the webhooks.', schema: disconnectSchema },
      400: errorResponses.invalid,
      404: errorResponses.noConnection,
    },
    async handle({ params, log }) {
      const disconnected = await deps.connections.setStatus(params.id, 'disconnected');
      if (!disconnected) return notFound('connection');
      let error: string | null = null;
      try {
        // The connection passed in is already disconnected, so a failing grant cannot flip it back
        // to reauth_required on the way.
        await deps.webhooks.unregister(disconnected);
      } catch (err) {
        log.warn({ err, connection: params.id }, 'webhooks of a disconnected site not removed at Jira');
        error = isRelayError(err) ? `${err.code}: ${err.message}` : 'unexpected error (see the logs)';
      }
      log.info({ connection: params.id, webhooksUnregistered: error === null }, 'admin disconnected a site');
      return {
        status: 200,
        body: { connection: await view(disconnected), webhooksUnregistered: error === null, error },
      };
    },
  });
}
