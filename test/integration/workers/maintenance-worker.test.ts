import { Queue, QueueEvents } from 'bullmq';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Connection } from '../../../src/connections/connection.ts';
import { maintenanceJobs } from '../../../src/queues/maintenance-jobs.ts';
import { queueNames } from '../../../src/queues/queue-names.ts';
import { RedisRegistrationStore } from '../../../src/webhooks/registration-store.ts';
import { WebhookRegistrar } from '../../../src/webhooks/webhook-registrar.ts';
import { scheduleMaintenance, startMaintenanceWorker } from '../../../workers/maintenance-worker.ts';
import { redisUrl, uniqueName } from '../../helpers/services.ts';
import { consent, startTokenStack } from '../tokens/token-stack.ts';

describe('maintenance worker: accessible-resources refresh', () => {
  it('is scheduled every ACCESSIBLE_RESOURCES_REFRESH_SECONDS and its job returns the refresh report', async () => {
    const stack = await startTokenStack({ sim: { sites: 2 } });
    const [alice] = stack.sim.users;
    const [kept, lost] = stack.sim.sites;
    if (!alice || !kept || !lost) throw new Error('the simulator needs a user and two sites');
    expect((await consent(stack, alice.accountId)).status).toBe(200);
    stack.sim.control.setSiteAccess(lost.cloudId, alice.accountId, false);

    const connection = { url: redisUrl(), maxRetriesPerRequest: null };
    const prefix = uniqueName('jr-maint');
    const queue = new Queue(queueNames.maintenance, { connection, prefix });
    const events = new QueueEvents(queueNames.maintenance, { connection, prefix });
    onTestFinished(async () => {
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    });
    await scheduleMaintenance(queue, {
      webhookRefreshMs: 3_600_000,
      keepAliveMs: 3_600_000,
      resourcesRefreshMs: 21_600_000,
    });
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.find((s) => s.key === 'accessible-resources-refresh')).toMatchObject({
      name: maintenanceJobs.refreshResources,
      every: 21_600_000,
    });
    // The schedulers' first runs would race the job under test: clear the queue before the worker starts.
    await queue.obliterate({ force: true });
    expect(await queue.getJobCounts()).toMatchObject({ waiting: 0, delayed: 0, active: 0 });

    const connected: Connection[][] = [];
    const worker = startMaintenanceWorker(
      { connection, prefix },
      {
        registrar: new WebhookRegistrar({
          connections: stack.services.connections,
          registrations: new RedisRegistrationStore(stack.redis, stack.keyPrefix),
          clientFor: (c) => stack.jira(c),
          callbackUrl: 'http://relay.test/webhooks/jira',
          refreshBeforeMs: 60_000,
          now: stack.sim.clock.now,
        }),
        connections: stack.services.connections,
        tokens: stack.services.tokens,
        queue,
        oauth: stack.services.oauth,
        onConnected: async (connections) => void connected.push(connections),
        allowedSites: [],
        log: stack.log,
      },
    );
    onTestFinished(() => worker.close());
    await events.waitUntilReady();

    const job = await queue.add(maintenanceJobs.refreshResources, {});
    const report = await job.waitUntilFinished(events, 10_000);

    expect(report).toEqual({ accounts: 1, updated: 0, removed: 1, added: 0, skipped: 0, failed: 0 });
    const lostConnection = (await stack.services.connections.list()).find((c) => c.cloudId === lost.cloudId);
    expect(lostConnection).toMatchObject({ accountIds: [], status: 'reauth_required' });
    expect(connected).toEqual([]);
  });
});
