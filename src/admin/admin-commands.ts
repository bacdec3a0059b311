import type { RedisCommandStore } from '../commands/command-store.ts';
import type { ConnectionStore } from '../connections/connection-store.ts';
import { type AdminRoute, defineRoute, notFound } from './admin-route.ts';
import {
  connectionParams,
  errorResponses,
  recentCommandsQuery,
  recentCommandsSchema,
} from './admin-schemas.ts';

export interface CommandRouteDeps {
  readonly connections: ConnectionStore;
  /** The two-way sync's command store: results are listed per site, as the command runner records them. */
  readonly commands: Pick<RedisCommandStore, 'recent'>;
}

/** Two-way sync seen from the admin API: a connection's recent commands and their results. */
export function commandRoutes(deps: CommandRouteDeps): AdminRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/connections/:id/commands',
      summary: "The site's most recent commands from Kafka and their results, newest first.",
      params: connectionParams,
      query: recentCommandsQuery,
      responses: {
        200: { description: "The recent commands of the connection's site.", schema: recentCommandsSchema },
        400: errorResponses.invalid,
        404: errorResponses.noConnection,
      },
      async handle({ params, query }) {
        const connection = await deps.connections.get(params.id);
        if (!connection) return notFound('connection');
        const commands = await deps.commands.recent(connection.siteHost, query.limit);
        return {
          status: 200,
          body: { connectionId: connection.id, siteHost: connection.siteHost, commands },
        };
      },
    }),
  ];
}
