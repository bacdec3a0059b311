import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { answers } from '../tcp-answers.ts';

const root = path.resolve(import.meta.dirname, '../..');

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** Redis must answer; the demo does not start one (it would need a package install). */
export async function checkRedis(redisUrl: string): Promise<void> {
  const url = new URL(redisUrl);
  if (await answers(`${url.hostname}:${url.port || 6379}`)) return;
  throw new Error(
    `No Redis answers at ${url.host} (REDIS_URL). Start one, e.g. \`redis-server --daemonize yes\` ` +
      '(Debian: apt-get install redis-server), or `docker compose up -d redis`.',
  );
}

/** Uses the broker at KAFKA_BROKERS, else starts the local one; returns how to stop what it started. */
export async function ensureKafka(brokers: string): Promise<(() => void) | undefined> {
  if (await answers(brokers.split(',')[0] ?? '')) return undefined;
  const missing = ['java', 'mvn'].filter((c) => !has(c));
  if (missing.length > 0) {
    throw new Error(
      `No Kafka answers at ${brokers} (KAFKA_BROKERS), and ${missing.join(' and ')} ` +
        `${missing.length > 1 ? 'are' : 'is'} missing for the local broker. Install a JDK 17 and Maven ` +
        '(then the demo starts Kafka itself), or run `docker compose up -d kafka`.',
    );
  }
  console.log('starting a local Kafka broker (test/infra/kafka.sh; the first run downloads its jars)...');
  const script = path.join(root, 'test/infra/kafka.sh');
  const started = spawnSync('bash', [script, 'start'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (started.status !== 0) throw new Error('the local Kafka broker did not start; see the lines above');
  return () => {
    spawnSync('bash', [script, 'stop'], { cwd: root, stdio: 'inherit' });
  };
}

/** Deletes topics that belonged to this run alone (the relay created them; it has stopped by now). */
export async function deleteTopics(brokers: string, topics: string[]): Promise<void> {
  const admin = new Kafka({
    clientId: 'jira-relay-demo',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const ours = topics.filter((topic) => existing.has(topic));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  } finally {
    await admin.disconnect();
  }
}
