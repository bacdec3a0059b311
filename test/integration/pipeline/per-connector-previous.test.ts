import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConnectorsConfig } from '../../../connectors/config/parse-connectors-config.ts';
import { enabledConnectors } from '../../../connectors/registry.ts';
import type { RelayEvent } from '../../../connectors/relay-event.ts';
import type { KafkaEventPublisher } from '../../../src/kafka/kafka-event-publisher.ts';
import { createLogger } from '../../../src/logger.ts';
import { createMetrics } from '../../../src/metrics/registry.ts';
import { MappingProvider } from '../../../src/pipeline/mapping-provider.ts';
import { processChange } from '../../../src/pipeline/process-change.ts';
import { RedisEntityState } from '../../../src/state/entity-state.ts';
import { RedisPublishedVersions } from '../../../src/state/published-versions.ts';
import { issueChange, issueSnapshot } from '../../helpers/changes.ts';
import { testRedis, uniqueName } from '../../helpers/services.ts';
import { startTestPublisher } from './test-publisher.ts';

const log = createLogger({ level: 'silent' });
const crmTopic = uniqueName('crm');
const monitoringTopic = uniqueName('monitoring');
let kafkaPublisher: KafkaEventPublisher;

beforeAll(async () => {
  kafkaPublisher = await startTestPublisher([crmTopic, monitoringTopic], 'previous-test', log);
});
afterAll(async () => {
  await kafkaPublisher?.close();
});

/** processChange for CRM and monitoring on real Redis and Kafka; records what Kafka acked. */
function pipeline(claimTtlMs: number) {
  const parsed = parseConnectorsConfig(
    `connectors:\n  crm: { enabled: true, topic: ${crmTopic} }\n  monitoring: { enabled: true, topic: ${monitoringTopic} }\n`,
  );
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const redis = testRedis();
  const prefix = uniqueName('relay');
  const published = new RedisPublishedVersions(redis, { prefix, claimTtlMs, markerTtlSeconds: 600 });
  const acked: RelayEvent[] = [];
  const deps = {
    entities: new RedisEntityState(redis, prefix),
    mappings: new MappingProvider({
      connectors: enabledConnectors(parsed.config),
      fields: async () => undefined,
      ttlMs: 60_000,
      log,
    }),
    published,
    publisher: {
      publish: async (events: readonly RelayEvent[]) => {
        await kafkaPublisher.publish(events);
        acked.push(...events);
      },
      publishDeadLetter: kafkaPublisher.publishDeadLetter.bind(kafkaPublisher),
      close: async () => undefined,
    },
    log,
    metrics: createMetrics(),
    now: () => new Date(),
  };
  const monitoringTypes = () =>
    acked.filter((e) => e.type.includes('incident')).map((e) => e.type.split('.').pop());
  return { deps, published, monitoringTypes };
}

const inProgress = { id: '3', name: 'In Progress', category: 'indeterminate' } as const;
const done = { id: '5', name: 'Done', category: 'done' } as const;
const t = (minute: number) => Date.parse(`2024-03-01T10:0${minute}:00Z`);
const version = (minute: number, status: typeof inProgress | typeof done, priority = 'High') =>
  issueChange({
    version: t(minute),
    issue: issueSnapshot({
      status,
      priority: { id: '2', name: priority },
      updated: new Date(t(minute)).toISOString(),
    }),
  });

describe('a connector that reacts to transitions is compared with what it published itself', () => {
  it('resolves an incident whose Done version the others published while its own publish was lost', async () => {
    const { deps, published, monitoringTypes } = pipeline(200);
    await processChange(version(1, inProgress), deps);
    expect(monitoringTypes()).toEqual(['triggered', 'acknowledged']);

    // A worker claims version 3 for monitoring, then dies before publishing (SIGKILL).
    const ref = {
      connector: 'monitoring',
      siteHost: 'acme.atlassian.net',
      entity: 'issue',
      entityId: '10042',
    } as const;
    expect(await published.claim(ref, t(3), { deletion: false })).toMatchObject({ kind: 'claimed' });

    // Version 2 (Done) goes out on CRM; monitoring sees the newer claim and drops it as superseded.
    const second = await processChange(version(2, done), deps);
    expect(second).toMatchObject({
      outcome: 'processed',
      connectors: [
        { connector: 'crm', outcome: 'published' },
        { connector: 'monitoring', outcome: 'superseded' },
      ],
    });

    // The dead worker's claim lapses; its job's retry maps version 3 (still Done) for monitoring:
    // against what the relay committed (Done) nothing changed, against what monitoring published
    // (acknowledged) the incident is resolved.
    await sleep(300);
    await processChange(version(3, done, 'Low'), deps);
    expect(monitoringTypes()).toEqual(['triggered', 'acknowledged', 'resolved']);

    // Deleting the resolved issue does not resolve it again.
    const deletion = issueChange({ kind: 'deleted', version: t(4), issue: version(3, done).issue });
    const last = await processChange(deletion, deps);
    expect(last).toMatchObject({ connectors: [{ outcome: 'published' }, { outcome: 'skipped' }] });
    expect(monitoringTypes()).toEqual(['triggered', 'acknowledged', 'resolved']);
  });

  it('resolves on deletion an incident whose resolution never went out', async () => {
    const { deps, published, monitoringTypes } = pipeline(200);
    await processChange(version(1, inProgress), deps);
    const ref = {
      connector: 'monitoring',
      siteHost: 'acme.atlassian.net',
      entity: 'issue',
      entityId: '10042',
    } as const;
    await published.claim(ref, t(3), { deletion: false });
    await processChange(version(2, done), deps);
    await sleep(300);
    const deletion = issueChange({ kind: 'deleted', version: t(4), issue: version(2, done).issue });
    await processChange(deletion, deps);
    expect(monitoringTypes()).toEqual(['triggered', 'acknowledged', 'resolved']);
  });

  it('keeps no snapshot for a connector that does not read it', async () => {
    const { deps, published } = pipeline(5000);
    await processChange(version(1, inProgress), deps);
    const crm = {
      connector: 'crm',
      siteHost: 'acme.atlassian.net',
      entity: 'issue',
      entityId: '10042',
    } as const;
    const monitoring = { ...crm, connector: 'monitoring' } as const;
    expect(await published.claim(crm, t(2), { deletion: false })).toMatchObject({ lastSnapshot: null });
    const claim = await published.claim(monitoring, t(2), { deletion: false });
    expect(claim.kind === 'claimed' && JSON.parse(claim.lastSnapshot ?? '{}').status.name).toBe(
      'In Progress',
    );
  });
});
