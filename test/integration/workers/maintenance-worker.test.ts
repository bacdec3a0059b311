import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { TokenPair } from '../../../src/atlassian/oauth/token-response.ts';
import type { Connection } from '../../../src/connections/connection.ts';
import { RedisDeadLetterOutbox } from '../../../src/kafka/dead-letter-outbox.ts';
import { DurableDeadLetterPublisher } from '../../../src/kafka/durable-dead-letter-publisher.ts';
import { createKafkaClient } from '../../../src/kafka/kafka-client.ts';
import { KafkaEventPublisher } from '../../../src/kafka/kafka-event-publisher.ts';
import { ensureTopics } from '../../../src/kafka/topic-admin.ts';
import { createLogger } from '../../../src/logger.ts';
import { maintenanceJobs } from '../../../src/queues/maintenance-jobs.ts';
import { queueNames } from '../../../src/queues/queue-names.ts';
import { RedisTokenStore } from '../../../src/tokens/redis-token-store.ts';
import { createTokenCipher } from '../../../src/tokens/token-cipher.ts';
import { RedisRegistrationStore } from '../../../src/webhooks/registration-store.ts';
import { WebhookRegistrar } from '../../../src/webhooks/webhook-registrar.ts';
import { scheduleMaintenance, startMaintenanceWorker } from '../../../workers/maintenance-worker.ts';
import { bullPrefixOf, kafkaBrokers, testRedis, uniqueName } from '../../helpers/services.ts';
import { readBack, testKafka } from '../kafka/read-back.ts';
import { consent, startTokenStack } from '../tokens/token-stack.ts';

