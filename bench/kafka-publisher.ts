/**
 * Publish path benchmark (not a test): the pure mapping, the published-version markers on real
 * Redis, and the Kafka publisher on the real broker.
 *   node bench/kafka-publisher.ts     (REDIS_URL, KAFKA_BROKERS; defaults 127.0.0.1)
 * 1. Cost of rich text and of mapping one change per connector (µs, in process).
 * 2. claim + markPublished round trips on Redis: latency one at a time, and throughput at 64 in flight.
 * 3. Publish-to-ack latency (p50/p99) at steady offered rates of 400, 2,000 and 4,000 events/s
 *    (200, 1,000 and 2,000 deliveries/s, each giving two events), then the most events/s with
 *    2,000 publishes in flight.
 * Writes bench/results/kafka-publisher.{json,md}.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { resolveFieldNames } from '../connectors/config/resolve-field-names.ts';
import type { IssueChange } from '../connectors/jira-change.ts';
import { connectorRegistry } from '../connectors/registry.ts';
import type { RelayEvent } from '../connectors/relay-event.ts';
import { richTextToText } from '../src/atlassian/text/rich-text.ts';
import { createKafkaClient } from '../src/kafka/kafka-client.ts';
import { KafkaEventPublisher } from '../src/kafka/kafka-event-publisher.ts';
import { ensureTopics } from '../src/kafka/topic-admin.ts';
import { createLogger } from '../src/logger.ts';
import { RedisPublishedVersions } from '../src/state/published-versions.ts';

const root = path.resolve(import.meta.dirname, '..');
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const log = createLogger({ level: 'silent' });
const RATES = [400, 2000, 4000];
const SECONDS_PER_RATE = 8;

const topic = `bench-publish-${randomBytes(4).toString('hex')}`;
const settings = {
  enabled: true,
  topic,
  filter: { projects: [], issueTypes: [], labels: [] },
  fields: { customer: 'customfield_10050' },
  statuses: {},
  severities: { critical: ['Highest'], error: ['High'], warning: ['Medium'], info: ['Low'] },
  defaultSeverity: 'warning' as const,
};
const mapping = resolveFieldNames(settings, []).mapping;

function change(i: number, issueCount = 500): IssueChange {
  const id = String(10_000 + (i % issueCount));
  return {
    entity: 'issue',
    kind: 'updated',
    site: { host: 'acme.atlassian.net' },
    version: 1_700_000_000_000 + i,
    source: 'webhook',
    observedAt: Date.now(),
    issue: {
      id,
      key: `OPS-${id}`,
      project: { id: '1', key: 'OPS' },
      issueType: { name: 'Incident' },
      summary: `Checkout returns 502 (${i})`,
      description: 'Customers see a 502 on checkout since the last deploy.',
      status: { name: i % 2 ? 'In Progress' : 'To Do', category: i % 2 ? 'indeterminate' : 'new' },
      priority: { name: 'High' },
      assignee: { accountId: 'acc-1', displayName: 'Ann Ops' },
      reporter: null,
      labels: ['customer'],
      components: ['payments'],
      customFields: { customfield_10050: 'Globex' },
      created: '2024-03-01T09:00:00.000+0000',
      updated: '2024-03-01T09:30:00.000+0000',
    },
    changelog: [],
    previous: null,
  };
}

function microseconds(iterations: number, fn: (i: number) => unknown): number {
  for (let i = 0; i < 1000; i++) fn(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / 1000 / iterations;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function measurePure() {
  const adf = JSON.parse(readFileSync(path.join(root, 'test/fixtures/adf/kitchen-sink.json'), 'utf8'));
  const wiki =
    'h2. Impact\n*Checkout* fails for [~accountid:abc] since {{v2.3}}.\n* one\n* two\n||a||b||\n|1|2|';
  return {
    adfKitchenSinkToTextUs: microseconds(20_000, () => richTextToText(adf)),
    wikiToTextUs: microseconds(50_000, () => richTextToText(wiki)),
    crmMapUs: microseconds(50_000, (i) => connectorRegistry.crm.map(change(i), mapping, new Date())),
    monitoringMapUs: microseconds(50_000, (i) =>
      connectorRegistry.monitoring.map(change(i), mapping, new Date()),
    ),
  };
}

async function measureMarkers() {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = `bench-pv-${randomBytes(4).toString('hex')}`;
  const versions = new RedisPublishedVersions(redis, { prefix, claimTtlMs: 60_000, markerTtlSeconds: 600 });
  const step = async (i: number) => {
    const ref = {
      connector: 'crm',
      siteHost: 'acme.atlassian.net',
      entity: 'issue' as const,
      entityId: String(i),
    };
    const claim = await versions.claim(ref, 1000, { deletion: false });
    if (claim.kind === 'claimed') await versions.markPublished(ref, 1000, claim.token, { deletion: false });
  };
  const latencies: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const start = performance.now();
    await step(i);
    latencies.push(performance.now() - start);
  }
  latencies.sort((a, b) => a - b);
  const total = 20_000;
  let next = 2000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < 2000 + total) await step(next++);
    }),
  );
  const perSecond = total / ((performance.now() - start) / 1000);
  const keys = await redis.keys(`${prefix}:*`);
  for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  await redis.quit();
  return {
    claimMarkP50Ms: percentile(latencies, 50),
    claimMarkP99Ms: percentile(latencies, 99),
    claimMarkPerSecond: perSecond,
  };
}

function eventsFor(n: number, offset: number): RelayEvent[][] {
  // One delivery gives two events (CRM ticket and monitoring incident), published together.
  return Array.from({ length: n }, (_, i) => {
    const c = change(offset + i);
    const crm = connectorRegistry.crm.map(c, mapping, new Date());
    const mon = connectorRegistry.monitoring.map(c, mapping, new Date());
    return [
      ...(crm.kind === 'events' ? crm.events : []),
      ...(mon.kind === 'events' ? mon.events.slice(0, 1) : []),
    ];
  });
}

/** Open loop: every 10 ms, publish the deliveries due, as the worker would; latency is publish to ack. */
async function atRate(
  publisher: KafkaEventPublisher,
  eventsPerSecond: number,
  offset: number,
  seconds = SECONDS_PER_RATE,
) {
  const deliveriesPerTick = eventsPerSecond / 2 / 100;
  const ticks = seconds * 100;
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  let due = 0;
  let sent = 0;
  for (let tick = 0; tick < ticks; tick++) {
    due += deliveriesPerTick;
    const batch = eventsFor(Math.floor(due) - sent, offset + sent);
    sent += batch.length;
    for (const events of batch) {
      const t = performance.now();
      pending.push(publisher.publish(events).then(() => void latencies.push(performance.now() - t)));
    }
    const wait = start + (tick + 1) * 10 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    offeredEventsPerSecond: eventsPerSecond,
    events: sent * 2,
    achievedEventsPerSecond: Math.round((sent * 2) / elapsed),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? Number.NaN,
  };
}

