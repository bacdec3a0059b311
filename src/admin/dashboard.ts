import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyPluginCallback } from 'fastify';
import { queueNames } from '../queues/queue-names.ts';

type BoardOptions = Parameters<typeof createBullBoard>[0];

const descriptions: Record<string, string> = {
  [queueNames.events]: 'Webhook deliveries from Jira, acknowledged once here',
  [queueNames.changes]: 'Normalized issue and comment changes, published to every connector',
  [queueNames.sync]: 'Polls, backfills (with progress) and reconciles, one in flight per site',
  [queueNames.maintenance]: 'Webhook refresh, token keep-alive, accessible-resources refresh',
};

/**
 * Bull Board for the given queues, as a Fastify plugin to register at `basePath`. It brings its
 * own routes (UI entry, static assets, its JSON API): the caller registers it inside a scope whose
 * onRequest hook authenticates, so every one of them is behind the admin token.
 */
export function dashboardPlugin(queues: readonly Queue[], basePath: string): FastifyPluginCallback {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: queues.map(
      (queue) =>
        new BullMQAdapter(queue, { allowRetries: true, description: descriptions[queue.name] ?? '' }),
    ),
    // @bull-board/fastify 9.10.1 declares its own copy of @bull-board/api's types (9.10.1); the
    // adapter interface is the same in 9.10.2, the declarations are merely separate.
    serverAdapter: serverAdapter as unknown as BoardOptions['serverAdapter'],
    options: { uiConfig: { boardTitle: 'jira-relay' } },
  });
  const board = serverAdapter.registerPlugin();
  return (instance, opts, done) => {
    instance.addHook('onSend', async (_request, reply, payload) =>
      typeof payload === 'string' && String(reply.getHeader('content-type')).startsWith('text/html')
        ? withoutRemoteFonts(payload)
        : payload,
    );
    board(instance, opts, done);
  };
}

/**
 * Bull Board's page links Google Fonts: every operator's browser would call a third party from an
 * admin page, and wait for it where outbound traffic is closed. The page falls back to local fonts.
 */
function withoutRemoteFonts(html: string): string {
  return html.replace(/<link[^>]+href="https:\/\/fonts\.(googleapis|gstatic)\.com[^>]*>\s*/g, '');
}
