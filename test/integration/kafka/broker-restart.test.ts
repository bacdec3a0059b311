import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapToCrm } from '../../../connectors/crm/crm-connector.ts';
import type { RelayEvent } from '../../../connectors/relay-event.ts';
import { createKafkaClient } from '../../../src/kafka/kafka-client.ts';
import { KafkaEventPublisher } from '../../../src/kafka/kafka-event-publisher.ts';
import { ensureTopics } from '../../../src/kafka/topic-admin.ts';
import { createLogger } from '../../../src/logger.ts';
import { uniqueName } from '../../helpers/services.ts';
import { issue, issueChange, mapping } from '../../unit/connectors/changes.ts';
import { readBack, testKafka } from './read-back.ts';

/**
 * A broker of this test's own, on other ports, so stopping it disturbs no other test. Its data dir
 * is kept across the restart (KAFKA_FRESH=0), as a real broker's disk would be.
 */
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const script = path.join(root, 'test/infra/kafka.sh');
const dir = path.join(root, '.kafka-local', uniqueName('restart'));
const port = 19192;
const brokerEnv = {
  ...process.env,
  KAFKA_LOCAL_DIR: dir,
  KAFKA_PORT: String(port),
  KAFKA_CONTROLLER_PORT: String(port + 1),
  KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m',
};
const brokers = [`127.0.0.1:${port}`];
const hasJava = await run('sh', ['-c', 'command -v java']).then(
  () => true,
  () => false,
);

const broker = (command: 'start' | 'stop', fresh = true) =>
  run('bash', [script, command], {
    cwd: root,
    env: { ...brokerEnv, KAFKA_FRESH: fresh ? '1' : '0' },
    timeout: 240_000,
  });

describe.skipIf(!hasJava)('publishing through a broker restart', () => {
  beforeAll(async () => {
    await broker('start');
  }, 300_000);

  afterAll(async () => {
    await broker('stop').catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('delivers every event when the broker is stopped for 10 s mid-stream; any repeat has the same ce_id', async () => {
    const log = createLogger({ level: 'silent' });
    const kafka = createKafkaClient({ brokers, clientId: uniqueName('restart'), log });
    const topic = uniqueName('restart-events');
    await ensureTopics(kafka, [topic], { partitions: 3, replicationFactor: 1 }, log);
    const publisher = new KafkaEventPublisher({
      kafka,
      dlqTopic: uniqueName('restart-dlq'),
      lingerMs: 5,
      maxBatchMessages: 100,
      retryMaxDelayMs: 1000,
      log,
    });
    await publisher.connect();

    const m = mapping({ topic });
    const events: RelayEvent[] = Array.from({ length: 240 }, (_, i) => {
      const change = issueChange({
        version: 1_700_000_000_000 + i,
        issue: issue({ id: String(20_000 + (i % 12)) }),
      });
      const result = mapToCrm(change, m, new Date());
      if (result.kind !== 'events' || !result.events[0]) throw new Error('no event');
      return result.events[0];
    });

    // A job's publish: on failure it is retried with the same event, hence the same ce_id.
    const publishUntilAcked = async (event: RelayEvent) => {
      for (;;) {
        try {
          return await publisher.publish([event]);
        } catch {
          await sleep(250);
        }
      }
    };

    const acked: Promise<void>[] = [];
    let ackedCount = 0;
    const stream = (async () => {
      for (const event of events) {
        acked.push(publishUntilAcked(event).then(() => void ackedCount++));
        await sleep(60); // ~16 events/s for ~15 s of wall time
      }
    })();

    await sleep(3000);
    await broker('stop');
    const stoppedAt = Date.now();
    const ackedAtStop = ackedCount;
    await sleep(10_000);
    const ackedWhileDown = ackedCount - ackedAtStop;
    await broker('start', false);
    const downMs = Date.now() - stoppedAt;

    await stream;
    await Promise.all(acked);
    await publisher.close();

    const read = await readBack(testKafka(brokers), topic, events.length, {
      timeoutMs: 60_000,
      quietMs: 1000,
    });
    const byId = new Map(events.map((e) => [e.id, e]));
    const seen = new Set(read.map((r) => r.headers.ce_id));
    // The outage really was mid-stream: some events were acked before it, none during it.
    expect(downMs).toBeGreaterThanOrEqual(10_000);
    expect(ackedAtStop).toBeGreaterThan(0);
    expect(ackedAtStop).toBeLessThan(events.length / 2);
    expect(ackedWhileDown).toBe(0);
    expect(seen.size).toBe(events.length);
    for (const message of read) {
      const event = byId.get(message.headers.ce_id ?? '');
      expect(event, `unknown ce_id ${message.headers.ce_id}`).toBeDefined();
      expect(message.key).toBe(event?.key);
      expect(JSON.parse(message.value)).toEqual(event?.data);
    }
  }, 300_000);
});
