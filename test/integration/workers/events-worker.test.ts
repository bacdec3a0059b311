import { Job, Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import { createMetrics } from '../../../src/metrics/registry.ts';
import { BullChangeQueue, type ChangeJob } from '../../../src/queues/change-queue.ts';
import type { WebhookDelivery } from '../../../src/queues/webhook-delivery.ts';
import { RedisSeenDeliveries } from '../../../src/state/seen-deliveries.ts';
import { processDeliveries } from '../../../workers/events-worker.ts';
import { realWebhookBody } from '../../helpers/jira-webhook.ts';
import { redisUrl, testRedis, uniqueName } from '../../helpers/services.ts';

const queues: Queue[] = [];
afterEach(async () => {
  for (const q of queues.splice(0)) {
    await q.obliterate({ force: true });
    await q.close();
  }
});

function setup() {
  const connection = { url: redisUrl() };
  const events = new Queue(uniqueName('jira-events'), { connection });
  const changes = new Queue<ChangeJob>(uniqueName('jira-changes'), { connection });
  queues.push(events, changes);
  const deps = {
    seen: new RedisSeenDeliveries(testRedis(), uniqueName('relay'), 60_000),
    changes: new BullChangeQueue(changes),
    markdown: false,
    log: createLogger({ level: 'silent' }),
    metrics: createMetrics(),
  };
  const deliver = async (delivery: WebhookDelivery) => {
    const job = await Job.create(events, 'deliveries', { deliveries: [delivery] });
    const [outcome] = await processDeliveries(job, deps);
    return outcome;
  };
  return { changes, deliver };
}

function delivery(overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    siteHost: 'some-instance-test.atlassian.net',
    connectionId: 'conn-1',
    auth: 'jwt',
    deliveryId: uniqueName('d'),
    receivedAt: Date.now(),
    retry: 0,
    body: realWebhookBody('issue_updated'),
    ...overrides,
  };
}

describe('events worker', () => {
  it('turns a delivery into one queued JiraChange', async () => {
    const { changes, deliver } = setup();
    expect(await deliver(delivery())).toEqual({ outcome: 'queued', changes: 1 });
    const [job] = await changes.getJobs(['wait']);
    expect(job?.name).toBe('issue.updated');
    expect(job?.data.change).toMatchObject({
      entity: 'issue',
      issue: { id: '10040', key: 'TES-41' },
      source: 'webhook',
    });
  });

  it('queues a change once when Jira delivers it twice under one identifier, even after intake forgot it', async () => {
    const { changes, deliver } = setup();
    const first = delivery();
    await deliver(first);
    expect(await deliver({ ...first, retry: 1 })).toEqual({ outcome: 'duplicate' });
    expect(await changes.count()).toBe(1);
  });

  it('queues the same change once when two different deliveries carry it', async () => {
    const { changes, deliver } = setup();
    await deliver(delivery());
    await deliver(delivery());
    expect(await changes.count()).toBe(1);
  });

  it('skips events it cannot map, and refuses malformed jobs without retrying', async () => {
    const { deliver } = setup();
    const skipped = await deliver(delivery({ body: { webhookEvent: 'comment_created', comment: {} } }));
    expect(skipped).toMatchObject({ outcome: 'skipped' });
    await expect(deliver({ siteHost: '' } as WebhookDelivery)).rejects.toThrow(/invalid delivery job/);
  });
});
