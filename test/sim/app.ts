import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { SimContext } from './context.ts';
import { installJiraGate, JIRA_PREFIX } from './routes/jira-gate.ts';
import { registerMyselfRoutes } from './routes/myself.ts';
import { registerAuthorizeRoutes } from './routes/oauth-authorize.ts';
import { registerTokenRoutes } from './routes/oauth-token.ts';
import { registerSearchRoutes } from './routes/search.ts';
import { bump } from './stats.ts';

/** The simulator's one origin: auth.atlassian.com, api.atlassian.com and the /_sim control API. */
export async function buildSimApp(ctx: SimContext): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
  await app.register(formbody);
  app.addHook('onResponse', async (request, reply) => {
    bump(
      ctx.stats.requests,
      `${request.method} ${request.routeOptions.url ?? 'unknown'} ${reply.statusCode}`,
    );
  });
  registerAuthorizeRoutes(app, ctx);
  registerTokenRoutes(app, ctx);
  await app.register(
    async (jira) => {
      installJiraGate(jira, ctx, []);
      registerMyselfRoutes(jira, ctx);
      registerSearchRoutes(jira, ctx);
    },
    { prefix: JIRA_PREFIX },
  );
  return app;
}