async function maxThroughput(publisher: KafkaEventPublisher, offset: number) {
  const inFlight = 1000;
  const total = 40_000;
  const batches = eventsFor(total, offset);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < batches.length) await publisher.publish(batches[next++] ?? []);
    }),
  );
  return {
    eventsPerSecond: Math.round((total * 2) / ((performance.now() - start) / 1000)),
    inFlightDeliveries: inFlight,
  };
}

async function main() {
  const pure = measurePure();
  const markers = await measureMarkers();
  const kafka = createKafkaClient({ brokers, clientId: 'bench-publisher', log });
  await ensureTopics(kafka, [topic], { partitions: 6, replicationFactor: 1 }, log);
  const publisher = new KafkaEventPublisher({
    kafka,
    dlqTopic: `${topic}-dlq`,
    lingerMs: 5,
    maxBatchMessages: 1000,
    retryMaxDelayMs: 5000,
    publishTimeoutMs: 30_000,
    maxPendingMessages: 100_000,
    log,
  });
  await publisher.connect();
  // Warm-up (JIT, connections, producer id), not recorded.
  await atRate(publisher, 2000, 0, 2);
  const rates = [];
  let offset = 4000;
  for (const rate of RATES) {
    rates.push(await atRate(publisher, rate, offset));
    offset += rate * SECONDS_PER_RATE;
  }
  const max = await maxThroughput(publisher, offset);
  await publisher.close();
  const admin = new Kafka({ clientId: 'bench-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  report({ pure, markers, rates, max });
}

function report(results: {
  pure: ReturnType<typeof measurePure>;
  markers: Awaited<ReturnType<typeof measureMarkers>>;
  rates: Awaited<ReturnType<typeof atRate>>[];
  max: Awaited<ReturnType<typeof maxThroughput>>;
}) {
  const when = new Date().toISOString();
  const cpu = `${os.cpus().length} x ${os.cpus()[0]?.model.split(' ').slice(0, 2).join(' ') ?? 'cpu'}`;
  const f = (n: number, d = 1) => n.toFixed(d);
  const { pure, markers, rates, max } = results;
  const lines = [
    '# Publish path benchmark',
    '',
    `${when}, Node ${process.version}, ${cpu}. Real Redis and the real Kafka broker on this machine (linger 5 ms, acks=all, idempotent).`,
    '',
    '| measure | result |',
    '|---|---|',
    `| ADF kitchen-sink document to text | ${f(pure.adfKitchenSinkToTextUs)} µs |`,
    `| short wiki description to text | ${f(pure.wikiToTextUs)} µs |`,
    `| CRM mapping of one issue change | ${f(pure.crmMapUs)} µs |`,
    `| monitoring mapping of one issue change | ${f(pure.monitoringMapUs)} µs |`,
    `| claim + markPublished, one at a time | p50 ${f(markers.claimMarkP50Ms, 2)} ms, p99 ${f(markers.claimMarkP99Ms, 2)} ms |`,
    `| claim + markPublished, 64 in flight | ${Math.round(markers.claimMarkPerSecond)} pairs/s |`,
    ...rates.map(
      (r) =>
        `| publish to ack at ${r.offeredEventsPerSecond} events/s offered (${r.offeredEventsPerSecond / 2} deliveries/s x 2), ${r.events} events | p50 ${f(r.p50Ms)} ms, p99 ${f(r.p99Ms)} ms, max ${f(r.maxMs)} ms; achieved ${r.achievedEventsPerSecond}/s |`,
    ),
    `| most events/s, ${max.inFlightDeliveries} deliveries in flight | ${max.eventsPerSecond} events/s |`,
    '',
  ];
  const dir = path.join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'kafka-publisher.md'), lines.join('\n'));
  writeFileSync(
    path.join(dir, 'kafka-publisher.json'),
    `${JSON.stringify({ when, node: process.version, cpu, ...results }, null, 2)}\n`,
  );
  console.log(lines.join('\n'));
}

await main();
