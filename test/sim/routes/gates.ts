import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimContext } from '../context.ts';
import { sleep, takeRule } from '../faults.ts';
import type { LimitVerdict } from '../rate-limiter.ts';
import { objectsReturned } from './cost.ts';
import { apiRoute, type JiraCall } from './jira-gate.ts';

type Gate = (call: JiraCall, request: FastifyRequest, reply: FastifyReply) => Promise<boolean> | boolean;

export function sendLimited(reply: FastifyReply, verdict: LimitVerdict): FastifyReply {
  return reply
    .code(429)
    .headers(verdict.headers)
    .send({ errorMessages: ['Rate limit exceeded.'], errors: {} });
}

/** Latency, random 5xx and scripted failures, before any limit is consulted. */
export function faultGate(ctx: SimContext): Gate {
  return async (_call, request, reply) => {
    const faults = ctx.faults.current;
    const latency = (faults.latencyMs ?? 0) + ctx.options.latencyMs;
    if (latency > 0) await sleep(latency);
    const rule = takeRule(faults.failNext, request.method, request.url, apiRoute(request));
    if (rule) {
      if (rule.retryAfterSeconds !== undefined) reply.header('retry-after', String(rule.retryAfterSeconds));
      if (rule.rateLimitReason) reply.header('ratelimit-reason', rule.rateLimitReason);
      reply
        .code(rule.status)
        .send(rule.body ?? { errorMessages: [`Simulated failure ${rule.status}`], errors: {} });
      return false;
    }
    const rate = faults.errorRate ?? ctx.options.errorRate;
    if (rate > 0 && Math.random() < rate) {
      reply
        .code(faults.errorStatus ?? 503)
        .send({ errorMessages: ['Service temporarily unavailable'], errors: {} });
      return false;
    }
    return true;
  };
}

/** The app-wide points quota, then the burst bucket of the site, endpoint and method. */
export function limitGate(ctx: SimContext): Gate {
  return (call, request, reply) => {
    const now = ctx.clock.now();
    const verdict =
      ctx.limiter.checkQuota(now) ??
      ctx.limiter.checkBurst(
        now,
        call.store.site.cloudId,
        request.method,
        request.routeOptions.url ?? request.url,
      );
    if (!verdict) return true;
    sendLimited(reply, verdict);
    return false;
  };
}

/** Charges 1 + objects returned for every Jira request a handler answered, and adds the quota headers. */
export function installCharging(app: FastifyInstance, ctx: SimContext): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode === 429 || reply.statusCode === 401) return payload;
    const { cloudId } = request.params as { cloudId?: string };
    if (!cloudId || !ctx.world.store(cloudId)) return payload;
    const now = ctx.clock.now();
    ctx.limiter.charge(
      now,
      cloudId,
      1 + objectsReturned(request),
      `${request.method} ${request.routeOptions.url ?? request.url}`,
    );
    reply.headers(ctx.limiter.quotaHeaders(now));
    return payload;
  });
}
