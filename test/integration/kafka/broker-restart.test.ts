import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
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
import { issue, issueChange, mapping } from '../../helpers/connector-fixtures.ts';
import { uniqueName } from '../../helpers/services.ts';
import { readBack, testKafka } from './read-back.ts';

/**
 * A broker of this test's own, on free ports of its own, so stopping it disturbs no other test. Its
 * data dir is kept across the restart (KAFKA_FRESH=0), as a real broker's disk would be.
 */
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const script = path.join(root, 'test/infra/kafka.sh');
const dir = path.join(root, '.kafka-local', uniqueName('restart'));

/** Whether nothing listens on the port now. */
async function isFree(port: number): Promise<boolean> {
  const server = net.createServer();
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (ok) await new Promise((resolve) => server.close(resolve));
  return ok;
}

/**
 * Two free ports from 19192 up, outside the ephemeral range so no outgoing connection takes them
 * while the broker is down; another run restarting its own broker at the same time moves on.
 */
async function freePortPair(): Promise<[number, number]> {
  for (let port = 19192; port < 19392; port += 2) {
    if ((await isFree(port)) && (await isFree(port + 1))) return [port, port + 1];
  }
  throw new Error('no free port pair in 19192-19391');
}

const has = (command: string) =>
  run('sh', ['-c', `command -v ${command}`]).then(
    () => true,
    () => false,
  );
// The script needs Java, and the broker jars (fetched once by Maven) or Maven to fetch them.
const canRunBroker =
  (await has('java')) &&
  (existsSync(path.join(root, '.kafka-local/libs/.kafka-version')) || (await has('mvn')));
const [port, controllerPort] = await freePortPair();
const brokers = [`127.0.0.1:${port}`];
const brokerEnv = {
  ...process.env,
  KAFKA_LOCAL_DIR: dir,
  KAFKA_PORT: String(port),
  KAFKA_CONTROLLER_PORT: String(controllerPort),
  KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m',
};

const broker = (command: 'start' | 'stop', fresh = true) =>
  run('bash', [script, command], {
    cwd: root,
    env: { ...brokerEnv, KAFKA_FRESH: fresh ? '1' : '0' },
    timeout: 240_000,
  });

describe.skipIf(!canRunBroker)('publishing through a broker restart', () => {
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
