import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { parseConnectorsConfig } from '../../../connectors/config/parse-connectors-config.ts';
import { enabledConnectors } from '../../../connectors/registry.ts';
import type { KafkaEventPublisher } from '../../../src/kafka/kafka-event-publisher.ts';
import { createLogger } from '../../../src/logger.ts';
import { createMetrics } from '../../../src/metrics/registry.ts';
import { MappingProvider } from '../../../src/pipeline/mapping-provider.ts';
import { BullChangeQueue, type ChangeJob } from '../../../src/queues/change-queue.ts';
import { queueNames } from '../../../src/queues/queue-names.ts';
import { RedisEntityState } from '../../../src/state/entity-state.ts';
import { type PublishedRef, RedisPublishedVersions } from '../../../src/state/published-versions.ts';
import { startChangesWorker } from '../../../workers/changes-worker.ts';
import { issueChange, issueSnapshot } from '../../helpers/changes.ts';
import { bullPrefixOf, testRedis, uniqueName } from '../../helpers/services.ts';
import { waitUntil } from '../../helpers/wait-until.ts';
import { startTestPublisher } from './test-publisher.ts';

const log = createLogger({ level: 'silent' });
const topic = uniqueName('crm');
let publisher: KafkaEventPublisher;

beforeAll(async () => {
  publisher = await startTestPublisher([topic], 'busy-test', log);
});
afterAll(async () => {
  await publisher?.close();
});

/** The changes queue and its real worker, for the CRM connector alone; claims hold 5 s. */
function pipeline() {
  const parsed = parseConnectorsConfig(`connectors:\n  crm: { enabled: true, topic: ${topic} }\n`);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const redis = testRedis();
  const prefix = uniqueName('relay');
  const published = new RedisPublishedVersions(redis, { prefix, claimTtlMs: 5000, markerTtlSeconds: 600 });
  const queue = new Queue<ChangeJob>(queueNames.changes, {
    connection: testRedis(),
    prefix: bullPrefixOf(prefix),
  });
  const worker = startChangesWorker(
    { connection: testRedis(), prefix: bullPrefixOf(prefix) },
    {
      entities: new RedisEntityState(redis, prefix),
      mappings: new MappingProvider({
        connectors: enabledConnectors(parsed.config),
        fields: async () => undefined,
        ttlMs: 60_000,
        log,
      }),
      published,
      publisher,
      log,
      metrics: createMetrics(),
      now: () => new Date(),
      busyRetryMs: 100,
    },
  );
  onTestFinished(async () => {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
  });
  return { published, changes: new BullChangeQueue(queue) };
}

describe('a newer version that meets an older version being published', () => {
  it('waits about as long as the older publish takes, not for the claim to lapse', async () => {
    const { published, changes } = pipeline();
    const issueId = uniqueName('i').replace(/\D/g, '').slice(0, 9);
    const ref: PublishedRef = {
      connector: 'crm',
      siteHost: 'acme.atlassian.net',
      entity: 'issue',
      entityId: issueId,
    };
    const older = Date.parse('2024-03-01T10:00:00Z');
    const newer = older + 60_000;
    // Another worker is publishing the older version: its claim holds for 5 s unless released.
    const claim = await published.claim(ref, older, { deletion: false });
    if (claim.kind !== 'claimed') throw new Error(`claim ${claim.kind}`);
    const start = Date.now();
    await changes.enqueue([issueChange({ issue: issueSnapshot({ id: issueId }), version: newer })]);
    await new Promise((r) => setTimeout(r, 300));
    // Order holds while the older publish runs: the newer version has not gone out before it.
    expect(await published.current(ref)).toBeNull();
    await published.markPublished(ref, older, claim.token, { deletion: false });
    await waitUntil('the newer version', async () => (await published.current(ref))?.version === newer, {
      timeoutMs: 10_000,
    });
    // The older publish took 300 ms; the claim would have held for 5 s.
    expect(Date.now() - start).toBeLessThan(1500);
  });
});
