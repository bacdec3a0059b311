import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SimContext } from '../context.ts';
import { type AfterWriteRule, sleep, takeRule } from '../faults.ts';
import { bump } from '../stats.ts';
import { apiRoute } from './jira-gate.ts';

/** Routes that read with POST: they change nothing, so no after-write rule is spent on them. */
const READS_BY_POST = new Set(['/search/jql', '/issue/bulkfetch', '/changelog/bulkfetch', '/comment/list']);

/**
 * The `afterWrite` fault: once a write has taken effect (the handler answered 2xx, the change is
 * in the world and its webhooks fired), its answer is lost (`drop`: the TCP connection is
 * destroyed without a response) or late (`slow`: sent after `delayMs`). Clients see the "unknown
 * outcome" of a gateway timeout or a reset after Jira acted.
 */
export function installAfterWriteFaults(app: FastifyInstance, ctx: SimContext): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const rules = ctx.faults.current.afterWrite;
    if (!rules?.length || !isWrite(request) || reply.statusCode < 200 || reply.statusCode >= 300) {
      return payload;
    }
    const rule = takeRule(rules, request.method, request.url, apiRoute(request));
    if (!rule) return payload;
    bump(ctx.stats.faults, `afterWrite ${rule.mode} ${request.method} ${apiRoute(request)}`);
    await apply(rule, request);
    return payload;
  });
}

function isWrite(request: FastifyRequest): boolean {
  const route = apiRoute(request);
  return request.method !== 'GET' && request.method !== 'HEAD' && !READS_BY_POST.has(route ?? '');
}

async function apply(rule: AfterWriteRule, request: FastifyRequest): Promise<void> {
  if (rule.delayMs) await sleep(rule.delayMs);
  // Fastify still writes the answer afterwards; a destroyed socket swallows it.
  if (rule.mode === 'drop') request.raw.socket.destroy();
}
