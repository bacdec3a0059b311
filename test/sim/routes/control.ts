import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SimContext } from '../context.ts';
import {
  type AdminWebhookInput,
  ControlError,
  type ControlIssueInput,
  type SimControl,
} from '../control/control.ts';
import type { SimFaults } from '../faults.ts';

type Params = { cloudId: string; idOrKey: string; commentId: string; accountId: string };
type Body = Record<string, unknown> & { actorAccountId?: string };

/** /_sim: drive and inspect the simulator over HTTP (the demo, other processes, curl). */
export function registerControlRoutes(app: FastifyInstance, ctx: SimContext, control: SimControl): void {
  const run = async (reply: FastifyReply, fn: () => unknown, status = 200) => {
    try {
      const result = await fn();
      return reply.code(result === undefined ? 204 : status).send(result);
    } catch (err) {
      if (err instanceof ControlError)
        return reply.code(err.status).send({ error: err.message, details: err.details });
      throw err;
    }
  };
  const p = (params: unknown) => params as Params;
  const b = (body: unknown) => (body ?? {}) as Body;

  app.get('/_sim/state', async (_req, reply) => run(reply, () => control.state()));
  app.get('/_sim/stats', async (_req, reply) => run(reply, () => ctx.stats));
  app.get('/_sim/webhooks/deliveries', async (_req, reply) => run(reply, () => control.deliveries()));
  app.post('/_sim/faults', async (req, reply) =>
    run(reply, () => control.setFaults(b(req.body) as SimFaults)),
  );
  app.post('/_sim/clock/advance', async (req, reply) =>
    run(reply, () => {
      ctx.clock.advance(Number(b(req.body).ms ?? 0));
      return { now: ctx.clock.now() };
    }),
  );
  app.post('/_sim/consent-user', async (req, reply) =>
    run(reply, () => control.setNextConsentUser(String(b(req.body).accountId))),
  );
  app.post('/_sim/grants/:accountId/revoke', async (req, reply) =>
    run(reply, () => ({ revoked: ctx.grants.revokeGrant(p(req.params).accountId) })),
  );
  app.post('/_sim/tokens/expire', async (req, reply) => {
    const accountId = b(req.body).accountId;
    return run(reply, () => ({
      expired: ctx.grants.expireAccessTokens(
        ctx.clock.now(),
        typeof accountId === 'string' ? accountId : undefined,
      ),
    }));
  });
  app.post('/_sim/sites/:cloudId/issues', async (req, reply) =>
    run(reply, () => control.createIssue(p(req.params).cloudId, b(req.body) as ControlIssueInput), 201),
  );
  app.patch('/_sim/sites/:cloudId/issues/:idOrKey', async (req, reply) =>
    run(reply, () =>
      control.updateIssue(p(req.params).cloudId, p(req.params).idOrKey, b(req.body) as ControlIssueInput),
    ),
  );
  app.delete('/_sim/sites/:cloudId/issues/:idOrKey', async (req, reply) =>
    run(reply, () =>
      control.deleteIssue(p(req.params).cloudId, p(req.params).idOrKey, b(req.body).actorAccountId),
    ),
  );
  app.post('/_sim/sites/:cloudId/issues/:idOrKey/comments', async (req, reply) => {
    const { cloudId, idOrKey } = p(req.params);
    const body = b(req.body);
    return run(
      reply,
      () => control.addComment(cloudId, idOrKey, body.body as string, body.actorAccountId),
      201,
    );
  });
  app.patch('/_sim/sites/:cloudId/issues/:idOrKey/comments/:commentId', async (req, reply) => {
    const { cloudId, idOrKey, commentId } = p(req.params);
    const body = b(req.body);
    return run(reply, () =>
      control.updateComment(cloudId, idOrKey, commentId, body.body as string, body.actorAccountId),
    );
  });
  app.delete('/_sim/sites/:cloudId/issues/:idOrKey/comments/:commentId', async (req, reply) => {
    const { cloudId, idOrKey, commentId } = p(req.params);
    return run(reply, () => control.deleteComment(cloudId, idOrKey, commentId, b(req.body).actorAccountId));
  });
  app.post('/_sim/sites/:cloudId/admin-webhooks', async (req, reply) =>
    run(
      reply,
      () => control.registerAdminWebhook(p(req.params).cloudId, b(req.body) as unknown as AdminWebhookInput),
      201,
    ),
  );
}
