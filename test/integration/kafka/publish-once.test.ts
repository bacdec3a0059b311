import { describe, expect, it, onTestFinished } from 'vitest';
import { resolveFieldNames } from '../../../connectors/config/resolve-field-names.ts';
import type { JiraChange } from '../../../connectors/jira-change.ts';
import { entityRef } from '../../../connectors/jira-change.ts';
import { connectorRegistry } from '../../../connectors/registry.ts';
import type { Connector } from '../../../connectors/relay-event.ts';
import type { EventPublisher } from '../../../src/kafka/event-publisher.ts';
import { createKafkaClient } from '../../../src/kafka/kafka-client.ts';
import { KafkaEventPublisher } from '../../../src/kafka/kafka-event-publisher.ts';
import { ensureTopics } from '../../../src/kafka/topic-admin.ts';
import { createLogger } from '../../../src/logger.ts';
import { type PublishedVersions, RedisPublishedVersions } from '../../../src/state/published-versions.ts';
import { issue, issueChange, t0 } from '../../helpers/connector-fixtures.ts';
import { kafkaBrokers, testRedis, uniqueName } from '../../helpers/services.ts';
import { readBack, testKafka } from './read-back.ts';

type Mapping = ReturnType<typeof resolveFieldNames>['mapping'];

/**
 * The published-version marker protocol on its own, with the real publisher: claim the version, map,
 * publish (resolves after the broker's ack), mark. The product's processChange runs the same steps
 * behind the entity-state guard, which would stop most of these repeats before the markers are
 * reached; the worker path itself is tested in test/integration/workers/changes-worker.test.ts.
 */
async function publishStep(
  deps: { versions: PublishedVersions; publisher: EventPublisher },
  connector: Connector<Mapping>,
  mapping: Mapping,
  change: JiraChange,
): Promise<string> {
  const { kind, id } = entityRef(change);
  const ref = { connector: connector.name, siteHost: change.site.host, entity: kind, entityId: id };
  const opts = { deletion: change.kind === 'deleted' };
  const claim = await deps.versions.claim(ref, change.version, opts);
  if (claim.kind !== 'claimed') return claim.kind;
  const result = connector.map(change, mapping, new Date());
  if (result.kind === 'events') await deps.publisher.publish(result.events);
  await deps.versions.markPublished(ref, change.version, claim.token, opts);
  return result.kind;
}

async function setup() {
  const log = createLogger({ level: 'silent' });
  const kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId: uniqueName('once'), log });
  const topic = uniqueName('once-events');
  const dlqTopic = uniqueName('once-dlq');
  await ensureTopics(kafka, [topic, dlqTopic], { partitions: 3, replicationFactor: 1 }, log);
  const publisher = new KafkaEventPublisher({
    kafka,
    dlqTopic,
    lingerMs: 2,
    maxBatchMessages: 500,
    retryMaxDelayMs: 1000,
    publishTimeoutMs: 10_000,
    maxPendingMessages: 10_000,
    log,
  });
  await publisher.connect();
  const versions = new RedisPublishedVersions(testRedis(), {
    prefix: uniqueName('once'),
    claimTtlMs: 30_000,
    markerTtlSeconds: 3600,
  });
  onTestFinished(async () => {
    await publisher.close();
    const admin = testKafka(kafkaBrokers()).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, dlqTopic] }).catch(() => undefined);
    await admin.disconnect();
  });
  const settings = {
    topic,
    filter: { projects: [], issueTypes: [], labels: [] },
    fields: {},
    statuses: {},
    severities: {},
    defaultSeverity: 'warning' as const,
    enabled: true,
  };
  const mapping = resolveFieldNames(settings, []).mapping;
  return { publisher, versions, topic, dlqTopic, mapping };
}

describe('one ce_id per change, whichever path brings it', () => {
  it('publishes a change that arrives by webhook and by polling once, and never an older version after a newer', async () => {
    const { publisher, versions, topic, mapping } = await setup();
    const deps = { versions, publisher };
    const crm = connectorRegistry.crm;
    const v1 = issueChange({ source: 'webhook', version: t0, observedAt: t0 + 50 });
    const v1polled = issueChange({ source: 'poll', version: t0, observedAt: t0 + 60_000 });
    const v2 = issueChange({
      source: 'webhook',
      version: t0 + 1000,
      issue: issue({ summary: 'Checkout back up' }),
    });

    // Webhook and poll race for v1; v2 follows; then the poll path brings v1 again, late.
    const raced = await Promise.all([
      publishStep(deps, crm, mapping, v1),
      publishStep(deps, crm, mapping, v1polled),
    ]);
    // One path publishes; the other finds it in flight (busy: a retry then finds it published) or done.
    expect(raced.filter((r) => r === 'events')).toHaveLength(1);
    expect(raced.filter((r) => r === 'busy' || r === 'published')).toHaveLength(1);
    expect(await publishStep(deps, crm, mapping, v1polled)).toBe('published');
    expect(await publishStep(deps, crm, mapping, v2)).toBe('events');
    expect(await publishStep(deps, crm, mapping, v1)).toBe('superseded');

    const read = await readBack(testKafka(kafkaBrokers()), topic, 2, { quietMs: 1500 });
    expect(read).toHaveLength(2);
    expect(read.map((r) => JSON.parse(r.value).title)).toEqual(['Checkout returns 502', 'Checkout back up']);
    const v1Event = crm.map(v1polled, mapping, new Date());
    expect(v1Event.kind === 'events' && v1Event.events[0]?.id).toBe(read[0]?.headers.ce_id);
  });

  it('keeps the connectors apart: each publishes the change under its own ce_id', async () => {
    const { publisher, versions, topic, mapping } = await setup();
    const deps = { versions, publisher };
    const change = issueChange({ previous: null });
    expect(await publishStep(deps, connectorRegistry.crm, mapping, change)).toBe('events');
    expect(await publishStep(deps, connectorRegistry.monitoring, mapping, change)).toBe('events');
    expect(await publishStep(deps, connectorRegistry.crm, mapping, change)).toBe('published');
    const read = await readBack(testKafka(kafkaBrokers()), topic, 2, { quietMs: 1000 });
    expect(new Set(read.map((r) => r.headers.ce_id)).size).toBe(2);
  });
});
