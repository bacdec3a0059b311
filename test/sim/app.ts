import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { SimContext } from './context.ts';
import type { SimControl } from './control/control.ts';
import { installAfterWriteFaults } from './routes/after-write.ts';
import { registerBulkRoutes } from './routes/bulk.ts';
import { registerCommentRoutes } from './routes/comments.ts';
import { registerControlRoutes } from './routes/control.ts';
import { faultGate, installCharging, limitGate } from './routes/gates.ts';
import { registerIssueRoutes } from './routes/issues.ts';
import { installJiraGate, JIRA_PREFIX } from './routes/jira-gate.ts';
import { registerMetadataRoutes } from './routes/metadata.ts';
import { registerMyselfRoutes } from './routes/myself.ts';
import { registerAuthorizeRoutes } from './routes/oauth-authorize.ts';
import { registerTokenRoutes } from './routes/oauth-token.ts';
import { registerPropertyRoutes } from './routes/properties.ts';
import { registerSearchRoutes } from './routes/search.ts';
import { registerWebhookRoutes } from './routes/webhooks.ts';
import { bump } from './stats.ts';

/** The simulator's one origin: auth.atlassian.com, api.atlassian.com and the /_sim control API. */
export async function buildSimApp(
  ctx: SimContext,
  control: SimControl,
): Promise<{ app: FastifyInstance; routes: string[] }> {
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
  const routes: string[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url}`);
  });
  await app.register(formbody);
  app.addHook('onResponse', async (request, reply) => {
    bump(
      ctx.stats.requests,
      `${request.method} ${request.routeOptions.url ?? 'unknown'} ${reply.statusCode}`,
    );
  });
  registerAuthorizeRoutes(app, ctx);
  registerTokenRoutes(app, ctx);
  registerControlRoutes(app, ctx, control);
  await app.register(
    async (jira) => {
      installJiraGate(jira, ctx, [faultGate(ctx), limitGate(ctx)]);
      installCharging(jira, ctx);
      installAfterWriteFaults(jira, ctx);
      registerMyselfRoutes(jira, ctx);
      registerSearchRoutes(jira, ctx);
      registerIssueRoutes(jira, ctx);
      registerBulkRoutes(jira, ctx);
      registerCommentRoutes(jira, ctx);
      registerPropertyRoutes(jira, ctx);
      registerMetadataRoutes(jira, ctx);
      registerWebhookRoutes(jira, ctx);
    },
    { prefix: JIRA_PREFIX },
  );
  return { app, routes };
}