describe('maintenance worker: accessible-resources refresh', () => {
  it('is scheduled every ACCESSIBLE_RESOURCES_REFRESH_SECONDS and its job returns the refresh report', async () => {
    const stack = await startTokenStack({ sim: { sites: 2 } });
    const [alice] = stack.sim.users;
    const [kept, lost] = stack.sim.sites;
    if (!alice || !kept || !lost) throw new Error('the simulator needs a user and two sites');
    expect((await consent(stack, alice.accountId)).status).toBe(200);
    stack.sim.control.setSiteAccess(lost.cloudId, alice.accountId, false);

    const { connection, prefix } = maintenanceQueueOptions(uniqueName('jr-maint'));
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

describe('maintenance worker: re-sealing grants and re-sending dead letters', () => {
  it('schedules both at their intervals; the re-seal job moves grants to the first key and reports it; the re-send job delivers pending dead letters', async () => {
    const [keyA, keyB] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
    const stack = await startTokenStack({ env: { TOKEN_ENCRYPTION_KEY: `${keyA},${keyB}` } });
    const statePrefix = uniqueName('jr-maint');
    const { connection, prefix } = maintenanceQueueOptions(statePrefix);
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
      tokenResealMs: 1_800_000,
      deadLetterResendMs: 60_000,
    });
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.find((s) => s.key === 'token-reseal')).toMatchObject({
      name: maintenanceJobs.resealTokens,
      every: 1_800_000,
    });
    expect(schedulers.find((s) => s.key === 'dead-letter-resend')).toMatchObject({
      name: maintenanceJobs.resendDeadLetters,
      every: 60_000,
    });
    await queue.obliterate({ force: true });

    // Grants sealed before the rotation, when B was the only key.
    const underB = new RedisTokenStore({
      redis: stack.redis,
      keyPrefix: stack.keyPrefix,
      cipher: createTokenCipher([keyB]),
    });
    await underB.putFromConsent('acc-1', pairOf('one'), 1000);
    await underB.putFromConsent('acc-2', pairOf('two'), 1000);
    const deadLetters = await pendingDeadLetter(statePrefix);

    const worker = startMaintenanceWorker(
      { connection, prefix },
      {
        registrar: {} as WebhookRegistrar,
        connections: stack.services.connections,
        tokens: stack.services.tokens,
        queue,
        oauth: stack.services.oauth,
        onConnected: async () => undefined,
        allowedSites: [],
        deadLetters: deadLetters.publisher,
        log: stack.log,
      },
    );
    onTestFinished(() => worker.close());
    await events.waitUntilReady();

    const reseal = await queue.add(maintenanceJobs.resealTokens, {});
    expect(await reseal.waitUntilFinished(events, 10_000)).toEqual({
      resealed: 2,
      current: 0,
      changed: 0,
      unreadable: 0,
    });
    const onlyA = new RedisTokenStore({
      redis: stack.redis,
      keyPrefix: stack.keyPrefix,
      cipher: createTokenCipher([keyA]),
    });
    expect(await onlyA.get('acc-1')).toMatchObject({
      accessToken: 'access-one',
      refreshToken: 'refresh-one',
    });
    expect(await onlyA.get('acc-2')).toMatchObject({
      accessToken: 'access-two',
      refreshToken: 'refresh-two',
    });

    const resend = await queue.add(maintenanceJobs.resendDeadLetters, {});
    expect(await resend.waitUntilFinished(events, 10_000)).toEqual({ resent: 1, pending: 0, busy: false });
    const [letter] = await readBack(testKafka(kafkaBrokers()), deadLetters.topic, 1);
    expect(JSON.parse(letter?.value ?? '')).toMatchObject({ jobId: 'failed-while-kafka-was-away' });
  });
});

/** The maintenance queue's BullMQ options as a relay with QUEUE_PREFIX `queuePrefix` has them. */
function maintenanceQueueOptions(queuePrefix: string) {
  return { connection: testRedis(), prefix: bullPrefixOf(queuePrefix) };
}

const pairOf = (name: string): TokenPair => ({
  accessToken: `access-${name}`,
  refreshToken: `refresh-${name}`,
  expiresAt: 1_000_000,
  scopes: ['read:jira-work'],
});

/** A dead letter recorded while Kafka refused it, and a publisher (Kafka back) to re-send it with. */
async function pendingDeadLetter(prefix: string) {
  const log = createLogger({ level: 'silent' });
  const kafka = createKafkaClient({ brokers: kafkaBrokers(), clientId: uniqueName('maint'), log });
  const topic = uniqueName('maint-dlq');
  await ensureTopics(kafka, [topic], { partitions: 1, replicationFactor: 1 }, log);
  const kafkaPublisher = new KafkaEventPublisher({
    kafka,
    dlqTopic: topic,
    lingerMs: 2,
    maxBatchMessages: 10,
    retryMaxDelayMs: 1000,
    publishTimeoutMs: 5000,
    maxPendingMessages: 100,
    log,
  });
  const outbox = new RedisDeadLetterOutbox(testRedis(), { prefix, maxPending: 10 });
  const publisher = new DurableDeadLetterPublisher({
    inner: kafkaPublisher,
    outbox,
    publishTimeoutMs: 0,
    log,
  });
  // Not connected yet and closed: it refuses, as a publisher does while Kafka is away or at shutdown.
  await kafkaPublisher.close();
  await publisher.publishDeadLetter({
    queue: queueNames.changes,
    jobId: 'failed-while-kafka-was-away',
    input: {},
    error: { code: 'MAPPING_FAILED', message: 'boom', retryable: false },
    attempts: 1,
    failedAt: Date.now(),
  });
  expect(await outbox.count()).toBe(1);
  const back = new KafkaEventPublisher({
    kafka,
    dlqTopic: topic,
    lingerMs: 2,
    maxBatchMessages: 10,
    retryMaxDelayMs: 1000,
    publishTimeoutMs: 5000,
    maxPendingMessages: 100,
    log,
  });
  await back.connect();
  onTestFinished(() => back.close());
  return {
    topic,
    publisher: new DurableDeadLetterPublisher({ inner: back, outbox, publishTimeoutMs: 0, log }),
  };
}
